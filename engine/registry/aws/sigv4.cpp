#include "registry/aws/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>

#include "util/sha256.h"

namespace regpol::aws {

namespace {

std::string hmac(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Trims the value and collapses runs of spaces into one, as the canonical form requires.
std::string canonical_value(const std::string& v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> sorted_headers(const SigningRequest& r) {
  std::vector<std::pair<std::string, std::string>> h;
  for (const auto& [k, v] : r.headers) h.emplace_back(lower(k), canonical_value(v));
  std::stable_sort(h.begin(), h.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  // Repeated names join their values with commas, in order.
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& kv : h) {
    if (!out.empty() && out.back().first == kv.first) out.back().second += "," + kv.second;
    else out.push_back(std::move(kv));
  }
  return out;
}

std::string signed_headers(const std::vector<std::pair<std::string, std::string>>& h) {
  std::string out;
  for (const auto& kv : h) out += (out.empty() ? "" : ";") + kv.first;
  return out;
}

}  // namespace

std::string hex_sha256(const std::string& bytes) { return sha256_hex(bytes); }

std::string uri_encode(const std::string& s, bool keep_slash) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 15]);
    }
  }
  return out;
}

std::string canonical_request(const SigningRequest& r) {
  std::vector<std::pair<std::string, std::string>> q;
  for (const auto& [k, v] : r.query) q.emplace_back(uri_encode(k, false), uri_encode(v, false));
  std::sort(q.begin(), q.end());
  std::string query;
  for (const auto& [k, v] : q) query += (query.empty() ? "" : "&") + k + "=" + v;
  auto headers = sorted_headers(r);
  std::string canonical_headers;
  for (const auto& [k, v] : headers) canonical_headers += k + ":" + v + "\n";
  return r.method + "\n" + uri_encode(r.path.empty() ? "/" : r.path, true) + "\n" + query + "\n" + canonical_headers + "\n" +
         signed_headers(headers) + "\n" + hex_sha256(r.body);
}

std::string credential_scope(const SigningKeyParts& k) {
  return k.amz_date.substr(0, 8) + "/" + k.region + "/" + k.service + "/aws4_request";
}

std::string string_to_sign(const std::string& canonical, const std::string& amz_date, const std::string& scope) {
  return "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + hex_sha256(canonical);
}

std::string signature(const SigningKeyParts& k, const std::string& to_sign) {
  std::string key = hmac("AWS4" + k.secret_access_key, k.amz_date.substr(0, 8));
  key = hmac(key, k.region);
  key = hmac(key, k.service);
  key = hmac(key, "aws4_request");
  return to_hex(hmac(key, to_sign));
}

std::string authorization(const SigningRequest& r, const SigningKeyParts& k) {
  std::string scope = credential_scope(k);
  std::string canonical = canonical_request(r);
  return "AWS4-HMAC-SHA256 Credential=" + k.access_key_id + "/" + scope + ", SignedHeaders=" + signed_headers(sorted_headers(r)) +
         ", Signature=" + signature(k, string_to_sign(canonical, k.amz_date, scope));
}

}  // namespace regpol::aws
