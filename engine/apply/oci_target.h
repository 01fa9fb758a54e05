#pragma once
// `--target oci://HOST[:PORT][/PREFIX]`: an OCI Distribution registry. Each deletion is a
// DELETE of the manifest by digest (404: already gone), one call per image. A delete
// removes every tag on that digest, so before a run each repository is read again and an
// image whose tags changed since the snapshot (say, a kept tag moved onto it) is skipped.
// Distribution has no archive class: a transition is skipped with that answer. `jobs`
// requests go at once: the tags of a repository read again, the deletes of a batch.
// Blob space returns only after the registry's garbage collection (docs/registries.md).
#include <memory>

#include "apply/target.h"
#include "registry/oci/oci_client.h"

namespace regpol {

class OciTarget : public Target {
 public:
  explicit OciTarget(std::unique_ptr<oci::OciClient> client, unsigned jobs = 8) : client_(std::move(client)), jobs_(jobs) {}
  std::string name() const override { return client_->endpoint().address(); }
  std::size_t batch_size(ActionKind) const override { return 50; }
  std::string mismatch(const SnapshotOrigin& origin) const override;
  bool in_scope(const std::string& repository) const override;
  bool can_list() const override { return true; }
  bool read(const std::string& repository, Registry& out, Error& error) override;
  bool apply(const RunKey& run, ActionKind kind, const std::string& repository, const std::vector<const ActionRecord*>& batch,
             std::vector<TargetAnswer>& answers, Error& error) override;

 private:
  bool untag(const std::string& repository, const std::vector<const ActionRecord*>& batch, std::vector<TargetAnswer>& answers, Error& error);
  std::unique_ptr<oci::OciClient> client_;
  unsigned jobs_;
  bool referrers_api_ = true;
};

}  // namespace regpol
