#include "registry/http/http_client.h"

#include "registry/http/curl_library.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cctype>
#include <mutex>
#include <random>
#include <thread>

namespace regpol::http {

namespace {

// steady_clock ticks since its epoch; 0: no deadline.
std::atomic<long long> process_deadline{0};

// The milliseconds left before the process deadline (LLONG_MAX when none).
long long deadline_left_ms() {
  long long d = process_deadline.load();
  if (d == 0) return LLONG_MAX;
  auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::duration(d - now)).count();
}

// What the callbacks fill, with the bounds they keep.
struct Transfer {
  Response* response;
  std::size_t max_body;
  std::size_t header_bytes = 0;
};

// Returning less than given makes libcurl stop the transfer (CURLE_WRITE_ERROR).
std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  if (t->response->body.size() + size * n > t->max_body) {
    t->response->too_large = true;
    return 0;
  }
  t->response->body.append(data, size * n);
  return size * n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* raw) {
  auto* t = static_cast<Transfer*>(raw);
  t->header_bytes += size * n;
  if (t->header_bytes > kMaxHeaderBytes) {
    t->response->too_large = true;
    return 0;
  }
  Response* user = t->response;
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon), value = line.substr(colon + 1);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(value.begin());
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
    user->headers.emplace_back(std::move(name), std::move(value));
  } else if (line.rfind("HTTP/", 0) == 0) {
    user->headers.clear();  // a new response (after a 100 Continue)
  }
  return size * n;
}

}  // namespace

void set_process_deadline(std::chrono::steady_clock::time_point at) { process_deadline = at.time_since_epoch().count(); }

bool process_deadline_passed() { return deadline_left_ms() <= 0; }

std::string Response::header(const std::string& lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return v;
  }
  return "";
}

Client::Client() {
  const CurlLibrary& curl = curl_library();
  curl_ = curl.error.empty() ? curl.easy_init() : nullptr;
}

Client::~Client() {
  if (curl_) curl_library().easy_cleanup(static_cast<CURL*>(curl_));
}

Response Client::send(const Request& r) {
  Response out;
  CURL* c = static_cast<CURL*>(curl_);
  const CurlLibrary& curl = curl_library();
  if (!c) {
    out.error = curl.error.empty() ? "cannot start an HTTP client" : curl.error;
    return out;
  }
  const long long left = deadline_left_ms();
  if (left <= 0) {
    out.error = "the deadline (--deadline) passed";
    return out;
  }
  curl.easy_reset(c);
  curl.easy_setopt(c, CURLOPT_URL, r.url.c_str());
  curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl.easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(std::min<long long>(r.timeout_ms, left)));
  curl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, r.connect_timeout_ms);
  curl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl.easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, kLowSpeedBytesPerSecond);
  curl.easy_setopt(c, CURLOPT_LOW_SPEED_TIME, kLowSpeedSeconds);
  Transfer transfer{&out, r.max_body_bytes};
  curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl.easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl.easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl.easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
  curl.easy_setopt(c, CURLOPT_USERAGENT, "regpol");
  if (r.method == "GET") {
    curl.easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (r.method == "HEAD") {
    curl.easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    curl.easy_setopt(c, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    if (r.method != "DELETE" || !r.body.empty()) {
      curl.easy_setopt(c, CURLOPT_POSTFIELDS, r.body.data());
      curl.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    }
  }
  curl_slist* headers = nullptr;
  // No "Expect: 100-continue" round trip; no Accept default beyond what is given.
  headers = curl.slist_append(headers, "Expect:");
  for (const auto& [k, v] : r.headers) headers = curl.slist_append(headers, (k + ": " + v).c_str());
  curl.easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  CURLcode rc = curl.easy_perform(c);
  curl.slist_free_all(headers);
  if (rc != CURLE_OK) {
    out.status = 0;
    out.error = out.too_large ? "the answer passed its size bound (" + std::to_string(r.max_body_bytes) + " bytes of body, " +
                                    std::to_string(kMaxHeaderBytes) + " of headers; docs/limits.md)"
              : rc == CURLE_OPERATION_TIMEDOUT && process_deadline_passed() ? "the deadline (--deadline) passed while waiting for an answer"
                                                                                              : curl.easy_strerror(rc);
    out.body.clear();
    out.body.shrink_to_fit();
    return out;
  }
  curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
  return out;
}

std::string Url::authority() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return port.empty() ? h : h + ":" + port;
}

bool parse_url(const std::string& text, Url& out, std::string& error) {
  auto sep = text.find("://");
  if (sep == std::string::npos) {
    error = "`" + text + "` is not a URL (expected https://HOST[:PORT][/PATH])";
    return false;
  }
  out.scheme = text.substr(0, sep);
  for (auto& c : out.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (out.scheme != "http" && out.scheme != "https") {
    error = "`" + text + "`: only https:// (or http:// to a loopback address) is supported";
    return false;
  }
  std::string rest = text.substr(sep + 3);
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out.path = slash == std::string::npos ? "/" : rest.substr(slash);
  if (authority.find('@') != std::string::npos) {
    error = "`" + text + "`: credentials in a URL are not accepted";
    return false;
  }
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos) {
      error = "`" + text + "`: unclosed IPv6 address";
      return false;
    }
    out.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') out.port = authority.substr(close + 2);
  } else {
    auto colon = authority.rfind(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos) out.port = authority.substr(colon + 1);
  }
  for (auto& c : out.host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (out.host.empty() || (!out.port.empty() && (out.port.size() > 5 || !std::all_of(out.port.begin(), out.port.end(), ::isdigit)))) {
    error = "`" + text + "`: a host (and a numeric port) is needed";
    return false;
  }
  return true;
}

bool is_loopback_host(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  if (host.rfind("127.", 0) != 0) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') ++dots;
    else if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return dots == 3;
}

bool check_transport(const Url& url, bool allow_insecure, std::string& error) {
  if (url.scheme == "https" || allow_insecure || is_loopback_host(url.host)) return true;
  error = "plain http:// to " + url.host + " is refused (only loopback addresses, or with --insecure): credentials and registry data would cross the network unencrypted";
  return false;
}

std::chrono::milliseconds Backoff::delay(int attempt) const {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  long long ceiling = base.count();
  for (int i = 0; i < attempt && ceiling < cap.count(); ++i) ceiling *= 2;
  ceiling = std::min<long long>(ceiling, cap.count());
  return std::chrono::milliseconds(std::uniform_int_distribution<long long>(0, ceiling)(rng));
}

Response send_with_retries(Client& client, const std::function<Request()>& make, const std::function<bool(const Response&)>& retryable,
                           const Backoff& backoff, int* attempts) {
  Response r;
  const auto started = std::chrono::steady_clock::now();
  for (int attempt = 1;; ++attempt) {
    r = client.send(make());
    if (attempts) *attempts = attempt;
    if (r.too_large || !retryable(r) || attempt >= backoff.max_attempts || process_deadline_passed()) return r;
    auto wait = backoff.delay(attempt);
    if (std::chrono::steady_clock::now() + wait - started > backoff.deadline) {
      r.error += " (gave up after " + std::to_string(attempt) + " attempts in " +
                 std::to_string(std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count()) + " s)";
      return r;
    }
    std::this_thread::sleep_for(wait);
  }
}

}  // namespace regpol::http
