#pragma once
// The OCI Distribution API (distribution-spec v1.1) over HTTP: catalog and tag lists
// (Link pagination), manifests by tag or digest (digests verified against the bytes),
// blobs, the referrers API, and DELETE of manifests. Authentication as the spec and
// Docker do it: anonymous first; on 401 the WWW-Authenticate challenge says Basic (send
// the credentials) or Bearer (ask the token service at `realm` for the `scope`, with the
// credentials if there are any, and cache the token per scope until it expires).
// 429, 5xx and dropped connections are retried with full-jitter backoff. Safe to call from
// several threads: each thread has its own connection.
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"
#include "registry/http/http_client.h"
#include "registry/oci/auth.h"

namespace regpol::oci {

// Bounds on what a registry may send (docs/limits.md).
constexpr std::size_t kMaxManifestBytes = std::size_t{4} << 20;    // Distribution's own limit for a manifest
constexpr std::size_t kMaxConfigBlobBytes = std::size_t{8} << 20;  // an image config
constexpr std::size_t kMaxTokenAnswerBytes = std::size_t{1} << 20;
constexpr std::size_t kMaxListPages = 100'000;                     // of a catalog or tag list
constexpr std::size_t kMaxListedNames = 1'000'000;                 // repositories, or tags of one repository

// Names checked before any URL is built from them (the OCI distribution spec's grammar):
// a repository is lower-case path components of [a-z0-9] joined by `.`, `_`, `__` or
// dashes; a tag is [A-Za-z0-9_][A-Za-z0-9._-]{0,127}. Nothing else (`..`, `?`, `%`, CR/LF)
// reaches a request.
bool valid_repository_name(std::string_view name);
bool valid_tag(std::string_view tag);
// False with `error` unless `repository` is a repository name and `reference` a tag or a
// digest: checked before a manifest URL is built from them.
bool checked_reference(const std::string& repository, const std::string& reference, std::string& error);

// oci://HOST[:PORT][/PREFIX]: https, or http for a loopback host (or anywhere with --insecure).
struct OciEndpoint {
  std::string scheme, authority, prefix;  // prefix without slashes at either end, "" for none
  bool insecure = false;                  // --insecure: plain http allowed off loopback (registry and token service)
  std::string base() const { return scheme + "://" + authority; }
  std::string address() const { return "oci://" + authority + (prefix.empty() ? "" : "/" + prefix); }
};
bool parse_oci_address(const std::string& text, bool insecure, OciEndpoint& out, std::string& error);

struct OciResponse {
  long status = 0;
  std::string body, content_type, digest;  // digest: Docker-Content-Digest
  std::string link_next;                   // the rel="next" Link target, if any
  std::string location;                    // a redirect's Location
};

class OciClient {
 public:
  OciClient(OciEndpoint endpoint, RegistryCredentials credentials) : endpoint_(std::move(endpoint)), credentials_(std::move(credentials)) {}
  const OciEndpoint& endpoint() const { return endpoint_; }

  // Every repository of the catalog under the prefix (the prefix itself, or below it). False with `error`.
  bool catalog(std::vector<std::string>& out, Error& error);
  // Every tag of `repository`; `exists` is false (and the list empty) for an unknown repository.
  bool tags(const std::string& repository, std::vector<std::string>& out, bool& exists, Error& error);
  // Each read fails with its kind (util/error.h): Retryable when the registry could not
  // answer now (transport, throttling, 5xx after the retries), Denied for refused
  // credentials, BadInput for an answer out of bounds or not what it claims to be, Refused
  // for any other answer that is not a success.
  // A manifest by tag or digest; the answer's digest is checked against its bytes (and
  // against `reference` when that is a digest). `found` is false on 404.
  bool manifest(const std::string& repository, const std::string& reference, OciResponse& out, bool& found, Error& error);
  // The digest `reference` (a tag) names, from a HEAD's Docker-Content-Digest; "" when
  // the registry does not say (then GET the manifest). `found` is false on 404.
  bool manifest_digest(const std::string& repository, const std::string& reference, std::string& digest, bool& found, Error& error);
  // A blob's bytes, checked against `digest`.
  bool blob(const std::string& repository, const std::string& digest, std::string& out, Error& error);
  // GET /v2/<name>/referrers/<digest>: `supported` is false when the registry does not
  // offer the API (404 without an index, as Distribution 2.8 answers).
  bool referrers(const std::string& repository, const std::string& digest, std::string& index_body, bool& supported, Error& error);
  // DELETE /v2/<name>/manifests/<digest>: `gone` is true when it was already gone (404).
  bool delete_manifest(const std::string& repository, const std::string& digest, bool& gone, Error& error);
  // DELETE /v2/NAME/manifests/TAG: removes the tag, the manifest stays (the OCI spec's tag
  // deletion). `gone`: the tag was not there. Registries without it (Distribution before
  // 3.0 answers 400 DIGEST_INVALID, others 405) give a Refused error that says so.
  bool delete_tag(const std::string& repository, const std::string& tag, bool& gone, Error& error);

  long calls() const { return calls_; }

 private:
  // One request with authentication and retries. `scope` is the token scope to ask for
  // when the registry challenges without one.
  // A failure has its kind: Retryable for transport, throttling and server errors (of the
  // registry or its token service), Refused for what the registry or token service said no to.
  bool send(const std::string& method, const std::string& path_and_query, const std::string& accept, const std::string& scope,
            OciResponse& out, Error& error, std::size_t max_body = http::kDefaultMaxBody);
  // One request (retried, on this thread's connection), counted in calls().
  http::Response exchange(const http::Request& request, const http::Backoff& backoff);
  std::string basic_authorization() const;
  bool send_delete(const std::string& repository, const std::string& path, OciResponse& r, bool& gone, Error& error);
  bool fetch_token(const Challenge& c, const std::string& scope, std::string& token, Error& error);
  // Follows Link headers; `key` is the array in each page ("repositories", "tags").
  bool list_pages(const std::string& first, const std::string& key, const std::string& scope, std::vector<std::string>& out,
                  bool& exists, Error& error);

  OciEndpoint endpoint_;
  RegistryCredentials credentials_;
  std::mutex mutex_;  // guards the two members below
  std::map<std::string, std::pair<std::string, std::chrono::steady_clock::time_point>> tokens_;  // scope -> token, expiry
  bool basic_ = false;  // the registry asked for Basic: send it up front
  std::atomic<long> calls_{0};
};

// Reads credentials as interfaces.md orders them: --username (with --password-stdin's
// text), then REGPOL_REGISTRY_USERNAME/REGPOL_REGISTRY_PASSWORD, then the Docker config
// file ($DOCKER_CONFIG/config.json, else ~/.docker/config.json). None is fine (anonymous).
bool resolve_credentials(const std::string& authority, const std::string& flag_username, const std::string* flag_password,
                         RegistryCredentials& out, std::string& error);

}  // namespace regpol::oci
