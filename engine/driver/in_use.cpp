#include "driver/in_use.h"

#include <iostream>
#include <map>

#include "driver/exit_code.h"
#include "util/text.h"
#include "util/time.h"

namespace regpol {

int read_in_use(const std::vector<std::string>& files, const Registry& registry, const InUseChecks& checks, LifecycleOptions& options,
                InUseReading& out) {
  out.identity = registry_identity(registry);
  for (const auto& file : files) {
    std::string error;
    if (!load_in_use_file(file, registry, out.identity, out.set, error)) return fail(kBadInput, error);
  }
  for (const auto& u : out.set.unmatched)
    std::cerr << "regpol: warning: " << u.where << ": in-use reference `" << u.reference << "` matches no image of the snapshot ("
              << u.why << ")\n";
  if (!out.set.elsewhere.empty()) {
    std::map<std::string, std::size_t> hosts;  // "docker.io" -> count, for one line
    for (const auto& e : out.set.elsewhere) hosts[e.host] += 1;
    std::string list;
    for (const auto& [host, n] : hosts) list += (list.empty() ? "" : ", ") + host + " " + std::to_string(n);
    std::cerr << "regpol: in use: " << plural(out.set.elsewhere.size(), "reference") << " name other registries than "
              << out.identity.describe() << " (" << list << "); they protect nothing in this snapshot\n";
  }
  if (checks.max_age) {
    for (const auto& file : out.set.files) {
      const Micros read_at = file.read_at;
      if (read_at == kNoTime || options.now - read_at > *checks.max_age)
        return fail(kBadInput, file.path + ": read at " + (read_at == kNoTime ? std::string("an unknown time") : format_timestamp(read_at)) +
                                   ", more than --max-in-use-age " + format_duration_option(*checks.max_age) + " before " +
                                   format_timestamp(options.now) + "; nothing was evaluated (read what runs again)");
    }
  }
  if (checks.strict && !out.set.unmatched.empty())
    return fail(kBadInput, plural(out.set.unmatched.size(), "in-use reference") + " matched no image (--strict-in-use); nothing was evaluated");
  options.in_use.merge(out.set.keys(registry));
  return kOk;
}

}  // namespace regpol
