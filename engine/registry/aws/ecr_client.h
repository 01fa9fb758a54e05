#pragma once
// The Amazon ECR API over its JSON 1.1 protocol (POST /, X-Amz-Target:
// AmazonEC2ContainerRegistry_V20150921.<Operation>, SigV4 with signing name `ecr`), and
// any other AWS service of that protocol (EventBridge) through an AwsJsonService.
// Safe to call from several threads: each thread has its own HTTP connection.
// Retries throttling (ThrottlingException, HTTP 429), 5xx and dropped connections with
// full-jitter backoff; an expired token refreshes the credentials once and retries.
#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "registry/aws/credentials.h"
#include "registry/json_fields.h"
#include "util/error.h"

namespace regpol::aws {

// An AWS service of the JSON 1.1 protocol: its SigV4 signing name, its X-Amz-Target
// prefix, and its regional host (PREFIX + REGION + ".amazonaws.com").
struct AwsJsonService {
  const char* signing_name;
  const char* target_prefix;
  const char* host_prefix;
};
inline constexpr AwsJsonService kEcrService{"ecr", "AmazonEC2ContainerRegistry_V20150921.", "api.ecr."};
inline constexpr AwsJsonService kEventBridgeService{"events", "AWSEvents.", "events."};
inline constexpr AwsJsonService kEcsService{"ecs", "AmazonEC2ContainerServiceV20141113.", "ecs."};
// Lambda speaks REST-JSON (GET with the operation in the path): no target, EcrClient::get.
inline constexpr AwsJsonService kLambdaService{"lambda", "", "lambda."};
// STS's query API, read as JSON (Accept: application/json) through EcrClient::get.
inline constexpr AwsJsonService kStsService{"sts", "", "sts."};

struct EcrEndpoint {
  std::string region;
  std::string registry_id;   // "" for the caller's own registry
  std::string endpoint_url;  // "" for https://api.ecr.REGION.amazonaws.com
  int max_attempts = 8;      // per call, the first included (resolve_max_attempts)
};

// Bounds on a paginated answer (docs/limits.md): items over all pages, and one nextToken.
constexpr std::size_t kMaxListedItems = 1'000'000;
constexpr std::size_t kMaxNextTokenBytes = 64 << 10;

struct EcrError {
  std::string type;     // the exception name (RepositoryNotFoundException, …), or "" for a transport error
  std::string message;  // never contains credentials
  long status = 0;
  // What the caller may do about it (util/error.h): Retryable (transport, throttling, 5xx
  // after the retries), Denied (no credentials, or ECR refuses them or their permissions),
  // Refused (ECR answered this request with a no), BadInput (an answer out of bounds).
  ErrorKind kind = ErrorKind::None;
};

// The kind of an ECR error answer (status, exception name) that outlasted the retries.
ErrorKind kind_of_ecr_error(long status, const std::string& type, bool retryable);

// What a page's reader says after taking a page's items: read the next page, stop here (the
// caller has what it needs), or fail (the reader set the error).
enum class PageVerdict { More, Enough, Fail };

// Follows a paginated list, one page at a time: `fetch(token, page, error)` reads the page
// after `token` ("" for the first), `take(page, error)` takes its items. Ends at a page
// without a token (`token_key`: nextToken, NextMarker); a token sent before (the pagination
// would never end) or larger than kMaxNextTokenBytes ends it with an error naming `label`.
bool follow_pages(const std::string& label, const std::string& token_key,
                  const std::function<bool(const std::string& token, nlohmann::json& page, EcrError& error)>& fetch,
                  const std::function<PageVerdict(nlohmann::json& page, EcrError& error)>& take, EcrError& error);

// A `take` for follow_pages that appends each page's array at `key` to `out`, and fails
// past kMaxListedItems items.
std::function<PageVerdict(nlohmann::json& page, EcrError& error)> append_items(const std::string& label, const std::string& key,
                                                                                std::vector<nlohmann::json>& out);

class EcrClient {
 public:
  // False with `error` when the endpoint is not acceptable (plain http off loopback).
  // `service`: ECR, or another service of the same protocol (then `registry_id` is unused).
  static std::unique_ptr<EcrClient> create(const EcrEndpoint& endpoint, CredentialChain& credentials, std::string& error,
                                           const AwsJsonService& service = kEcrService);

  // One operation; `output` is the response document. False with `error`.
  bool call(const std::string& operation, nlohmann::json input, nlohmann::json& output, EcrError& error);

  // One GET of a REST-JSON service (Lambda): `path` and `query` not yet URI-encoded (names
  // in the path must not hold '/'); `label` names it in errors. Retried and signed as `call`.
  bool get(const std::string& label, const std::string& path, const std::vector<std::pair<std::string, std::string>>& query,
           nlohmann::json& output, EcrError& error, const std::vector<std::pair<std::string, std::string>>& headers = {});

  // Every page of a paginated list operation (nextToken), concatenating `list_key`; a
  // nextToken seen before, or more than kMaxListedItems items, ends it with an error.
  bool call_all(const std::string& operation, const nlohmann::json& input, const std::string& list_key, std::vector<nlohmann::json>& out,
                EcrError& error);

  const EcrEndpoint& endpoint() const { return endpoint_; }
  long calls() const { return calls_; }

 private:
  struct Signed {
    std::string method, path, body;
    std::vector<std::pair<std::string, std::string>> query, headers;  // headers: besides Host, X-Amz-Date, the token
  };
  bool send(const std::string& operation, const Signed& request, nlohmann::json& output, EcrError& error);

  EcrClient(EcrEndpoint e, std::string url, std::string host, CredentialChain& c, const AwsJsonService& service)
      : endpoint_(std::move(e)), url_(std::move(url)), host_(std::move(host)), credentials_(c), service_(service) {}
  EcrEndpoint endpoint_;
  std::string url_, host_;
  CredentialChain& credentials_;
  AwsJsonService service_;
  std::atomic<long> calls_{0};
};

// Members of an AWS answer, read without trusting their types (registry/json_fields.h).
using registry::json_bool;
using registry::json_string;

// "RepositoryNotFoundException" from "com.amazonaws.ecr#RepositoryNotFoundException".
std::string ecr_error_type(const nlohmann::json& body);

}  // namespace regpol::aws
