#include "access/decider.h"

#include <cerrno>
#include <fstream>

#include "access/cloudtrail.h"
#include "util/json_writer.h"
#include "util/read_file.h"
#include "util/text.h"

namespace regpol {

namespace {

// Reads a stream in chunks and hands out its lines; works on pipes (nothing is re-read).
class LineReader {
 public:
  LineReader(std::istream& in, std::size_t max_line) : in_(in), max_line_(max_line) { fill(); }
  // The bytes read so far and not yet handed out (the start of the stream, before any next()).
  const std::string& buffered() const { return buf_; }
  bool next(std::string& line) {
    for (;;) {
      auto nl = buf_.find('\n', pos_);
      if (nl != std::string::npos && nl - pos_ <= max_line_) {
        line.assign(buf_, pos_, nl - pos_);
        pos_ = nl + 1;
        return true;
      }
      if (buf_.size() - pos_ > max_line_) {  // stop before an endless line eats the memory
        too_long_ = true;
        return false;
      }
      if (!fill()) {
        if (pos_ >= buf_.size()) return false;
        line.assign(buf_, pos_, std::string::npos);
        pos_ = buf_.size();
        return true;
      }
    }
  }
  bool bad() const { return in_.bad(); }
  bool too_long() const { return too_long_; }

 private:
  bool fill() {
    buf_.erase(0, pos_);
    pos_ = 0;
    char chunk[1 << 16];
    in_.read(chunk, sizeof chunk);
    auto n = static_cast<std::size_t>(in_.gcount());
    buf_.append(chunk, n);
    return n > 0;
  }
  std::istream& in_;
  std::size_t max_line_;
  bool too_long_ = false;
  std::string buf_;
  std::size_t pos_ = 0;
};

// True when the stream starts as a CloudTrail log does: one JSON object whose first member
// is "Records" (compact or pretty-printed). JSON Lines starts with a request object.
bool looks_like_cloudtrail(const std::string& start) {
  std::size_t i = start.find_first_not_of(" \t\r\n");
  if (i == std::string::npos || start[i] != '{') return false;
  i = start.find_first_not_of(" \t\r\n", i + 1);
  return i != std::string::npos && start.compare(i, 9, "\"Records\"") == 0;
}

// One JSON Lines request, and a whole CloudTrail log file (docs/limits.md).
constexpr std::size_t kMaxRequestLineBytes = std::size_t{1} << 20;
constexpr std::size_t kMaxCloudTrailBytes = std::size_t{256} << 20;

}  // namespace

std::string decision_line(const Decided& d) {
  std::string out;
  JsonWriter w(out);
  w.object().member("decision", d.decision == AccessDecision::Allow ? "allow" : "deny").member("reason", access_reason_name(d.reason));
  w.key("statement");
  if (d.statement.empty()) w.null();
  else w.string(d.statement);
  w.end();
  out += '\n';
  return out;
}

void AccessDecider::load_snapshot_state(const Registry& registry) {
  for (const auto& img : registry.images) {
    for (std::uint32_t t = 0; t < img.tag_count; ++t) {
      state_.set(std::string(registry.repo_name(img)), std::string(registry.str(registry.tags_of(img)[t])), std::string(registry.str(img.digest)));
    }
  }
  for (const auto& r : registry.repositories) {
    if (r.mutability == Mutability::Unknown) continue;
    TagMutability m;
    m.immutable = r.mutability == Mutability::Immutable || r.mutability == Mutability::ImmutableWithExclusion;
    for (auto f : r.mutability_exclusions) m.except.emplace_back(registry.str(f));
    snapshot_mutability_[std::string(registry.str(r.name))] = m;
  }
}

Decided AccessDecider::decide(const AccessRequest& r) {
  Decided d;
  const AccessIndex* plan = nullptr;
  if (!policy_) {
    if (r.repository == iam_repository_) plan = iam_;
  } else {
    auto it = plan_cache_.find(r.repository);
    if (it == plan_cache_.end()) it = plan_cache_.emplace(r.repository, AccessIndex(access_for(*policy_, r.repository))).first;
    plan = &it->second;
  }
  if (plan) {
    AccessResult res = plan->evaluate(r);
    d.decision = res.decision;
    d.reason = res.reason;
    if (res.statement) d.statement = res.statement->label();
  }
  bool is_put = ascii_lower(r.action) == "ecr:putimage";
  if (d.decision == AccessDecision::Allow && is_put && !r.tag.empty()) {
    std::optional<TagMutability> m;
    std::string mutability_source;
    if (policy_) {
      ScopeChoice c = choose_scope(*policy_, r.repository, Concern::Mutability);
      if (c.scope >= 0) {
        const auto& mp = *policy_->scopes[static_cast<std::size_t>(c.scope)].mutability;
        m = TagMutability{mp.immutable, mp.except};
        mutability_source = mp.source;
      }
    }
    if (!m) {
      auto sm = snapshot_mutability_.find(r.repository);
      if (sm != snapshot_mutability_.end()) {
        m = sm->second;
        mutability_source = "snapshot";
      }
    }
    std::string current = state_.get(r.repository, r.tag);
    if (m && tag_is_immutable(*m, r.tag) && !current.empty() && current != r.digest) {
      d.decision = AccessDecision::Deny;
      d.reason = AccessReason::TagImmutable;
      d.statement = mutability_source;
    }
  }
  if (d.decision == AccessDecision::Allow && is_put && !r.tag.empty() && !r.digest.empty()) state_.set(r.repository, r.tag, r.digest);
  return d;
}

// Calls `decide` on each request of a --requests file, in order. JSON Lines are streamed a
// line at a time, so memory does not grow with the log; a CloudTrail file (one JSON
// document, as CloudTrail writes them: a few MB each) is read whole.
bool for_each_request(const std::string& path, const std::function<void(AccessRequest&)>& decide, std::string& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return (err = path + ": cannot open: " + errno_message(errno)), false;
  LineReader lines(in, kMaxRequestLineBytes);
  if (looks_like_cloudtrail(lines.buffered())) {
    // The rest of the stream after what was sniffed (a pipe cannot be opened twice).
    std::string text = lines.buffered();
    char chunk[1 << 16];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
      text.append(chunk, static_cast<std::size_t>(in.gcount()));
      if (text.size() > kMaxCloudTrailBytes)
        return (err = path + ": a CloudTrail log larger than " + describe_bytes(kMaxCloudTrailBytes)), false;
    }
    std::vector<AccessRequest> records;
    if (!read_cloudtrail(text, records, err)) return (err = path + ": " + err), false;
    for (auto& r : records) decide(r);
    return true;
  }
  std::string line;
  std::size_t n = 1;
  for (; lines.next(line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    AccessRequest r;
    if (!parse_request_json(line, r, err)) return (err = path + ":" + std::to_string(n) + ": " + err), false;
    decide(r);
  }
  if (lines.too_long())
    return (err = path + ":" + std::to_string(n) + ": a line longer than " + describe_bytes(kMaxRequestLineBytes) + " (one request is a few hundred bytes)"), false;
  if (lines.bad()) return (err = path + ": read error"), false;
  return true;
}


}  // namespace regpol
