#include "cli/args.h"

#include "diag/suggest.h"
#include "util/time.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <unistd.h>

namespace regpol::cli {

Args::Args(const std::vector<std::string>& argv, const std::set<std::string>& valued, const std::set<std::string>& switches) {
  bool only_positionals = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (only_positionals || a.size() < 2 || a[0] != '-' || a == "-") {
      positionals_.push_back(a);
      continue;
    }
    if (a == "--") {
      only_positionals = true;
      continue;
    }
    std::string name = a, value;
    bool inline_value = false;
    if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      inline_value = true;
    }
    if (name == "-h" && switches.count("--help")) name = "--help";  // every command's short help
    if (valued.count(name)) {
      if (!inline_value) {
        if (i + 1 >= argv.size()) throw UsageError{"option `" + name + "` needs a value"};
        value = argv[++i];
      }
      values_[name].push_back(value);
    } else if (switches.count(name)) {
      if (inline_value) throw UsageError{"option `" + name + "` takes no value"};
      switches_.insert(name);
    } else {
      std::vector<std::string> known(valued.begin(), valued.end());
      known.insert(known.end(), switches.begin(), switches.end());
      if (name == "-h") known.emplace_back("--help");
      auto near = closest_match(name, known);
      throw UsageError{"unknown option `" + name + "`" + (near ? " (did you mean `" + *near + "`?)" : std::string())};
    }
  }
}

std::optional<std::string> Args::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  // A single-valued option given twice is a mistake to report, never "the last one wins"
  // (two --policy files would silently become one). Repeatable options are read with all().
  if (it->second.size() > 1) {
    throw UsageError{"option `" + name + "` given " + std::to_string(it->second.size()) + " times; it takes one value"};
  }
  return it->second.front();
}

std::vector<std::string> Args::all(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

namespace {

template <typename T>
std::string range_text(T min, T max) {
  auto text = [](T v) {
    std::ostringstream out;
    out.precision(15);  // 1000000, not 1e+06
    out << v;
    return out.str();
  };
  return max == std::numeric_limits<T>::max() || max == std::numeric_limits<T>::infinity() ? "of " + text(min) + " or more"
                                                                                             : "from " + text(min) + " to " + text(max);
}

}  // namespace

std::optional<std::int64_t> integer_option(const Args& args, const std::string& name, std::int64_t min, std::int64_t max) {
  auto text = args.get(name);
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || ptr != end || value < min || value > max)
    throw UsageError{name + " needs a whole number " + range_text(min, max) + ", not `" + *text + "`"};
  return value;
}

std::optional<double> number_option(const Args& args, const std::string& name, double min, double max) {
  auto text = args.get(name);
  if (!text) return std::nullopt;
  double value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value) || value < min || value > max)
    throw UsageError{name + " needs a number " + range_text(min, max) + ", not `" + *text + "`"};
  return value;
}

std::vector<std::string> Args::given() const {
  std::set<std::string> names(switches_.begin(), switches_.end());
  for (const auto& [name, values] : values_) names.insert(name);
  return {names.begin(), names.end()};
}

std::int64_t now_option(const Args& args) {
  if (auto n = args.get("--now")) {
    auto t = parse_timestamp(*n);
    if (!t) throw UsageError{"--now needs an RFC 3339 instant with a zone, such as 2026-11-27T00:00:00Z"};
    return *t;
  }
  return current_time();
}

bool stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }

bool use_color() {
  const char* no = std::getenv("NO_COLOR");  // NOLINT(concurrency-mt-unsafe): read once; regpol never sets the environment
  return stdout_is_terminal() && (no == nullptr || *no == '\0');
}

}  // namespace regpol::cli
