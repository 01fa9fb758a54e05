#include "registry/oci/oci_client.h"

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "registry/json_fields.h"
#include "registry/image/manifest.h"
#include "util/sha256.h"
#include "util/redact.h"

namespace regpol::oci {

using nlohmann::json;

namespace {

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', hex[c >> 4], hex[c & 15]};
    }
  }
  return out;
}

bool retryable(const http::Response& r) { return r.status == 0 || r.status == 429 || r.status >= 500; }

// Registry and storage requests: up to 8 attempts, full jitter from 100 ms to 10 s.
const http::Backoff kRegistryBackoff{8, std::chrono::milliseconds(100), std::chrono::milliseconds(10000)};

// `<url>; rel="next"` from a Link header, or "".
std::string next_link(const std::string& link) {
  auto lt = link.find('<'), gt = link.find('>');
  if (lt == std::string::npos || gt == std::string::npos || gt < lt) return "";
  if (link.find("rel=\"next\"", gt) == std::string::npos && link.find("rel=next", gt) == std::string::npos) return "";
  return link.substr(lt + 1, gt - lt - 1);
}

// The registry's error code ("NAME_UNKNOWN", "MANIFEST_UNKNOWN", …) and message, for errors.
std::string registry_error(const OciResponse& r) {
  json doc = json::parse(r.body, nullptr, false);
  std::string text = "HTTP " + std::to_string(r.status);
  if (doc.is_object() && doc.contains("errors") && doc["errors"].is_array() && !doc["errors"].empty()) {
    const auto& e = doc["errors"][0];
    std::string code = registry::json_string(e, "code"), message = registry::json_string(e, "message");
    // The registry's words may echo what we sent (an Authorization header, a token).
    if (!code.empty()) text += " " + redact_credentials(code.substr(0, 80));
    if (!message.empty()) text += ": " + redact_credentials(message.substr(0, 200));
  }
  return text;
}

std::string read_whole(const std::string& path, bool& exists) {
  std::ifstream in(path, std::ios::binary);
  exists = static_cast<bool>(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

bool parse_oci_address(const std::string& text, bool insecure, OciEndpoint& out, std::string& error) {
  out = OciEndpoint{};
  if (text.rfind("oci://", 0) != 0) {
    error = "a registry address is oci://HOST[:PORT][/PREFIX]";
    return false;
  }
  std::string rest = text.substr(6);
  auto slash = rest.find('/');
  out.authority = rest.substr(0, slash);
  if (slash != std::string::npos) out.prefix = rest.substr(slash + 1);
  while (!out.prefix.empty() && out.prefix.back() == '/') out.prefix.pop_back();
  if (out.authority.empty()) {
    error = "`" + text + "` names no host";
    return false;
  }
  http::Url url;
  if (!http::parse_url("https://" + out.authority + "/", url, error)) return false;
  out.insecure = insecure;
  out.scheme = http::is_loopback_host(url.host) || insecure ? "http" : "https";
  if (out.scheme == "http" && !http::is_loopback_host(url.host) && !insecure) {
    error = "plain http to " + url.host + " needs --insecure";
    return false;
  }
  return true;
}

bool resolve_credentials(const std::string& authority, const std::string& flag_username, const std::string* flag_password,
                         RegistryCredentials& out, std::string& error) {
  out = RegistryCredentials{};
  if (!flag_username.empty()) {
    out.username = flag_username;
    if (flag_password) out.password = *flag_password;
    out.source = "--username";
    return true;
  }
  // regpol never sets the environment: reading it from worker threads is safe.
  const char* u = std::getenv("REGPOL_REGISTRY_USERNAME");  // NOLINT(concurrency-mt-unsafe)
  const char* p = std::getenv("REGPOL_REGISTRY_PASSWORD");  // NOLINT(concurrency-mt-unsafe)
  if (u && *u) {
    out.username = u;
    out.password = p ? p : "";
    out.source = "REGPOL_REGISTRY_USERNAME";
    return true;
  }
  std::string path;
  if (const char* d = std::getenv("DOCKER_CONFIG"); d && *d) path = std::string(d) + "/config.json";  // NOLINT(concurrency-mt-unsafe)
  else if (const char* h = std::getenv("HOME"); h && *h) path = std::string(h) + "/.docker/config.json";  // NOLINT(concurrency-mt-unsafe)
  if (path.empty()) return true;
  bool exists = false, found = false;
  std::string text = read_whole(path, exists);
  if (!exists) return true;
  if (!parse_docker_config(text, authority, out, found, error)) {
    error = path + ": " + error;
    return false;
  }
  if (found) out.source = path;
  return true;
}

bool OciClient::fetch_token(const Challenge& c, const std::string& scope, std::string& token, Error& error) {
  auto realm = c.params.find("realm");
  if (realm == c.params.end() || realm->second.empty()) {
    error = {ErrorKind::Denied, "the registry asked for a bearer token but named no token service (realm)"};
    return false;
  }
  http::Url url;
  std::string why;
  if (!http::parse_url(realm->second, url, why)) return (error = {ErrorKind::Denied, why}), false;
  // Credentials go to the token service only over TLS, or to loopback (tests, a local
  // registry), or with --insecure, exactly as to the registry itself.
  if (!http::check_transport(url, endpoint_.insecure, why)) {
    error = {ErrorKind::Denied, "the token service " + realm->second.substr(0, 200) + ": " + why};
    return false;
  }
  std::string q = realm->second + (realm->second.find('?') == std::string::npos ? "?" : "&");
  if (auto s = c.params.find("service"); s != c.params.end()) q += "service=" + url_encode(s->second) + "&";
  q += "scope=" + url_encode(scope);
  http::Request req;
  req.url = q;
  req.max_body_bytes = kMaxTokenAnswerBytes;
  if (credentials_.present()) req.headers.emplace_back("Authorization", basic_authorization());
  http::Response r = exchange(req, http::Backoff{6, std::chrono::milliseconds(100), std::chrono::milliseconds(5000)});
  if (r.status != 200) {
    error = {kind_of_http_status(r.status),
             "the token service at " + url.authority() + " refused (" + (r.status ? "HTTP " + std::to_string(r.status) : r.error) + ")" +
                 (credentials_.present() ? "" : "; no credentials were given (--username, REGPOL_REGISTRY_USERNAME or the Docker config)")};
    return false;
  }
  long expires = 60;
  if (!parse_token_answer(r.body, token, expires)) {
    error = {ErrorKind::Denied, "the token service's answer has no token"};
    return false;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  // Renew a little early: a token that expires in flight costs a 401 and a retry.
  tokens_[scope] = {token, std::chrono::steady_clock::now() + std::chrono::seconds(std::max(1L, expires - 10))};
  return true;
}

std::string OciClient::basic_authorization() const {
  return "Basic " + base64_encode(credentials_.username + ":" + credentials_.password);
}

http::Response OciClient::exchange(const http::Request& request, const http::Backoff& backoff) {
  thread_local http::Client client;  // one kept-alive connection per worker thread
  int attempts = 0;
  http::Response r = http::send_with_retries(client, [&] { return request; }, retryable, backoff, &attempts);
  calls_ += attempts;
  return r;
}

bool OciClient::send(const std::string& method, const std::string& path, const std::string& accept, const std::string& scope,
                     OciResponse& out, Error& error, std::size_t max_body) {
  out = OciResponse{};
  for (int round = 0; round < 3; ++round) {
    std::string auth;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = tokens_.find(scope);
      if (it != tokens_.end() && it->second.second > std::chrono::steady_clock::now()) auth = "Bearer " + it->second.first;
      else if (basic_ && credentials_.present())
        auth = basic_authorization();
    }
    http::Request req;
    req.method = method;
    req.url = endpoint_.base() + path;
    req.max_body_bytes = max_body;
    if (!accept.empty()) req.headers.emplace_back("Accept", accept);
    if (!auth.empty()) req.headers.emplace_back("Authorization", auth);
    http::Response r = exchange(req, kRegistryBackoff);
    if (r.status == 0) {
      // An answer over its bound is not worth asking again: it is the registry's doing.
      error = {r.too_large ? ErrorKind::BadInput : ErrorKind::Retryable, method + " " + path + ": " + r.error};
      return false;
    }
    if (r.status == 401 && round < 2) {
      Challenge c;
      if (!parse_challenge(r.header("www-authenticate"), c)) {
        error = {ErrorKind::Denied, method + " " + path + ": HTTP 401 without a readable WWW-Authenticate challenge"};
        return false;
      }
      if (c.scheme == "basic") {
        if (!credentials_.present()) {
          error = {ErrorKind::Denied, method + " " + path +
                                           ": the registry needs credentials (--username with --password-stdin, REGPOL_REGISTRY_USERNAME/"
                                           "REGPOL_REGISTRY_PASSWORD, or the Docker config file)"};
          return false;
        }
        std::lock_guard<std::mutex> lock(mutex_);
        if (basic_) break;  // the credentials were sent and refused
        basic_ = true;
        continue;
      }
      if (c.scheme == "bearer") {
        std::string token, s = c.params.count("scope") ? c.params["scope"] : scope;
        {
          // A token for this scope that was just refused: asking again gives the same one.
          std::lock_guard<std::mutex> lock(mutex_);
          if (round > 0 && auth.rfind("Bearer ", 0) == 0 && s == scope) tokens_.erase(scope);
        }
        if (!fetch_token(c, s, token, error)) return false;
        if (s != scope) {
          std::lock_guard<std::mutex> lock(mutex_);
          tokens_[scope] = tokens_[s];
        }
        continue;
      }
      error = {ErrorKind::Denied, method + " " + path + ": unsupported authentication scheme `" + c.scheme.substr(0, 40) + "`"};
      return false;
    }
    out.status = r.status;
    out.body = std::move(r.body);
    out.content_type = r.header("content-type");
    out.digest = r.header("docker-content-digest");
    out.link_next = next_link(r.header("link"));
    out.location = r.header("location");
    if (r.status == 401 || r.status == 403) {
      error = {ErrorKind::Denied,
               method + " " + path + ": " + registry_error(out) + (credentials_.present() ? " (credentials from " + credentials_.source + ")" : "")};
      return false;
    }
    return true;
  }
  error = {ErrorKind::Denied, method + " " + path + ": HTTP 401: the registry refused the credentials" +
                                   (credentials_.present() ? " from " + credentials_.source : std::string())};
  return false;
}

bool OciClient::list_pages(const std::string& first, const std::string& key, const std::string& scope, std::vector<std::string>& out,
                           bool& exists, Error& error) {
  out.clear();
  exists = true;
  std::string next = first;
  std::set<std::string> seen;  // every page asked for: a Link back to one of them loops
  for (std::size_t page = 0; !next.empty(); ++page) {
    if (!seen.insert(next).second) {
      error = {ErrorKind::BadInput, "GET " + next + ": the registry's Link header leads back to a page already read: its pagination never ends"};
      return false;
    }
    if (page >= kMaxListPages || out.size() > kMaxListedNames) {
      error = {ErrorKind::BadInput, "GET " + first + ": more than " + std::to_string(kMaxListPages) + " pages or " + std::to_string(kMaxListedNames) + " " + key +
              " (a bound: docs/limits.md)"};
      return false;
    }
    OciResponse r;
    if (!send("GET", next, "application/json", scope, r, error)) return false;
    if (r.status == 404 && key == "tags") {
      exists = false;
      return true;
    }
    if (r.status != 200) {
      error = {kind_of_http_status(static_cast<int>(r.status)), "GET " + next + ": " + registry_error(r)};
      return false;
    }
    json doc = json::parse(r.body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
      error = {ErrorKind::BadInput, "GET " + next + ": the answer is not a JSON object"};
      return false;
    }
    auto it = doc.find(key);
    if (it != doc.end() && it->is_array()) {
      for (const auto& v : *it) {
        if (!v.is_string()) {
          error = {ErrorKind::BadInput, "GET " + next + ": `" + key + "` holds a non-string"};
          return false;
        }
        out.push_back(v.get<std::string>());
      }
    } else if (it != doc.end() && !it->is_null()) {
      error = {ErrorKind::BadInput, "GET " + next + ": `" + key + "` is not an array"};
      return false;
    }
    // A next link is relative to the registry; one that leaves it is not followed (it would
    // carry our credentials elsewhere).
    next = r.link_next;
    if (next.rfind(endpoint_.base() + "/", 0) == 0) next = next.substr(endpoint_.base().size());
    if (!next.empty() && next[0] != '/') {
      error = {ErrorKind::BadInput, "GET " + first + ": a Link header points away from the registry"};
      return false;
    }
  }
  return true;
}

namespace {

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// One path component: [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*
bool valid_component(std::string_view c) {
  if (c.empty() || !lower_alnum(c.front()) || !lower_alnum(c.back())) return false;
  for (std::size_t i = 0; i < c.size();) {
    if (lower_alnum(c[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < c.size() && !lower_alnum(c[j])) ++j;
    std::string_view sep = c.substr(i, j - i);
    bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (sep != "." && sep != "_" && sep != "__" && !dashes) return false;
    i = j;
  }
  return true;
}

}  // namespace

bool valid_repository_name(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  for (std::size_t b = 0; b <= name.size();) {
    std::size_t e = name.find('/', b);
    if (e == std::string_view::npos) e = name.size();
    if (!valid_component(name.substr(b, e - b))) return false;
    b = e + 1;
  }
  return true;
}

bool valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  auto word = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; };
  if (!word(tag[0])) return false;
  for (char c : tag) {
    if (!word(c) && c != '.' && c != '-') return false;
  }
  return true;
}

bool checked_reference(const std::string& repository, const std::string& reference, std::string& error) {
  if (!valid_repository_name(repository)) {
    error = json(repository.substr(0, 200)).dump() + " is not a repository name (no request was sent)";
    return false;
  }
  if (!valid_tag(reference) && !image::valid_digest(reference)) {
    error = repository + ": " + json(reference.substr(0, 200)).dump() + " is neither a tag nor a digest (no request was sent)";
    return false;
  }
  return true;
}

bool OciClient::catalog(std::vector<std::string>& out, Error& error) {
  bool exists = true;
  std::vector<std::string> all;
  if (!list_pages("/v2/_catalog?n=1000", "repositories", "registry:catalog:*", all, exists, error)) return false;
  out.clear();
  for (auto& name : all) {
    if (!valid_repository_name(name)) {
      error = {ErrorKind::BadInput, "GET /v2/_catalog: the registry lists a repository named " + json(name.substr(0, 200)).dump() +
              ", which is not a repository name (nothing was read from it)"};
      return false;
    }
    // oci://HOST/team reads team/… ; oci://HOST/team/app reads that repository (and any below it).
    if (endpoint_.prefix.empty() || name == endpoint_.prefix || name.rfind(endpoint_.prefix + "/", 0) == 0) out.push_back(std::move(name));
  }
  return true;
}

bool OciClient::tags(const std::string& repository, std::vector<std::string>& out, bool& exists, Error& error) {
  if (!valid_repository_name(repository)) {
    error = {ErrorKind::BadInput, json(repository.substr(0, 200)).dump() + " is not a repository name"};
    return false;
  }
  if (!list_pages("/v2/" + repository + "/tags/list?n=1000", "tags", "repository:" + repository + ":pull", out, exists, error)) return false;
  for (const auto& t : out) {
    if (!valid_tag(t)) {
      // Refused before any request is built from it.
      error = {ErrorKind::BadInput, "GET /v2/" + repository + "/tags/list: the registry lists a tag " + json(t.substr(0, 200)).dump() +
              ", which is not a tag name (nothing was read by it)"};
      return false;
    }
  }
  return true;
}

bool OciClient::manifest(const std::string& repository, const std::string& reference, OciResponse& out, bool& found, Error& error) {
  found = false;
  if (std::string why; !checked_reference(repository, reference, why)) {
    error = {ErrorKind::BadInput, why};
    return false;
  }
  std::string path = "/v2/" + repository + "/manifests/" + reference;
  if (!send("GET", path, image::manifest_accept(), "repository:" + repository + ":pull", out, error, kMaxManifestBytes)) return false;
  if (out.status == 404) return true;
  if (out.status != 200) {
    error = {kind_of_http_status(static_cast<int>(out.status)), "GET " + path + ": " + registry_error(out)};
    return false;
  }
  // The digest is the hash of the bytes served: checked, never trusted.
  std::string actual = "sha256:" + sha256_hex(out.body);
  if ((image::valid_digest(reference) && reference != actual) || (!out.digest.empty() && out.digest != actual)) {
    error = {ErrorKind::BadInput, "GET " + path + ": the manifest's bytes hash to " + actual + ", not to the digest the registry gave"};
    return false;
  }
  out.digest = actual;
  found = true;
  return true;
}

bool OciClient::manifest_digest(const std::string& repository, const std::string& reference, std::string& digest, bool& found,
                                Error& error) {
  found = false;
  digest.clear();
  if (std::string why; !checked_reference(repository, reference, why)) {
    error = {ErrorKind::BadInput, why};
    return false;
  }
  std::string path = "/v2/" + repository + "/manifests/" + reference;
  OciResponse r;
  if (!send("HEAD", path, image::manifest_accept(), "repository:" + repository + ":pull", r, error)) return false;
  if (r.status == 404) return true;
  if (r.status != 200) {
    error = {kind_of_http_status(static_cast<int>(r.status)), "HEAD " + path + ": HTTP " + std::to_string(r.status)};
    return false;
  }
  found = true;
  if (image::valid_digest(r.digest)) digest = r.digest;
  return true;
}

bool OciClient::blob(const std::string& repository, const std::string& digest, std::string& out, Error& error) {
  std::string path = "/v2/" + repository + "/blobs/" + digest;
  OciResponse r;
  if (!send("GET", path, "", "repository:" + repository + ":pull", r, error, kMaxConfigBlobBytes)) return false;
  if ((r.status == 301 || r.status == 302 || r.status == 303 || r.status == 307 || r.status == 308) && !r.location.empty()) {
    // Registries on object storage (S3, GCS, Azure) redirect blob downloads to a signed
    // URL. It is followed once, without our credentials (the URL carries its own), and
    // only over TLS (or to loopback, or with --insecure).
    std::string target = r.location[0] == '/' ? endpoint_.base() + r.location : r.location;
    http::Url url;
    if (std::string why; !http::parse_url(target, url, why) || !http::check_transport(url, endpoint_.insecure, why)) {
      error = {ErrorKind::Refused, "GET " + path + ": redirected to " + target.substr(0, 200) + ": " + why};
      return false;
    }
    http::Response redirected = exchange(http::Request{"GET", target, {}, "", 60000, 5000, kMaxConfigBlobBytes}, kRegistryBackoff);
    if (redirected.status != 200) {
      error = {redirected.too_large ? ErrorKind::BadInput : kind_of_http_status(static_cast<int>(redirected.status)),
               "GET " + path + ": the redirect to " + url.authority() + " answered " +
                   (redirected.status ? "HTTP " + std::to_string(redirected.status) : redirected.error)};
      return false;
    }
    r.status = 200;
    r.body = std::move(redirected.body);
  }
  if (r.status != 200) {
    error = {kind_of_http_status(static_cast<int>(r.status)), "GET " + path + ": " + registry_error(r)};
    return false;
  }
  if ("sha256:" + sha256_hex(r.body) != digest) {
    error = {ErrorKind::BadInput, "GET " + path + ": the blob's bytes do not hash to its digest"};
    return false;
  }
  out = std::move(r.body);
  return true;
}

bool OciClient::referrers(const std::string& repository, const std::string& digest, std::string& index_body, bool& supported,
                          Error& error) {
  std::string path = "/v2/" + repository + "/referrers/" + digest;
  OciResponse r;
  supported = false;
  if (!send("GET", path, image::kOciIndex, "repository:" + repository + ":pull", r, error, kMaxManifestBytes)) return false;
  if (r.status == 404 || r.status == 405 || r.status == 400) return true;
  if (r.status != 200) {
    error = {kind_of_http_status(static_cast<int>(r.status)), "GET " + path + ": " + registry_error(r)};
    return false;
  }
  supported = r.content_type.rfind(image::kOciIndex, 0) == 0 || r.body.find("\"manifests\"") != std::string::npos;
  index_body = std::move(r.body);
  return true;
}

// DELETE `path`: true when the registry accepted it (202, 200) or had nothing there (404:
// `gone`); false with `error` set when it could not be sent, false with `error` empty and
// the answer in `r` otherwise (the caller says what that status means).
bool OciClient::send_delete(const std::string& repository, const std::string& path, OciResponse& r, bool& gone, Error& error) {
  gone = false;
  error = {};
  if (!send("DELETE", path, "", "repository:" + repository + ":delete", r, error)) return false;
  if (r.status == 404) gone = true;
  return r.status == 202 || r.status == 200 || r.status == 404;
}

bool OciClient::delete_manifest(const std::string& repository, const std::string& digest, bool& gone, Error& error) {
  std::string why;
  if (!image::valid_digest(digest) || !checked_reference(repository, digest, why)) {
    error = {ErrorKind::BadInput, why.empty() ? json(digest.substr(0, 200)).dump() + " is not a digest" : why};
    return false;
  }
  std::string path = "/v2/" + repository + "/manifests/" + digest;
  OciResponse r;
  if (send_delete(repository, path, r, gone, error)) return true;
  if (error) return false;
  error = {kind_of_http_status(r.status),
           "DELETE " + path + ": " + registry_error(r) + (r.status == 405 ? " (the registry has deletion disabled: storage.delete.enabled)" : "")};
  return false;
}

bool OciClient::delete_tag(const std::string& repository, const std::string& tag, bool& gone, Error& error) {
  std::string why;
  if (!valid_tag(tag) || !checked_reference(repository, tag, why)) {
    error = {ErrorKind::BadInput, why.empty() ? json(tag.substr(0, 200)).dump() + " is not a tag" : why};
    return false;
  }
  std::string path = "/v2/" + repository + "/manifests/" + tag;
  OciResponse r;
  if (send_delete(repository, path, r, gone, error)) return true;
  if (error) return false;
  if (r.status == 400 || r.status == 405) {
    error = {ErrorKind::Refused, "DELETE " + path + ": " + registry_error(r) +
                                     " (the registry does not delete tags: Distribution before 3.0 deletes manifests by digest only; the image keeps its tags)"};
    return false;
  }
  error = {kind_of_http_status(r.status), "DELETE " + path + ": " + registry_error(r)};
  return false;
}

}  // namespace regpol::oci
