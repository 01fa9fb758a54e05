#include "registry/aws/ecr_client.h"

#include <chrono>
#include <set>
#include <ctime>
#include <thread>

#include "registry/aws/sigv4.h"
#include "registry/http/http_client.h"
#include "util/redact.h"

namespace regpol::aws {

namespace {

std::string amz_date_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

bool is_throttling(const std::string& type) {
  return type == "ThrottlingException" || type == "Throttling" || type == "TooManyRequestsException" ||
         type == "RequestLimitExceeded" || type == "ServerException" || type == "ServiceUnavailableException";
}

bool is_expired(const std::string& type) {
  return type == "ExpiredTokenException" || type == "ExpiredToken" || type == "RequestExpired";
}

bool is_denial(const std::string& type) {
  return type == "AccessDeniedException" || type == "UnrecognizedClientException" || type == "InvalidSignatureException" ||
         type == "MissingAuthenticationTokenException" || type == "IncompleteSignature" || is_expired(type);
}

}  // namespace

ErrorKind kind_of_ecr_error(long status, const std::string& type, bool retryable) {
  if (retryable) return ErrorKind::Retryable;
  if (is_denial(type)) return ErrorKind::Denied;
  return kind_of_http_status(static_cast<int>(status));
}

std::string ecr_error_type(const nlohmann::json& body) {
  if (!body.is_object() || !body.contains("__type") || !body["__type"].is_string()) return "";
  std::string t = body["__type"].get<std::string>();
  auto hash = t.rfind('#');
  return hash == std::string::npos ? t : t.substr(hash + 1);
}

std::unique_ptr<EcrClient> EcrClient::create(const EcrEndpoint& endpoint, CredentialChain& credentials, std::string& error,
                                             const AwsJsonService& service) {
  if (endpoint.region.empty()) {
    error = "no AWS region: give --region, or set AWS_REGION (or a profile's region)";
    return nullptr;
  }
  std::string url = endpoint.endpoint_url.empty() ? "https://" + std::string(service.host_prefix) + endpoint.region + ".amazonaws.com/" : endpoint.endpoint_url;
  http::Url parsed;
  if (!http::parse_url(url, parsed, error) || !http::check_transport(parsed, false, error)) {
    error = "--endpoint-url: " + error;
    return nullptr;
  }
  return std::unique_ptr<EcrClient>(new EcrClient(endpoint, url, parsed.authority(), credentials, service));
}

bool EcrClient::call(const std::string& operation, nlohmann::json input, nlohmann::json& output, EcrError& error) {
  const bool ecr = std::string_view(service_.signing_name) == "ecr";
  if (ecr && !endpoint_.registry_id.empty() && operation != "ListTagsForResource" && !input.contains("registryId")) input["registryId"] = endpoint_.registry_id;
  Signed request;
  request.method = "POST";
  request.path = "/";
  request.body = input.dump();
  request.headers = {{"Content-Type", "application/x-amz-json-1.1"}, {"X-Amz-Target", service_.target_prefix + operation}};
  return send(operation, request, output, error);
}

bool EcrClient::get(const std::string& label, const std::string& path, const std::vector<std::pair<std::string, std::string>>& query,
                    nlohmann::json& output, EcrError& error, const std::vector<std::pair<std::string, std::string>>& headers) {
  Signed request;
  request.method = "GET";
  request.path = path;
  request.query = query;
  request.headers = headers;
  return send(label, request, output, error);
}

bool EcrClient::send(const std::string& operation, const Signed& request, nlohmann::json& output, EcrError& error) {
  thread_local http::Client client;
  std::string url = url_;
  if (request.path != "/") {
    while (!url.empty() && url.back() == '/') url.pop_back();
    url += uri_encode(request.path, true);
  }
  for (std::size_t i = 0; i < request.query.size(); ++i)
    url += (i ? "&" : "?") + uri_encode(request.query[i].first, false) + "=" + uri_encode(request.query[i].second, false);
  bool refreshed = false;
  http::Backoff backoff;
  backoff.max_attempts = endpoint_.max_attempts;
  const auto started = std::chrono::steady_clock::now();
  for (int attempt = 1;; ++attempt) {
    Credentials creds;
    std::string why;
    if (!credentials_.get(creds, why)) {
      error = {"", why, 0, ErrorKind::Denied};
      return false;
    }
    SigningRequest s;
    s.method = request.method;
    s.path = request.path;
    s.query = request.query;
    s.body = request.body;
    std::string date = amz_date_now();
    s.headers = request.headers;
    s.headers.emplace_back("Host", host_);
    s.headers.emplace_back("X-Amz-Date", date);
    if (!creds.session_token.empty()) s.headers.emplace_back("X-Amz-Security-Token", creds.session_token);
    SigningKeyParts k{creds.access_key_id, creds.secret_access_key, creds.session_token, endpoint_.region, service_.signing_name, date};
    http::Request r;
    r.method = request.method;
    r.url = url;
    for (const auto& h : s.headers) {
      if (h.first != "Host") r.headers.push_back(h);
    }
    r.headers.emplace_back("Authorization", authorization(s, k));
    r.body = request.body;
    ++calls_;
    http::Response resp = client.send(r);
    nlohmann::json doc = nlohmann::json::parse(resp.body.empty() ? std::string("{}") : resp.body, nullptr, false);
    if (resp.status == 200 && !doc.is_discarded()) {
      output = std::move(doc);
      return true;
    }
    std::string type = doc.is_discarded() ? "" : ecr_error_type(doc);
    if (type.empty()) {
      // REST services name the error in a header: "ResourceNotFoundException:http://…".
      type = resp.header("x-amzn-errortype");
      type = type.substr(0, type.find(':'));
    }
    std::string message = !doc.is_discarded() && doc.is_object() && doc.contains("message") && doc["message"].is_string()
                              ? doc["message"].get<std::string>()
                              : (!doc.is_discarded() && doc.is_object() && doc.contains("Message") && doc["Message"].is_string() ? doc["Message"].get<std::string>() : "");
    message = redact_credentials(message);  // AWS's words may echo what we sent
    if (is_expired(type) && !refreshed) {
      refreshed = true;
      credentials_.invalidate();
      continue;
    }
    bool retry = !resp.too_large && (resp.status == 0 || resp.status == 429 || resp.status >= 500 || is_throttling(type));
    auto wait = backoff.delay(attempt);
    bool late = std::chrono::steady_clock::now() + wait - started > backoff.deadline || http::process_deadline_passed();
    if (!retry || attempt >= backoff.max_attempts || late) {
      error.status = resp.status;
      error.type = type;
      // An answer over its bound is not retried, and is not the endpoint's verdict either.
      error.kind = resp.too_large ? ErrorKind::BadInput : kind_of_ecr_error(resp.status, type, retry);
      error.message = operation + ": " +
                      (resp.status == 0 ? resp.error
                                        : "HTTP " + std::to_string(resp.status) + (type.empty() ? "" : " " + type) + (message.empty() ? "" : ": " + message)) +
                      (retry ? " (after " + std::to_string(attempt) + " attempts)" : "");
      return false;
    }
    std::this_thread::sleep_for(wait);
  }
}

bool follow_pages(const std::string& label, const std::string& token_key,
                  const std::function<bool(const std::string& token, nlohmann::json& page, EcrError& error)>& fetch,
                  const std::function<PageVerdict(nlohmann::json& page, EcrError& error)>& take, EcrError& error) {
  std::set<std::string> tokens;  // every token seen: one given twice would page forever
  std::string token;
  for (std::size_t pages = 1;; ++pages) {
    nlohmann::json page;
    if (!fetch(token, page, error)) return false;
    switch (take(page, error)) {
      case PageVerdict::Fail: return false;
      case PageVerdict::Enough: return true;
      case PageVerdict::More: break;
    }
    auto next = page.is_object() ? page.find(token_key) : page.end();
    if (next == page.end() || !next->is_string() || next->get<std::string>().empty()) return true;
    token = next->get<std::string>();
    if (token.size() > kMaxNextTokenBytes || !tokens.insert(token).second) {
      error = {"", label + ": the endpoint " + (token.size() > kMaxNextTokenBytes ? "sent an oversized " + token_key : "sent a " + token_key + " it had sent before") +
                       " on page " + std::to_string(pages) + ": its pagination never ends",
               0, ErrorKind::BadInput};
      return false;
    }
  }
}

std::function<PageVerdict(nlohmann::json& page, EcrError& error)> append_items(const std::string& label, const std::string& key,
                                                                                std::vector<nlohmann::json>& out) {
  return [label, key, &out](nlohmann::json& page, EcrError& error) {
    if (page.is_object() && page.contains(key) && page[key].is_array()) {
      for (auto& x : page[key]) out.push_back(std::move(x));
    }
    if (out.size() <= kMaxListedItems) return PageVerdict::More;
    error = {"", label + ": more than " + std::to_string(kMaxListedItems) + " " + key + " (a bound: docs/limits.md)", 0, ErrorKind::BadInput};
    return PageVerdict::Fail;
  };
}

bool EcrClient::call_all(const std::string& operation, const nlohmann::json& input, const std::string& list_key, std::vector<nlohmann::json>& out,
                         EcrError& error) {
  auto fetch = [&](const std::string& token, nlohmann::json& page, EcrError& e) {
    nlohmann::json page_input = input;
    if (!token.empty()) page_input["nextToken"] = token;
    return call(operation, std::move(page_input), page, e);
  };
  return follow_pages(operation, "nextToken", fetch, append_items(operation, list_key, out), error);
}

}  // namespace regpol::aws
