#include "apply/ecr_target.h"

#include <algorithm>
#include <map>

#include "apply/recheck.h"
#include "interop/ecr_actions.h"
#include "registry/aws/ecr_pull.h"
#include "snapshot/reader.h"

namespace regpol {

using nlohmann::json;

std::string EcrTarget::name() const {
  const auto& e = client_->endpoint();
  return "ecr:" + e.region + "/" + (e.registry_id.empty() ? std::string("default") : e.registry_id) +
         (e.endpoint_url.empty() ? std::string() : "@" + e.endpoint_url);
}

std::string EcrTarget::mismatch(const SnapshotOrigin& origin) const {
  const auto& e = client_->endpoint();
  if (!origin.source.empty()) {
    if (origin.source.rfind("ecr:", 0) != 0) return "the snapshot is of " + origin.source + ", but the target is " + name();
    std::string rest = origin.source.substr(4);
    std::string region = rest.substr(0, rest.find('/'));
    std::string account = rest.find('/') == std::string::npos ? "" : rest.substr(rest.find('/') + 1);
    if (!region.empty() && region != e.region) return "the snapshot is of ECR in " + region + ", but the target is ECR in " + e.region;
    if (!account.empty() && !e.registry_id.empty() && account != e.registry_id)
      return "the snapshot is of registry " + account + ", but the target is registry " + e.registry_id;
  }
  if (!e.registry_id.empty()) {
    for (const auto& id : origin.registry_ids) {
      if (id != e.registry_id) return "the snapshot's repositories are in registry " + id + ", but the target is registry " + e.registry_id;
    }
  }
  return "";
}

namespace {

// An ECR error that stops the run, with its kind (one ECR did not classify is regpol's).
Error stop_error(const aws::EcrError& e) { return {e.kind == ErrorKind::None ? ErrorKind::Internal : e.kind, e.message}; }

}  // namespace

bool EcrTarget::read(const std::string& repository, Registry& out, Error& error) {
  std::vector<json> details;
  aws::EcrError e;
  if (!client_->call_all("DescribeImages", {{"repositoryName", repository}, {"maxResults", 1000}}, "imageDetails", details, e)) {
    if (e.type == "RepositoryNotFoundException") return true;  // gone, and its images with it
    error = stop_error(e);
    return false;
  }
  // The indexes' children too: what an index lists cannot go before it, and the order of
  // the run's requests depends on which images are indexes now.
  aws::IndexGraphStats graph;
  if (!aws::add_index_children(*client_, repository, details, graph, e)) {
    error = stop_error(e);
    return false;
  }
  // The answer read as the describe-images output it is (the snapshot reader's format 1).
  std::string document = json{{"imageDetails", details}}.dump();
  LoadError le;
  if (!load_json_snapshot_text(name() + "/" + repository, document, out, le) || !finish_registry(out, le, 1)) {
    error = {ErrorKind::BadInput, le.to_string()};  // ECR answered what no snapshot holds
    return false;
  }
  // The repository is on ECR: a fresh plan of it decides as a plan of a pulled snapshot
  // does (an untag of an image's last tag is its expiry there).
  out.source = aws::ecr_source(client_->endpoint().region, client_->endpoint().registry_id);
  return true;
}

// One image's tag removals: BatchDeleteImage by `imageTag`, at most 100 ids a request. The
// repository was read again right before (recheck.h), so each tag is still this image's.
// Removing an image's last tag deletes it on ECR: a plan that would do that expires the
// image instead (lifecycle/evaluate.h), and an action that would do it here is refused.
bool EcrTarget::untag(const std::string& repository, const ActionRecord& a, TargetAnswer& answer, Error& error) {
  if (tags_after_untag(a).empty()) {
    answer = {ActionStatus::Failed, "failed", "removing every tag of the image would delete it on ECR, and the plan did not delete it"};
    return true;
  }
  std::size_t removed = 0;
  for (std::size_t from = 0; from < a.untag.size(); from += kEcrBatchDeleteMaxIds) {
    const std::size_t to = std::min(a.untag.size(), from + kEcrBatchDeleteMaxIds);
    const std::vector<std::string> slice(a.untag.begin() + static_cast<std::ptrdiff_t>(from), a.untag.begin() + static_cast<std::ptrdiff_t>(to));
    const json input = ecr_batch_untag_request("", repository, slice);
    json out;
    aws::EcrError e;
    if (!client_->call("BatchDeleteImage", input, out, e)) {
      if (e.type == "RepositoryNotFoundException") {
        answer = {ActionStatus::Skipped, "skipped", "the repository is gone: nothing to untag"};
        return true;
      }
      error = stop_error(e);
      return false;
    }
    if (out.contains("imageIds") && out["imageIds"].is_array()) removed += out["imageIds"].size();
    if (out.contains("failures") && out["failures"].is_array()) {
      for (const auto& f : out["failures"]) {
        const std::string code = aws::json_string(f, "failureCode");
        if (code == "ImageNotFound") continue;  // the tag is gone already (a resumed run, or someone else)
        const std::string tag = f.contains("imageId") ? aws::json_string(f["imageId"], "imageTag") : "";
        answer = {ActionStatus::Failed, "failed", "BatchDeleteImage of tag " + tag + ": " + code + ": " + aws::json_string(f, "failureReason")};
        return true;
      }
    }
  }
  answer = removed ? TargetAnswer{ActionStatus::Done, "untagged", "BatchDeleteImage: removed " + std::to_string(removed) + " tags"}
                   : TargetAnswer{ActionStatus::AlreadyDone, "already-untagged", "BatchDeleteImage: ImageNotFound for every tag"};
  return true;
}

bool EcrTarget::apply(const RunKey&, ActionKind kind, const std::string& repository, const std::vector<const ActionRecord*>& batch,
                      std::vector<TargetAnswer>& answers, Error& error) {
  answers.assign(batch.size(), TargetAnswer{});
  aws::EcrError e;
  if (kind == ActionKind::Untag) {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (!untag(repository, *batch[i], answers[i], error)) return false;
    }
    return true;
  }
  if (kind == ActionKind::Delete) {
    json ids = json::array();
    for (const auto* a : batch) ids.push_back({{"imageDigest", a->digest}});
    json out;
    if (!client_->call("BatchDeleteImage", {{"repositoryName", repository}, {"imageIds", ids}}, out, e)) {
      if (e.type == "RepositoryNotFoundException") {
        answers.assign(batch.size(), {ActionStatus::AlreadyDone, "already-gone", "the repository is gone"});
        return true;
      }
      error = stop_error(e);
      return false;
    }
    std::map<std::string, TargetAnswer> by_digest;
    if (out.contains("imageIds") && out["imageIds"].is_array()) {
      for (const auto& id : out["imageIds"]) by_digest[aws::json_string(id, "imageDigest")] = {ActionStatus::Done, "deleted", "BatchDeleteImage: deleted"};
    }
    if (out.contains("failures") && out["failures"].is_array()) {
      for (const auto& f : out["failures"]) {
        std::string digest = f.contains("imageId") ? aws::json_string(f["imageId"], "imageDigest") : "";
        std::string code = aws::json_string(f, "failureCode"), reason = aws::json_string(f, "failureReason");
        if (code == "ImageNotFound") {
          by_digest[digest] = {ActionStatus::AlreadyDone, "already-gone", "BatchDeleteImage: ImageNotFound"};
        } else if (code == "ImageReferencedByManifestList") {
          // An index lists it now (one the snapshot did not know, pushed since or archived
          // and unreadable): the registry keeps it, as regpol would have.
          by_digest[digest] = {ActionStatus::Skipped, "skipped", "BatchDeleteImage: ImageReferencedByManifestList: an index lists it (" + reason + ")"};
        } else {
          by_digest[digest] = {ActionStatus::Failed, "failed", "BatchDeleteImage: " + code + ": " + reason};
        }
      }
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      auto it = by_digest.find(batch[i]->digest);
      answers[i] = it != by_digest.end() ? it->second
                                         : TargetAnswer{ActionStatus::Failed, "failed", "BatchDeleteImage: neither deleted nor a failure"};
    }
    return true;
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    json out;
    json input = {{"repositoryName", repository}, {"imageId", {{"imageDigest", batch[i]->digest}}}, {"targetStorageClass", "ARCHIVE"}};
    if (client_->call("UpdateImageStorageClass", input, out, e)) {
      answers[i] = {ActionStatus::Done, "transitioned", "UpdateImageStorageClass: " + aws::json_string(out, "imageStatus", "ARCHIVED")};
    } else if (e.type == "ImageNotFoundException" || e.type == "RepositoryNotFoundException") {
      answers[i] = {ActionStatus::Skipped, "skipped", "UpdateImageStorageClass: " + e.type + ": nothing to move"};
    } else if (e.kind == ErrorKind::Refused) {
      // ECR's answer about this image; throttling that outlasted the retries (a 400 too)
      // and refused credentials stop the run instead, to be resumed.
      answers[i] = {ActionStatus::Failed, "failed", e.message};
    } else {
      error = stop_error(e);
      return false;
    }
  }
  return true;
}

}  // namespace regpol
