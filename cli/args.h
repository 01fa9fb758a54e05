#pragma once
// A small, strict command-line parser: `--name value`, `--name=value`, boolean switches and
// positionals. Anything unknown is a usage error (exit code 2), never silently ignored.
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "driver/exit_code.h"

namespace regpol::cli {

struct UsageError {
  std::string message;
};

class Args {
 public:
  // `valued`: options that take a value (repeatable ones collect every value);
  // `switches`: options without a value.
  Args(const std::vector<std::string>& argv, const std::set<std::string>& valued, const std::set<std::string>& switches);

  bool has(const std::string& name) const { return values_.count(name) || switches_.count(name); }
  // The value of a single-valued option; a UsageError when it was given more than once.
  std::optional<std::string> get(const std::string& name) const;
  // Every value of a repeatable option (--snapshot), in order.
  std::vector<std::string> all(const std::string& name) const;
  const std::vector<std::string>& positionals() const { return positionals_; }
  // The names of the options given (valued and switches), sorted.
  std::vector<std::string> given() const;

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::set<std::string> switches_;
  std::vector<std::string> positionals_;
};

// A whole-number option in [min, max], nullopt when absent. Anything else (`4x`, `-1`, a
// number out of range) is a usage error that names the option, the range and the text.
std::optional<std::int64_t> integer_option(const Args& args, const std::string& name, std::int64_t min,
                                           std::int64_t max = std::numeric_limits<std::int64_t>::max());
// The same for a decimal number (finite).
std::optional<double> number_option(const Args& args, const std::string& name, double min,
                                    double max = std::numeric_limits<double>::infinity());

// --now as an instant (RFC 3339 with a zone), or the current time when absent.
std::int64_t now_option(const Args& args);

bool stdout_is_terminal();
bool use_color();

}  // namespace regpol::cli
