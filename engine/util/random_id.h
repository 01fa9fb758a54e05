#pragma once
// Identifiers that must not collide across machines and files (a store's id, an apply
// run's folder): random bytes from the kernel, as lower-case hex.
#include <cstddef>
#include <string>

namespace regpol {

// 2 * `bytes` hex digits from getrandom(2); throws std::runtime_error when the kernel
// cannot supply them (never a weak fallback).
std::string random_hex(std::size_t bytes);

}  // namespace regpol
