#pragma once
// `regpol snapshot stats`: what a snapshot holds, in text or JSON.
#include <string>

#include "snapshot/model.h"

namespace regpol {

std::string render_snapshot_stats(const Registry& registry, bool json);

}  // namespace regpol
