#include "apply/oci_target.h"

#include "registry/oci/oci_pull.h"

namespace regpol {

bool OciTarget::list(const std::string& repository, std::vector<TargetImage>& out, std::string& error) {
  out.clear();
  std::vector<oci::OciImage> images;
  bool exists = true;
  if (!oci::read_repository(*client_, repository, images, exists, referrers_api_, error)) return false;
  for (auto& img : images) out.push_back({img.digest, img.tags, "standard"});
  return true;
}

bool OciTarget::apply(std::int64_t, ActionKind kind, const std::string& repository, const std::vector<const ActionRecord*>& batch,
                      std::vector<TargetAnswer>& answers, std::string& error) {
  answers.assign(batch.size(), TargetAnswer{});
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (kind != ActionKind::Delete) {
      answers[i] = {ActionStatus::Skipped, "skipped", "a Distribution registry has no archive storage class"};
      continue;
    }
    bool gone = false;
    std::string e;
    if (!client_->delete_manifest(repository, batch[i]->digest, gone, e)) {
      // A transport failure stops the run (it resumes later); a refusal is this image's answer.
      if (e.find("HTTP ") == std::string::npos) {
        error = e;
        return false;
      }
      answers[i] = {ActionStatus::Failed, "failed", e};
      continue;
    }
    answers[i] = gone ? TargetAnswer{ActionStatus::AlreadyDone, "already-gone", "DELETE manifest: 404 (already gone)"}
                      : TargetAnswer{ActionStatus::Done, "deleted", "DELETE manifest: 202 Accepted"};
  }
  return true;
}

}  // namespace regpol
