#pragma once
// `--target ecr`: Amazon ECR through its API. Deletions go out as BatchDeleteImage (100
// image ids a call, ECR's limit), each `failures` entry judged per image (ImageNotFound is
// "already gone"); transitions as UpdateImageStorageClass (one image a call); tag removals
// as BatchDeleteImage by `imageTag` (one image a call). Before a run, each repository is
// read again (DescribeImages) and compared with the plan.
#include <memory>

#include "apply/target.h"
#include "registry/aws/ecr_client.h"

namespace regpol {

class EcrTarget : public Target {
 public:
  EcrTarget(std::unique_ptr<aws::CredentialChain> chain, std::unique_ptr<aws::EcrClient> client)
      : chain_(std::move(chain)), client_(std::move(client)) {}
  std::string name() const override;
  std::size_t batch_size(ActionKind kind) const override { return kind == ActionKind::Delete ? 100 : 1; }
  bool can_list() const override { return true; }
  std::string mismatch(const SnapshotOrigin& origin) const override;
  bool read(const std::string& repository, Registry& out, Error& error) override;
  bool apply(const RunKey& run, ActionKind kind, const std::string& repository, const std::vector<const ActionRecord*>& batch,
             std::vector<TargetAnswer>& answers, Error& error) override;

 private:
  bool untag(const std::string& repository, const ActionRecord& a, TargetAnswer& answer, Error& error);
  std::unique_ptr<aws::CredentialChain> chain_;
  std::unique_ptr<aws::EcrClient> client_;
};

}  // namespace regpol
