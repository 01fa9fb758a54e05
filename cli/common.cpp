// The options several commands share, turned into what the driver takes.
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "util/time.h"

namespace regpol::cli {

CompileOptions compile_options(const Args& args) {
  CompileOptions o;
  if (auto root = args.get("--import-root")) o.import_root = *root;
  return o;
}

Shard shard_option(const Args& args) {
  auto text = args.get("--shard");
  if (!text) return {};
  auto s = Shard::parse(*text);
  if (!s) throw UsageError{"--shard needs I/N with 0 <= I < N <= 10000 (e.g. 0/4 … 3/4), not `" + *text + "`"};
  return *s;
}

PolicyInputs policy_inputs(const Args& args, bool repository_option) {
  PolicyInputs in;
  in.compile = compile_options(args);
  in.in_use = args.all("--in-use");
  in.strict_in_use = args.has("--strict-in-use");
  in.max_in_use_age = duration_option(args, "--max-in-use-age");
  if (repository_option) in.repository = args.get("--repository").value_or("");
  in.shard = shard_option(args);
  return in;
}

std::optional<Micros> duration_option(const Args& args, const char* name) {
  auto text = args.get(name);
  if (!text) return std::nullopt;
  auto d = parse_duration_option(*text);
  if (!d) throw UsageError{std::string(name) + " needs a duration such as 10s, 30m, 6h, 2d or 1w, not `" + *text + "`"};
  return d;
}

void log_format_option(const Args& args, std::optional<JsonLogLines>& json_log) {
  const std::string format = args.get("--log-format").value_or("text");
  if (format == "json") json_log.emplace(std::cerr);
  else if (format != "text") throw UsageError{"--log-format takes text or json, not `" + format + "`"};
}

std::string exit_codes_help(std::string_view one, std::string_view four, std::string_view five) {
  std::string out = "Exit codes:\n  0  success\n";
  if (!one.empty()) out += "  1  " + std::string(one) + "\n";
  out += "  2  usage error\n  3  bad input (unreadable or malformed policy, snapshot or request)\n";
  out += "  4  " + (four.empty() ? std::string("internal error (also: an output that could not be written, such as a full disk)") : std::string(four)) + "\n";
  if (!five.empty()) out += "  5  " + std::string(five) + "\n";
  return out;
}

unsigned proof_timeout_option(const Args& args) {
  const auto t = args.get("--timeout");
  if (!t) return 2000;
  if (t->empty() || t->size() > 7 || t->find_first_not_of("0123456789") != std::string::npos || std::stoul(*t) == 0)
    throw UsageError{"--timeout takes milliseconds (1 to 9999999)"};
  return static_cast<unsigned>(std::stoul(*t));
}

}  // namespace regpol::cli
