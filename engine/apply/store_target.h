#pragma once
// `--target SNAP.db`: a SQLite snapshot store, changed in place (one transaction a batch).
#include <memory>

#include "apply/target.h"
#include "store/snapshot_store_edit.h"

namespace regpol {

class StoreTarget : public Target {
 public:
  static std::unique_ptr<StoreTarget> open(const std::string& path, std::string& error);
  std::string name() const override { return "store:" + path_; }
  std::size_t batch_size(ActionKind) const override { return 500; }
  std::string mismatch(const SnapshotOrigin& origin) const override;
  bool can_list() const override { return true; }
  bool read(const std::string& repository, Registry& out, Error& error) override;
  bool apply(const RunKey& run, ActionKind kind, const std::string& repository, const std::vector<const ActionRecord*>& batch,
             std::vector<TargetAnswer>& answers, Error& error) override;

 private:
  StoreTarget(std::string path, std::unique_ptr<SnapshotStoreEditor> editor)
      : path_(std::move(path)), editor_(std::move(editor)), store_id_(editor_->meta("store_id")), source_(editor_->meta("source")) {}
  std::string path_;
  std::unique_ptr<SnapshotStoreEditor> editor_;
  std::string store_id_, source_;  // the store's meta: its id, and the registry it was imported from
};

}  // namespace regpol
