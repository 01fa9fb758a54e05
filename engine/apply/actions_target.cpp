#include "apply/actions_target.h"

#include <cstdio>
#include <filesystem>
#include <set>
#include <nlohmann/json.hpp>

#include "apply/recheck.h"
#include "apply/request_order.h"
#include "interop/ecr_actions.h"
#include "util/atomic_file.h"
#include "util/read_file.h"
#include "util/sha256.h"

namespace regpol {

namespace fs = std::filesystem;

namespace {

std::string padded(std::int64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06lld", static_cast<long long>(seq));
  return buf;
}

// A stable id per (run, action): written again after a crash, an event keeps its id, so a
// consumer can drop the repeat.
std::string event_id(const std::string& target, const RunKey& run, std::int64_t seq) {
  std::string h = sha256_hex(target + "#" + std::to_string(run.id) + run.uid + "#" + std::to_string(seq));
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20, 12);
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::unique_ptr<ActionsTarget> ActionsTarget::open(const std::string& dir, std::string& error) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    error = dir + ": cannot create the actions directory" + (ec ? ": " + ec.message() : std::string());
    return nullptr;
  }
  auto abs = fs::absolute(dir, ec);
  return std::unique_ptr<ActionsTarget>(new ActionsTarget(ec ? dir : abs.lexically_normal().string()));
}

std::string ActionsTarget::run_dir(const RunKey& run, std::string& error) const {
  // run-ID-UID: the state file's run id for people, the unique id so that no other run (of
  // another state file, or of a state file lost and made anew) ever writes here.
  std::string d = (fs::path(dir_) / ("run-" + std::to_string(run.id) + (run.uid.empty() ? "" : "-" + run.uid))).string();
  std::error_code ec;
  fs::create_directories(d, ec);
  if (ec) error = d + ": cannot create: " + ec.message();
  return d;
}

bool ActionsTarget::apply(const RunKey& run, ActionKind kind, const std::string& repository, const std::vector<const ActionRecord*>& batch,
                          std::vector<TargetAnswer>& answers, Error& error) {
  std::string message;
  std::string d = run_dir(run, message);
  if (!message.empty()) {
    error = {ErrorKind::Internal, message};  // the folder cannot be written
    return false;
  }
  if (batch.empty()) return true;
  const std::string& registry = batch.front()->registry_id;
  std::string base = (kind == ActionKind::Delete ? "delete-" : kind == ActionKind::Untag ? "untag-" : "transition-") + padded(batch.front()->seq);
  nlohmann::json doc;
  if (kind == ActionKind::Untag) {
    // One image a batch; an image with more than 100 tags to remove is refused here (one
    // request file is one request), as it could not be written as one.
    if (tags_after_untag(*batch.front()).empty()) {  // ECR deletes an image with its last tag
      answers.assign(batch.size(), TargetAnswer{ActionStatus::Failed, "failed", "removing every tag of the image would delete it on ECR, and the plan did not delete it"});
      return true;
    }
    if (batch.front()->untag.size() > kEcrBatchDeleteMaxIds) {
      answers.assign(batch.size(), TargetAnswer{ActionStatus::Failed, "failed", "more than 100 tags to remove: not one BatchDeleteImage request"});
      return true;
    }
    doc = ecr_batch_untag_request(registry, repository, batch.front()->untag);
  } else if (kind == ActionKind::Delete) {
    std::vector<std::string> digests;
    digests.reserve(batch.size());
    for (const auto* a : batch) digests.push_back(a->digest);
    doc = ecr_batch_delete_request(registry, repository, digests);
  } else {
    doc = ecr_update_storage_class_request(registry, repository, batch.front()->digest, "ARCHIVE");
  }
  std::string events;
  std::string now = format_timestamp(current_time() / kMicrosPerSecond * kMicrosPerSecond);
  for (const auto* a : batch) {
    ImageActionEvent e;
    e.id = event_id(name(), run, a->seq);
    e.time = now;
    e.account = a->registry_id;
    e.repository = a->repository;
    e.digest = a->digest;
    e.tag = a->tags.empty() ? "" : a->tags.front();
    e.action_type = kind == ActionKind::Delete ? "DELETE" : kind == ActionKind::Untag ? "UNTAG" : "ARCHIVE";
    events += ecr_image_action_event(e).dump() + "\n";
  }
  // The events first: a request file present means its events are too.
  if (auto err = write_file_atomically((fs::path(d) / ("events-" + padded(batch.front()->seq) + ".jsonl")).string(), events); !err.empty()) {
    error = {ErrorKind::Internal, err};
    return false;
  }
  if (auto err = write_file_atomically((fs::path(d) / (base + ".json")).string(), doc.dump(2) + "\n"); !err.empty()) {
    error = {ErrorKind::Internal, err};
    return false;
  }
  answers.assign(batch.size(), TargetAnswer{ActionStatus::Done, "written", base + ".json"});
  return true;
}

bool ActionsTarget::finish(const RunKey& run, const std::vector<ActionRecord>& actions, Error& error) {
  std::string message;
  std::string d = run_dir(run, message);
  if (!message.empty()) {
    error = {ErrorKind::Internal, message};  // the folder cannot be written
    return false;
  }
  std::string events, commands = "#!/bin/sh\n# regpol apply run " + std::to_string(run.id) + (run.uid.empty() ? "" : " (" + run.uid + ")") + ": the requests of this folder, in order.\nset -e\ncd \"$(dirname \"$0\")\"\n";
  std::set<std::string> listed;
  for (std::size_t k : request_order(actions)) {
    const ActionRecord& a = actions[k];
    // The answer names the request file of the batch the action went out in.
    if (a.status != ActionStatus::Done || !listed.insert(a.answer).second) continue;
    std::string seq = a.answer.substr(a.answer.find('-') + 1, 6);
    ReadFileResult r = read_file_limited((fs::path(d) / ("events-" + seq + ".jsonl")).string(), kMaxDocumentBytes);
    if (!r.ok) {
      error = {ErrorKind::Internal, r.error};
      return false;
    }
    events += r.text;
    commands += std::string(a.kind == ActionKind::Transition ? "aws ecr update-image-storage-class" : "aws ecr batch-delete-image") +
                " --cli-input-json " + shell_quote("file://" + a.answer) + "\n";
  }
  if (auto err = write_file_atomically((fs::path(d) / "events.jsonl").string(), events); !err.empty()) {
    error = {ErrorKind::Internal, err};
    return false;
  }
  if (auto err = write_file_atomically((fs::path(d) / "commands.sh").string(), commands); !err.empty()) {
    error = {ErrorKind::Internal, err};
    return false;
  }
  return true;
}

}  // namespace regpol
