#pragma once
// `--log-format json`: every line a command writes on stderr becomes one JSON object,
// {"time": RFC 3339, "level": "error" | "warning" | "info", "message": "…"}, for log
// collectors that parse lines (Kubernetes, CloudWatch, Loki). The level comes from the
// line's own prefix (`regpol: error: `, `regpol: warning: `); the text is unchanged.
#include <iosfwd>
#include <memory>
#include <streambuf>

namespace regpol {

// While it lives, `stream` (std::cerr) writes JSON lines; the previous buffer is restored,
// with an unfinished line written out, when it ends.
class JsonLogLines {
 public:
  explicit JsonLogLines(std::ostream& stream);
  ~JsonLogLines();
  JsonLogLines(const JsonLogLines&) = delete;
  JsonLogLines& operator=(const JsonLogLines&) = delete;

 private:
  std::ostream& stream_;
  std::streambuf* previous_;
  std::unique_ptr<std::streambuf> filter_;
};

// One line (without its newline) as the JSON object above, with its newline.
std::string json_log_line(const std::string& line, const std::string& time);

}  // namespace regpol
