#include "registry/oci/auth.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "registry/json_fields.h"
#include "util/text.h"

namespace regpol::oci {

using nlohmann::json;
using registry::json_string;

namespace {

// "https://host:5000/v1/" -> "host:5000"; "host" -> "host".
std::string authority_of_key(std::string key) {
  if (auto p = key.find("://"); p != std::string::npos) key = key.substr(p + 3);
  if (auto p = key.find('/'); p != std::string::npos) key = key.substr(0, p);
  return ascii_lower(key);
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

bool base64_decode(std::string_view in, std::string& out) {
  out.clear();
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  if (in.size() % 4 == 1) return false;
  unsigned bits = 0;
  int count = 0;
  for (char c : in) {
    int v = base64_value(c);
    if (v < 0) return false;
    bits = (bits << 6) | static_cast<unsigned>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return true;
}

bool parse_docker_config(std::string_view text, const std::string& authority, RegistryCredentials& out, bool& found,
                         std::string& error) {
  found = false;
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    error = "not a JSON object";
    return false;
  }
  auto auths = doc.find("auths");
  if (auths == doc.end()) return true;
  if (!auths->is_object()) {
    error = "`auths` is not an object";
    return false;
  }
  std::string want = authority_of_key(authority);
  for (const auto& [key, entry] : auths->items()) {
    if (authority_of_key(key) != want) continue;
    if (!entry.is_object()) {
      error = "the `auths` entry for " + want + " is not an object";
      return false;
    }
    std::string auth = json_string(entry, "auth");
    RegistryCredentials c;
    if (!auth.empty()) {
      std::string plain;
      auto colon = std::string::npos;
      if (!base64_decode(auth, plain) || (colon = plain.find(':')) == std::string::npos) {
        error = "the `auth` of the `auths` entry for " + want + " is not base64 of user:password";
        return false;
      }
      c.username = plain.substr(0, colon);
      c.password = plain.substr(colon + 1);
    } else {
      c.username = json_string(entry, "username");
      c.password = json_string(entry, "password");
    }
    if (!c.present()) continue;  // an entry kept for a credential helper: nothing to use here
    out = std::move(c);
    found = true;
    return true;
  }
  return true;
}

bool parse_challenge(std::string_view h, Challenge& out) {
  out = Challenge{};
  std::size_t i = 0;
  auto skip_ws = [&] {
    while (i < h.size() && (h[i] == ' ' || h[i] == '\t')) ++i;
  };
  skip_ws();
  while (i < h.size() && h[i] != ' ' && h[i] != '\t') out.scheme.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(h[i++]))));
  if (out.scheme.empty()) return false;
  while (i < h.size()) {
    skip_ws();
    std::string name;
    while (i < h.size() && h[i] != '=' && h[i] != ',' && h[i] != ' ') name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(h[i++]))));
    skip_ws();
    if (i >= h.size() || h[i] != '=') {
      // A second challenge ("…, Basic realm=…") or a bare token ends the parameters we read.
      if (i < h.size() && h[i] == ',') {
        ++i;
        continue;
      }
      break;
    }
    ++i;
    skip_ws();
    std::string value;
    if (i < h.size() && h[i] == '"') {
      ++i;
      bool closed = false;
      while (i < h.size()) {
        char c = h[i++];
        if (c == '\\' && i < h.size()) {
          value.push_back(h[i++]);
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          value.push_back(c);
        }
      }
      if (!closed) return false;
    } else {
      while (i < h.size() && h[i] != ',' && h[i] != ' ') value.push_back(h[i++]);
    }
    if (!name.empty() && !out.params.count(name)) out.params[name] = value;
    skip_ws();
    if (i < h.size() && h[i] == ',') ++i;
  }
  return true;
}

bool parse_token_answer(std::string_view body, std::string& token, long& expires_in) {
  token.clear();
  expires_in = 60;  // the spec's default when the service says nothing
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return false;
  token = json_string(doc, "token");
  if (token.empty()) token = json_string(doc, "access_token");
  if (auto it = doc.find("expires_in"); it != doc.end() && it->is_number_integer()) {
    auto v = it->get<std::int64_t>();
    if (v > 0 && v < 365L * 86400) expires_in = static_cast<long>(v);
  }
  return !token.empty();
}

}  // namespace regpol::oci
