#include "apply/oci_target.h"

#include <mutex>

#include "registry/oci/oci_pull.h"
#include "snapshot/reader.h"
#include "util/parallel.h"

namespace regpol {

std::string OciTarget::mismatch(const SnapshotOrigin& origin) const {
  if (origin.source.empty()) return "";
  const auto& e = client_->endpoint();
  if (origin.source.rfind("oci://", 0) != 0) return "the snapshot is of " + origin.source + ", but the target is the OCI registry " + e.address();
  // The registry is its authority (host and port); prefixes may differ: every action is
  // bounded by the target's own prefix (in_scope).
  std::string authority = origin.source.substr(6, origin.source.find('/', 6) == std::string::npos ? std::string::npos : origin.source.find('/', 6) - 6);
  if (authority != e.authority) return "the snapshot is of " + origin.source + ", but the target is " + e.address();
  return "";
}

bool OciTarget::in_scope(const std::string& repository) const {
  const std::string& prefix = client_->endpoint().prefix;
  return prefix.empty() || repository == prefix || repository.rfind(prefix + "/", 0) == 0;
}

bool OciTarget::read(const std::string& repository, Registry& out, Error& error) {
  std::vector<oci::OciImage> images;
  bool exists = true;
  if (Error e; !oci::read_repository(*client_, repository, images, exists, referrers_api_, e, nullptr, jobs_)) {
    error = std::move(e);
    return false;
  }
  std::string document = oci::snapshot_document(client_->endpoint().address(), current_time(), {repository}, {images}, {});
  LoadError e;
  if (!load_json_snapshot_text(client_->endpoint().address() + "/" + repository, document, out, e) || !finish_registry(out, e, 1)) {
    error = {ErrorKind::BadInput, e.to_string()};  // the registry answered what no snapshot holds
    return false;
  }
  return true;
}

bool OciTarget::apply(const RunKey&, ActionKind kind, const std::string& repository, const std::vector<const ActionRecord*>& batch,
                      std::vector<TargetAnswer>& answers, Error& error) {
  answers.assign(batch.size(), TargetAnswer{});
  if (kind == ActionKind::Untag) return untag(repository, batch, answers, error);
  if (kind != ActionKind::Delete) {
    for (auto& a : answers) a = {ActionStatus::Skipped, "skipped", "a Distribution registry has no archive storage class"};
    return true;
  }
  // The batch's deletes go `jobs` at a time (the journal holds the whole batch as sent
  // either way). What is not about one image (transport, throttling and server errors after
  // the retries, refused credentials or permissions) stops the run, which resumes later and
  // reads the repository again, as on ECR; the registry's refusal of one image is its answer.
  std::mutex error_mutex;
  Error transport_error;
  parallel_for(batch.size(), jobs_, [&](std::size_t i, unsigned) {
    bool gone = false;
    Error e;
    if (!client_->delete_manifest(repository, batch[i]->digest, gone, e)) {
      if (e.kind == ErrorKind::Retryable || e.kind == ErrorKind::Denied) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!transport_error) transport_error = e;
        return;
      }
      answers[i] = {ActionStatus::Failed, "failed", e.message};
      return;
    }
    answers[i] = gone ? TargetAnswer{ActionStatus::AlreadyDone, "already-gone", "DELETE manifest: 404 (already gone)"}
                      : TargetAnswer{ActionStatus::Done, "deleted", "DELETE manifest: 202 Accepted"};
  });
  if (!transport_error) return true;
  error = transport_error;
  return false;
}

// Tag removals, one tag at a time: each tag must still name the planned image right before
// its DELETE (HEAD by tag), so a tag moved onto another image since the recheck is left
// alone. A registry without tag deletion refuses the action, which fails with its reason.
bool OciTarget::untag(const std::string& repository, const std::vector<const ActionRecord*>& batch, std::vector<TargetAnswer>& answers,
                      Error& error) {
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const ActionRecord& a = *batch[i];
    std::size_t removed = 0;
    answers[i] = {};
    for (const auto& tag : a.untag) {
      std::string digest;
      bool found = false;
      Error e;
      if (!client_->manifest_digest(repository, tag, digest, found, e)) {
        if (e.kind == ErrorKind::Retryable || e.kind == ErrorKind::Denied) {
          error = e;
          return false;
        }
        answers[i] = {ActionStatus::Failed, "failed", e.message};
        break;
      }
      if (!found) continue;  // gone already
      if (digest != a.digest) {
        answers[i] = {ActionStatus::Skipped, "skipped", "tag " + tag + " names " + digest + " now, not the planned image"};
        break;
      }
      bool gone = false;
      if (!client_->delete_tag(repository, tag, gone, e)) {
        if (e.kind == ErrorKind::Retryable || e.kind == ErrorKind::Denied) {
          error = e;
          return false;
        }
        answers[i] = {ActionStatus::Failed, "failed", e.message};
        break;
      }
      removed += gone ? 0 : 1;
    }
    if (answers[i].event.empty())
      answers[i] = removed ? TargetAnswer{ActionStatus::Done, "untagged", "DELETE by tag: removed " + std::to_string(removed) + " tags"}
                           : TargetAnswer{ActionStatus::AlreadyDone, "already-untagged", "none of its tags were there"};
  }
  return true;
}

}  // namespace regpol
