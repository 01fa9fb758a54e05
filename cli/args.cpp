#include "cli/args.h"

#include "diag/suggest.h"
#include "util/time.h"

#include <cstdlib>
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
