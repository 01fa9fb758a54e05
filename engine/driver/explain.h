#pragma once
// `regpol explain`: one image of a snapshot, evaluated under a policy with every rule's
// verdict traced (report/explain_report.h renders it).
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "driver/compile.h"
#include "util/time.h"

namespace regpol {

struct ExplainRequest {
  std::string policy;
  std::vector<std::string> snapshots;
  std::string image;  // REPO:TAG or REPO@DIGEST
  Micros now = 0;
  std::vector<std::string> in_use;       // --in-use FILE…
  std::optional<Micros> max_in_use_age;  // --max-in-use-age
  CompileOptions compile;
};

// Writes the explanation to `out`; an exit code, errors said on stderr.
int explain_image(const ExplainRequest& request, std::ostream& out);

}  // namespace regpol
