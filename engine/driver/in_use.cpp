#include "driver/in_use.h"

#include <iostream>
#include <map>

#include "driver/exit_code.h"
#include "util/text.h"

namespace regpol {

int read_in_use(const std::vector<std::string>& files, const Registry& registry, bool strict, LifecycleOptions& options,
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
    for (const auto& e : out.set.elsewhere) {
      ImageReference ref;
      std::string ignored;
      hosts[parse_image_reference(e.reference, ref, ignored) ? ref.host : "?"] += 1;
    }
    std::string list;
    for (const auto& [host, n] : hosts) list += (list.empty() ? "" : ", ") + host + " " + std::to_string(n);
    std::cerr << "regpol: in use: " << plural(out.set.elsewhere.size(), "reference") << " name other registries than "
              << out.identity.describe() << " (" << list << "); they protect nothing in this snapshot\n";
  }
  if (strict && !out.set.unmatched.empty())
    return fail(kBadInput, plural(out.set.unmatched.size(), "in-use reference") + " matched no image (--strict-in-use); nothing was evaluated");
  for (const auto& [image, users] : out.set.users)
    options.in_use.insert(in_use_key(registry.repo_name(registry.images[image]), registry.str(registry.images[image].digest)));
  return kOk;
}

}  // namespace regpol
