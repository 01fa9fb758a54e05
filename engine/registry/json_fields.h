#pragma once
// Members of a registry's answer, read without trusting their types: the string (bool,
// unsigned number) at `key` when `obj` is an object holding one, else `fallback`.
// nlohmann's value() throws on a wrong type, and an answer is input like any other.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace regpol::registry {

inline std::string json_string(const nlohmann::json& obj, const char* key, const std::string& fallback = "") {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : fallback;
}
inline bool json_bool(const nlohmann::json& obj, const char* key, bool fallback) {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(key);
  return it != obj.end() && it->is_boolean() ? it->get<bool>() : fallback;
}
// A non-negative integer below 2^63, else -1.
inline std::int64_t json_size(const nlohmann::json& obj, const char* key) {
  if (!obj.is_object()) return -1;
  auto it = obj.find(key);
  if (it == obj.end()) return -1;
  if (it->is_number_unsigned()) {
    auto v = it->get<std::uint64_t>();
    return v <= static_cast<std::uint64_t>(INT64_MAX) ? static_cast<std::int64_t>(v) : -1;
  }
  if (it->is_number_integer()) {
    auto v = it->get<std::int64_t>();
    return v >= 0 ? v : -1;
  }
  return -1;
}

}  // namespace regpol::registry
