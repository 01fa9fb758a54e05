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

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  long timeout_ms = 30000;
  long connect_timeout_ms = 5000;
};

struct Response {
  long status = 0;         // 0: no HTTP answer (see `error`)
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string error;       // a transport error ("connection refused", "timed out")
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
  // The delay before attempt `attempt` (1-based retry count): uniform in [0, min(cap, base·2^attempt)].
  std::chrono::milliseconds delay(int attempt) const;
};

// Sends `make()`'s request until `retryable(response)` is false or the attempts run out,
// sleeping Backoff::delay between attempts. `make` is called for every attempt (a signed
// request must be signed again: its date moves).
Response send_with_retries(Client& client, const std::function<Request()>& make, const std::function<bool(const Response&)>& retryable,
                           const Backoff& backoff = {}, int* attempts = nullptr);

}  // namespace regpol::http
