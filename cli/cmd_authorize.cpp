// `regpol authorize`: access and tag-mutability decisions for requests, as IAM and ECR
// would make them; one request, a stream (JSON Lines) or CloudTrail logs; `--summary`
// answers "what would this policy have denied?".
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "util/text.h"
#include "access/cloudtrail.h"
#include "access/index.h"
#include "access/mutability.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "util/read_file.h"
#include "diag/render.h"
#include "driver/compile.h"
#include "driver/snapshots.h"
#include "plan/iam_json.h"
#include "report/json_writer.h"

namespace regpol::cli {

static const char* kAuthorizeHelp =
    "usage: regpol authorize --policy FILE.regpol (--request REQ.json | --requests LOG) [options]\n"
    "       regpol authorize --iam-policy POLICY.json --repository NAME (--request REQ.json | --requests LOG)\n"
    "\n"
    "Decides each request as IAM would (an explicit deny that matches wins, else an allow that\n"
    "matches, else the implicit deny), then, for an allowed ecr:PutImage of a tag, as ECR's tag\n"
    "immutability would. Prints one JSON line per request, in order:\n"
    "  {\"decision\": \"allow|deny\", \"reason\": \"explicit-deny|allowed|implicit-deny|tag-immutable\",\n"
    "   \"statement\": \"<Sid or source location>\"}\n"
    "\n"
    "  --policy FILE         a regpol policy: the access statements of every block matching the\n"
    "                        request's repository, and that repository's mutability setting\n"
    "  --iam-policy FILE     an IAM repository policy document (JSON), with --repository NAME\n"
    "  --request FILE        one request (docs/access.md)\n"
    "  --requests FILE       JSON Lines (one request per line, streamed) or a CloudTrail log\n"
    "                        ({\"Records\": [...]}, ECR events only); decided in order, printed\n"
    "                        only once the whole file has been read (no partial output)\n"
    "  --snapshot SNAP       tag -> digest state to start from (each allowed push updates it),\n"
    "                        and repository mutability where the policy sets none\n"
    "  --now T               the instant for aws:CurrentTime (RFC 3339; default: now)\n"
    "  --summary             instead of one line per request: denies grouped by statement and\n"
    "                        principal (\"what would this policy have denied?\")\n"
    "  --format F            for --summary: text (default), json or markdown\n"
    "  --fail-on-deny        exit 1 when any request is denied (for CI)\n"
    "  --help                this text\n";

namespace {

struct Decided {
  AccessDecision decision = AccessDecision::Deny;
  AccessReason reason = AccessReason::ImplicitDeny;
  std::string statement;  // "" when none
};

std::string decision_line(const Decided& d) {
  std::string out = "{\"decision\": \"";
  out += d.decision == AccessDecision::Allow ? "allow" : "deny";
  out += "\", \"reason\": \"";
  out += access_reason_name(d.reason);
  out += "\", \"statement\": ";
  if (d.statement.empty()) out += "null";
  else append_json_string(out, d.statement);
  out += "}\n";
  return out;
}

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

// Holds the decision lines until every request has been read and decided, so that a
// malformed request anywhere leaves no partial set of decisions on stdout. The lines go to
// an anonymous temporary file, not to memory, so a log of any length runs in bounded memory.
class DecisionSpool {
 public:
  DecisionSpool() : file_(std::tmpfile()) {}
  ~DecisionSpool() {
    if (file_) std::fclose(file_);
  }
  DecisionSpool(const DecisionSpool&) = delete;
  DecisionSpool& operator=(const DecisionSpool&) = delete;

  void add(const std::string& line) {
    if (file_ && std::fwrite(line.data(), 1, line.size(), file_) == line.size()) return;
    if (file_) failed_ = true;
    else memory_ += line;  // no temporary directory: keep the lines in memory instead
  }
  // Copies everything to stdout; false when the temporary file could not be written or read.
  bool release() {
    if (failed_) return false;
    std::cout << memory_;
    if (!file_) return true;
    std::rewind(file_);
    std::vector<char> buf(1 << 16);
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), file_)) > 0) std::cout.write(buf.data(), static_cast<std::streamsize>(n));
    return !std::ferror(file_);
  }

 private:
  std::FILE* file_;
  bool failed_ = false;
  std::string memory_;
};

}  // namespace

int cmd_authorize(const Argv& argv) {
  Args args(argv, {"--import-root", "--policy", "--iam-policy", "--repository", "--request", "--requests", "--now", "--snapshot", "--format"},
            {"--help", "--fail-on-deny", "--summary"});
  if (args.has("--help")) {
    std::cout << kAuthorizeHelp << kImportRootHelp << "\n" << kExitCodesHelp;
    return kOk;
  }
  auto iam_path = args.get("--iam-policy");
  auto policy_path = args.get("--policy");
  if (!iam_path == !policy_path) throw UsageError{"give one of --policy FILE and --iam-policy FILE (see `regpol authorize --help`)"};
  auto repository = args.get("--repository");
  if (iam_path && !repository) throw UsageError{"--iam-policy needs --repository NAME"};
  auto one = args.get("--request");
  auto many = args.get("--requests");
  if (!one == !many) throw UsageError{"give exactly one of --request FILE and --requests FILE"};
  if (!args.positionals().empty()) throw UsageError{"unexpected argument `" + args.positionals()[0] + "`"};
  std::string format = args.get("--format").value_or("text");
  if (format != "text" && format != "json" && format != "markdown") throw UsageError{"unknown format `" + format + "`"};
  if (args.has("--format") && !args.has("--summary")) throw UsageError{"--format applies to --summary"};
  const Micros now = now_option(args);

  // Compile the policy.
  std::string text, err;
  AccessPlan iam;
  SourceMap sources;
  DiagnosticSink sink;
  CompiledPolicy compiled;
  if (iam_path) {
    if (!read_file(*iam_path, text, err)) return fail(kBadInput, err);
    std::vector<DocumentProblem> problems;
    if (!access_plan_from_iam_json(*iam_path, text, iam, problems)) {
      for (const auto& p : problems) std::cerr << *iam_path << "#" << p.pointer << ": error[E0405]: " << p.message << "\n";
      return fail(kBadInput, "invalid IAM policy document");
    }
  } else {
    compiled = compile_policy_file(*policy_path, sources, sink, compile_options(args));
    if (!compiled.ok) {
      std::cerr << render_human(sources, sink.sorted(), {false});
      return fail(kBadInput, *policy_path + ": the policy has errors; nothing was decided");
    }
  }

  TagState state;
  std::map<std::string, TagMutability> snapshot_mutability;
  if (args.has("--snapshot")) {
    Registry registry;
    LoadError lerr;
    if (!load_snapshots(args.all("--snapshot"), registry, lerr)) return fail(kBadInput, "[E0501] " + lerr.to_string());
    for (const auto& img : registry.images) {
      for (std::uint32_t t = 0; t < img.tag_count; ++t) {
        state.set(std::string(registry.repo_name(img)), std::string(registry.str(registry.tags_of(img)[t])), std::string(registry.str(img.digest)));
      }
    }
    for (const auto& r : registry.repositories) {
      if (r.mutability == Mutability::Unknown) continue;
      TagMutability m;
      m.immutable = r.mutability == Mutability::Immutable || r.mutability == Mutability::ImmutableWithExclusion;
      for (auto f : r.mutability_exclusions) m.except.emplace_back(registry.str(f));
      snapshot_mutability[std::string(registry.str(r.name))] = m;
    }
  }

  std::map<std::string, AccessIndex> plan_cache;  // per repository
  std::optional<AccessIndex> iam_index;
  if (iam_path) iam_index.emplace(iam);
  std::string out;
  bool denied = false;
  struct Group {
    std::size_t count = 0;
    std::string example_action;
  };
  std::map<std::pair<std::string, std::string>, Group> summary;  // (statement or reason, principal)
  std::size_t total = 0, total_denied = 0;
  DecisionSpool spool;
  auto decide = [&](AccessRequest& r) {
    derive_context(r, now);
    Decided d;
    const AccessIndex* plan = nullptr;
    if (iam_path) {
      if (r.repository == *repository) plan = &*iam_index;
    } else {
      auto it = plan_cache.find(r.repository);
      if (it == plan_cache.end()) it = plan_cache.emplace(r.repository, AccessIndex(access_for(compiled.plan, r.repository))).first;
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
      if (policy_path) {
        ScopeChoice c = choose_scope(compiled.plan, r.repository, Concern::Mutability);
        if (c.scope >= 0) {
          const auto& mp = *compiled.plan.scopes[static_cast<std::size_t>(c.scope)].mutability;
          m = TagMutability{mp.immutable, mp.except};
          mutability_source = mp.source;
        }
      }
      if (!m) {
        auto sm = snapshot_mutability.find(r.repository);
        if (sm != snapshot_mutability.end()) {
          m = sm->second;
          mutability_source = "snapshot";
        }
      }
      std::string current = state.get(r.repository, r.tag);
      if (m && tag_is_immutable(*m, r.tag) && !current.empty() && current != r.digest) {
        d.decision = AccessDecision::Deny;
        d.reason = AccessReason::TagImmutable;
        d.statement = mutability_source;
      }
    }
    if (d.decision == AccessDecision::Allow && is_put && !r.tag.empty() && !r.digest.empty()) state.set(r.repository, r.tag, r.digest);
    ++total;
    if (d.decision == AccessDecision::Deny) {
      denied = true;
      ++total_denied;
      auto& g = summary[{d.statement.empty() ? std::string("(") + access_reason_name(d.reason) + ")" : d.statement, r.principal}];
      if (g.count++ == 0) g.example_action = r.action;
    }
    if (!args.has("--summary")) spool.add(decision_line(d));
  };
  // Decisions are spooled, not printed, until every request has been read: a malformed
  // request anywhere means exit 3 and no decisions at all.
  if (one) {
    if (!read_file(*one, text, err)) return fail(kBadInput, err);
    AccessRequest r;
    if (!parse_request_json(text, r, err)) return fail(kBadInput, *one + ": " + err);
    decide(r);
  } else if (!for_each_request(*many, decide, err)) {
    return fail(kBadInput, err);
  }
  if (args.has("--summary")) {
    if (format == "json") {
      nlohmann::json groups = nlohmann::json::array();
      for (const auto& [key, g] : summary) {
        groups.push_back({{"statement", key.first}, {"principal", key.second}, {"denies", g.count}, {"exampleAction", g.example_action}});
      }
      out = nlohmann::json{{"schema", "regpol.authorize-summary/v1"}, {"requests", total}, {"denied", total_denied}, {"groups", groups}}.dump(2) + "\n";
    } else if (format == "markdown") {
      out = "### regpol authorize: " + std::to_string(total_denied) + " of " + std::to_string(total) + " requests denied\n\n";
      out += "| statement | principal | denies | e.g. |\n|---|---|---:|---|\n";
      for (const auto& [key, g] : summary) {
        out += "| " + key.first + " | `" + key.second + "` | " + std::to_string(g.count) + " | " + g.example_action + " |\n";
      }
    } else {
      out = std::to_string(total_denied) + " of " + std::to_string(total) + " requests denied\n";
      for (const auto& [key, g] : summary) {
        out += "  " + std::to_string(g.count) + "  " + key.first + "  " + key.second + "  (e.g. " + g.example_action + ")\n";
      }
    }
  }
  if (!spool.release()) return fail(kInternal, "cannot write the decisions to a temporary file");
  std::cout << out;
  return denied && args.has("--fail-on-deny") ? kFindings : kOk;
}

}  // namespace regpol::cli
