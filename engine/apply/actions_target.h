#pragma once
// `--target actions:DIR`: nothing in a registry changes; apply writes, per run, what a person
// or a pipeline would run, under DIR/run-ID/:
//   delete-SEQ.json       BatchDeleteImage requests (≤100 image ids, one repository each)
//   transition-SEQ.json   UpdateImageStorageClass requests (one image each)
//   events-SEQ.jsonl      `ECR Image Action` events of that batch; events.jsonl all of them
//   commands.sh           the aws CLI commands that carry the files out, in order
// SEQ is the batch's first action, so a batch written again after a crash replaces the
// same file: each action appears in exactly one request.
#include "apply/target.h"

namespace regpol {

class ActionsTarget : public Target {
 public:
  // Creates DIR when missing. False with `error` when it cannot.
  static std::unique_ptr<ActionsTarget> open(const std::string& dir, std::string& error);
  std::string name() const override { return "actions:" + dir_; }
  std::size_t batch_size(ActionKind kind) const override { return kind == ActionKind::Delete ? 100 : 1; }  // untag: one image
  bool can_list() const override { return false; }
  bool read(const std::string&, Registry&, Error& error) override {
    error = {ErrorKind::Internal, "an actions directory cannot be read as a registry"};
    return false;
  }
  bool apply(const RunKey& run, ActionKind kind, const std::string& repository, const std::vector<const ActionRecord*>& batch,
             std::vector<TargetAnswer>& answers, Error& error) override;
  bool finish(const RunKey& run, const std::vector<ActionRecord>& actions, Error& error) override;

 private:
  explicit ActionsTarget(std::string dir) : dir_(std::move(dir)) {}
  std::string run_dir(const RunKey& run, std::string& error) const;
  std::string dir_;
};

}  // namespace regpol
