#pragma once
// A failure with its kind, so that callers decide what to do on the kind and never on the
// wording of a message (apply once searched the text for "HTTP " to tell a refusal from a
// transport failure, and recorded a 503 after retries as a final failure of that image).
#include <string>
#include <utility>

namespace regpol {

enum class ErrorKind {
  None,
  BadInput,   // what the caller gave is wrong (a malformed digest, a document that does not parse)
  Refused,    // the other side understood this request and said no to it (deletion disabled, a 4xx)
  Denied,     // the other side refused the caller, whatever it asks (credentials, permissions)
  Retryable,  // the other side could not answer now (transport, throttling, 5xx after the retries)
  Internal,   // a defect of regpol
};

struct Error {
  ErrorKind kind = ErrorKind::None;
  std::string message;

  Error() = default;
  Error(ErrorKind k, std::string m) : kind(k), message(std::move(m)) {}
  explicit operator bool() const { return kind != ErrorKind::None; }
  bool retryable() const { return kind == ErrorKind::Retryable; }
};

// The kind of an HTTP answer that is not a success: throttling and server errors are worth
// trying again later, 401 and 403 refuse the caller, any other status answers the request.
inline ErrorKind kind_of_http_status(int status) {
  if (status == 0 || status == 408 || status == 429 || status >= 500) return ErrorKind::Retryable;
  if (status == 401 || status == 403) return ErrorKind::Denied;
  return ErrorKind::Refused;
}

}  // namespace regpol
