#include "driver/in_use_pull.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <tuple>

#include "driver/exit_code.h"
#include "inuse/in_use_file.h"
#include "registry/aws/workloads.h"
#include "util/atomic_file.h"
#include "util/text.h"
#include "util/time.h"

namespace regpol {

int pull_in_use(const InUsePullRequest& request) {
  if (!request.replace && std::filesystem::exists(request.out))
    return fail(kUsage, request.out + " exists (--replace to overwrite it)");
  const bool ecs = request.service == "ecs";
  std::vector<std::string> regions = request.regions;
  if (regions.empty()) regions.emplace_back();  // the region the profile or environment names
  InUseDocument doc;
  doc.source = request.service;
  doc.read_at = current_time();  // before the first call: what runs was read no earlier than this
  aws::WorkloadReadStats stats;
  for (const auto& region : regions) {
    EcrConnection connection;
    std::string error;
    if (!open_aws_json({region, "", request.profile, request.endpoint_url}, ecs ? aws::kEcsService : aws::kLambdaService, connection, error))
      return fail(kUsage, error);
    std::vector<aws::RunningImage> images;
    aws::EcrError failure;
    const bool ok = ecs ? aws::read_ecs_images(*connection.client, {request.active_revisions, request.jobs}, images, stats, failure)
                        : aws::read_lambda_images(*connection.client, request.jobs, images, stats, failure);
    if (!ok) {
      const std::string what = request.service + " in " + connection.client->endpoint().region + ": " + failure.message + "; nothing was written";
      return fail(failure.kind == ErrorKind::Retryable ? kInternal : kBadInput, what);
    }
    doc.regions.push_back(connection.client->endpoint().region);
    for (auto& i : images) doc.images.push_back({std::move(i.image), std::move(i.digest), std::move(i.user)});
  }
  // One line per (image, digest, user), sorted: the same workloads give the same file.
  auto fields = [](const InUseEntry& e) { return std::tie(e.image, e.digest, e.user); };
  std::sort(doc.images.begin(), doc.images.end(), [&](const InUseEntry& a, const InUseEntry& b) { return fields(a) < fields(b); });
  doc.images.erase(std::unique(doc.images.begin(), doc.images.end(), [&](const InUseEntry& a, const InUseEntry& b) { return fields(a) == fields(b); }),
                   doc.images.end());
  if (std::string error = write_file_atomically(request.out, in_use_document_text(doc)); !error.empty()) return fail(kInternal, error);
  std::cerr << "regpol: " << request.out << ": " << plural(doc.images.size(), "image reference") << " from "
            << (ecs ? plural(stats.clusters, "cluster") + ", " + plural(stats.services, "service") + ", " + plural(stats.tasks, "task") + ", " +
                          plural(stats.task_definitions, "task definition")
                    : plural(stats.functions, "function") + " (" + plural(stats.versions, "version") + ")")
            << " in " << plural(doc.regions.size(), "region") << " (" << stats.calls << " calls)\n";
  return kOk;
}

}  // namespace regpol
