#pragma once
// HTTP for the registry clients (libcurl): one request at a time per client object (one
// per worker thread), TLS verification always on, timeouts on every call, and retries with
// full-jitter exponential backoff for what the caller calls retryable (throttling, 5xx,
// dropped connections). Plain http:// only to a loopback address (tests, a local
// registry) unless the caller allows it explicitly.
#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace regpol::http {

// What one answer may be, whatever a registry or endpoint sends (docs/limits.md): past a
// bound the transfer is cut and the answer refused, never kept growing in memory.
constexpr std::size_t kDefaultMaxBody = std::size_t{16} << 20;   // JSON API answers, tag list pages
constexpr std::size_t kMaxHeaderBytes = std::size_t{64} << 10;   // all of an answer's header lines
constexpr long kLowSpeedBytesPerSecond = 1024;                   // slower than this …
constexpr long kLowSpeedSeconds = 20;                            // … for this long: cut, as a timeout

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  long timeout_ms = 30000;
  long connect_timeout_ms = 5000;
  std::size_t max_body_bytes = kDefaultMaxBody;
};

struct Response {
  long status = 0;         // 0: no HTTP answer (see `error`)
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string error;       // a transport error ("connection refused", "timed out")
  bool too_large = false;  // the body or headers passed their bound: refused, never retried
  std::string header(const std::string& lower_name) const;
};

class Client {
 public:
  Client();
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  Response send(const Request& request);

 private:
  void* curl_;
};

// A deadline for everything this process sends (`snapshot pull --deadline`): a request
// past it is not sent, one under way is cut when it comes, and no retry starts after it.
void set_process_deadline(std::chrono::steady_clock::time_point at);
bool process_deadline_passed();

// The parts of an http(s) URL.
struct Url {
  std::string scheme, host, port, path;  // host without brackets; path "/" when empty
  std::string authority() const;         // host[:port], bracketed for IPv6
};
bool parse_url(const std::string& text, Url& out, std::string& error);
// True for 127.0.0.0/8, ::1 and localhost.
bool is_loopback_host(const std::string& host);
// https://, or http:// to a loopback host (or anywhere with `allow_insecure`); else false
// with the reason.
bool check_transport(const Url& url, bool allow_insecure, std::string& error);

struct Backoff {
  int max_attempts = 8;
  std::chrono::milliseconds base{100}, cap{20000};
  // No new attempt starts after this long since the first (a registry that answers slowly
  // or not at all cannot hold a request for attempts × timeout).
  std::chrono::milliseconds deadline{120000};
  // The delay before attempt `attempt` (1-based retry count): uniform in [0, min(cap, base·2^attempt)].
  std::chrono::milliseconds delay(int attempt) const;
};

// Sends `make()`'s request until `retryable(response)` is false, the attempts run out or the
// deadline passes (an answer over its size bound is never retried),
// sleeping Backoff::delay between attempts. `make` is called for every attempt (a signed
// request must be signed again: its date moves).
Response send_with_retries(Client& client, const std::function<Request()>& make, const std::function<bool(const Response&)>& retryable,
                           const Backoff& backoff = {}, int* attempts = nullptr);

}  // namespace regpol::http
