#include "lint/lint.h"

#include <algorithm>
#include <cctype>

#include "access/mutability.h"
#include "access/request.h"
#include "access/request_json.h"
#include "diag/codes.h"
#include "interop/ecr_export.h"
#include "match/wildcard.h"
#include "util/text.h"
#include "verify/prover.h"

namespace regpol {

namespace {

// The ECR actions that change or remove what a repository serves.
constexpr const char* kWriteActions[] = {
    "ecr:putimage", "ecr:batchdeleteimage", "ecr:deleterepository", "ecr:initiatelayerupload", "ecr:uploadlayerpart",
    "ecr:completelayerupload", "ecr:setrepositorypolicy", "ecr:deleterepositorypolicy", "ecr:putlifecyclepolicy",
    "ecr:deletelifecyclepolicy", "ecr:putimagetagmutability", "ecr:updateimagestorageclass"};

// The first write action one of `patterns` grants, or "".
std::string granted_write(const std::vector<std::string>& patterns) {
  for (const auto& p : patterns) {
    std::string lp = ascii_lower(p);
    for (const char* a : kWriteActions) {
      if (wildcard_match(lp, a, true)) return lp == a ? p : p + " (" + a + ")";
    }
  }
  return "";
}

// "123456789012" from an account id or an IAM ARN; "" otherwise.
std::string account_of(const std::string& principal) {
  if (is_account_id(principal)) return principal;
  if (principal.rfind("arn:", 0) == 0) {
    std::size_t start = 0;
    for (int field = 0; field < 4; ++field) {
      start = principal.find(':', start);
      if (start == std::string::npos) return "";
      ++start;
    }
    return principal.substr(start, principal.find(':', start) - start);
  }
  return "";
}

// True when a condition of `s` limits who the principal is (its ARN, account or
// organization), so a `*` principal is not everyone.
bool restricts_identity(const Statement& s) {
  for (const auto& c : s.conditions) {
    if (c.negate || cond_op_negated(c.op) || c.if_exists) continue;
    const std::string& k = c.key_lower;
    if (k == "aws:principalarn" || k == "aws:principalaccount" || k == "aws:principalorgid" || k == "aws:principalorgpaths" ||
        k == "aws:userid" || k == "aws:sourceaccount")
      return true;
  }
  return false;
}

// True when `deny`, unconditionally, covers every request `allow` could grant.
bool deny_covers(const Statement& deny, const Statement& allow) {
  if (!deny.conditions.empty() || deny.not_principal || deny.not_action || deny.not_resource || !deny.resources.empty() ||
      !deny.tag_patterns.empty())
    return false;
  if (allow.not_principal || allow.not_action) return false;
  if (!deny.principal.any) {
    if (allow.principal.any) return false;
    auto has = [](const std::vector<std::string>& set, const std::string& v) { return std::find(set.begin(), set.end(), v) != set.end(); };
    for (const auto& p : allow.principal.aws) {
      if (!has(deny.principal.aws, p)) return false;
    }
    for (const auto& p : allow.principal.service) {
      if (!has(deny.principal.service, p)) return false;
    }
    for (const auto& p : allow.principal.other) {
      if (!has(deny.principal.other, p)) return false;
    }
    for (const auto& p : allow.principal.orgs) {
      if (!has(deny.principal.orgs, p)) return false;
    }
  }
  for (const auto& a : allow.actions) {
    std::string la = ascii_lower(a);
    bool covered = std::any_of(deny.actions.begin(), deny.actions.end(), [&](const std::string& d) {
      std::string ld = ascii_lower(d);
      return ld == "*" || ld == "ecr:*" || ld == la || (la.find_first_of("*?") == std::string::npos && wildcard_match(ld, la, true));
    });
    if (!covered) return false;
  }
  return !allow.actions.empty();
}

// Every image `higher` matches includes every image `lower` can match (same storage class):
// then `lower` never claims an image first.
bool selection_covers(const Selection& higher, const Selection& lower) {
  if (higher.where) return false;  // a refinement we cannot reason about statically
  if (higher.any_storage != lower.any_storage || higher.storage != lower.storage) return false;
  if (higher.status == TagStatus::Any && higher.list_kind == TagListKind::None) return true;
  if (higher.status != lower.status) return false;
  if (higher.status == TagStatus::Untagged) return true;
  if (higher.list_kind == TagListKind::None) return true;  // every tagged image (every artifact)
  if (higher.status == TagStatus::Artifacts) {
    // Any one type suffices: the higher list covers the lower when it holds all its types.
    return lower.list_kind != TagListKind::None && std::all_of(lower.list.begin(), lower.list.end(), [&](const std::string& l) {
             return std::find(higher.list.begin(), higher.list.end(), l) != higher.list.end();
           });
  }
  if (lower.list_kind != higher.list_kind) return false;
  // Every entry of the higher list must match whenever the lower's entries all do.
  for (const auto& h : higher.list) {
    bool implied = std::any_of(lower.list.begin(), lower.list.end(), [&](const std::string& l) {
      return higher.list_kind == TagListKind::Prefix ? l.rfind(h, 0) == 0 : l == h;
    });
    if (!implied) return false;
  }
  return true;
}

// Lint's budget for a proof (W2006, W2007): at most this many requests after merging the
// ones the rules cannot tell apart, each through the evaluator (a few milliseconds); a
// block past it is left to `regpol check` and `regpol prove`.
constexpr std::size_t kLintProofRequests = 1024;
// The table search's budget in lint: a few milliseconds at most on a block.
constexpr std::size_t kLintTableNodes = 20000;

// Tags CI pipelines move on every build. Only `latest` is one by convention everywhere;
// branch-named tags (`main`, `dev`) are made immutable on purpose often enough that
// reporting them would be noise.
constexpr const char* kMovingTags[] = {"latest"};

class Linter {
 public:
  Linter(const SourceMap& sources, const LintOptions& options, DiagnosticSink& sink) : sources_(sources), options_(options), sink_(sink) {}

  void run(const PolicyPlan& plan) {
    for (std::size_t i = 0; i < plan.scopes.size(); ++i) {
      const ScopePlan& scope = plan.scopes[i];
      access(scope);
      if (scope.mutability) mutability(*scope.mutability);
      if (scope.has_lifecycle) lifecycle(scope);
      for (std::size_t j = 0; j < i; ++j) {
        const ScopePlan& other = plan.scopes[j];
        if (!scope.is_defaults && !other.is_defaults && scope.patterns == other.patterns && scope.excepts == other.excepts) {
          auto& d = warn("W2202", scope.source, "this block names the same repositories as the block at " + other.source);
          d.help = "merge the two blocks";
        }
      }
      if (options_.target_ecr) portability(scope);
    }
  }

 private:
  Diagnostic& warn(const char* code, const std::string& source, std::string message) {
    Span span;
    bool located = span_of_source(sources_, source, span);
    Diagnostic& d = sink_.warning(code, span, std::move(message));
    d.has_span = located;
    if (const CodeInfo* info = find_code(code); info && !info->help.empty()) d.help = std::string(info->help);
    return d;
  }

  // W2006 / W2007: the block's access rules through the prover, for every request, where
  // enumeration or the table search settles them within a small budget (the solver is not
  // started, so lint stays fast enough for a pre-commit hook; `regpol check` and `regpol
  // prove` decide the rest). Only where the statement-by-statement checks above said nothing, so one
  // problem is reported once.
  void proved_access(const ScopePlan& scope, bool public_reported, bool cross_account_reported) {
    if (scope.access.statements.empty()) return;
    ProofOptions options;
    options.solver = false;
    options.enumeration_limit = kLintProofRequests;
    options.table_nodes = kLintTableNodes;
    auto report = [&](const char* code, const ProofResult& r, const std::string& what) {
      if (r.outcome != ProofOutcome::Failed) return;
      const std::string label = r.decided_by.empty() ? "" : r.decided_by.front();
      const std::string at = r.decided_at.empty() || r.decided_at.front().empty() ? scope.source : r.decided_at.front();
      warn(code, at, what + ": " + request_to_json(r.counterexample).dump() + " is allowed" + (label.empty() ? "" : " (by " + label + ")"));
    };
    if (!public_reported) {
      report("W2006", prove_no_public_access(scope.access, "repository", options_.own_accounts, options),
             "a caller from an account these rules do not name can get in");
    }
    if (!cross_account_reported && !options_.own_accounts.empty()) {
      Statement outside_write;
      outside_write.not_principal = true;
      outside_write.principal.aws = options_.own_accounts;
      for (const char* a : kWriteActions) outside_write.actions.emplace_back(a);
      report("W2007", prove_never_allowed(scope.access, outside_write, "repository", options),
             "a caller outside --account can change or delete what this repository serves");
    }
  }

  void access(const ScopePlan& scope) {
    const auto& st = scope.access.statements;
    bool public_reported = false, cross_account_reported = false;
    for (std::size_t i = 0; i < st.size(); ++i) {
      const Statement& s = st[i];
      if (!s.allow) continue;
      const std::string what = s.sid.empty() ? "this allow" : "allow `" + s.sid + "`";
      if (s.principal.any && !s.not_principal && s.conditions.empty()) {
        warn("W2001", s.source, what + " grants to every principal (`*`) without a condition");
        public_reported = true;
      }
      std::string write = s.not_action ? std::string("every action but a few") : granted_write(s.actions);
      if (!write.empty()) {
        if ((s.principal.any || s.not_principal) && !restricts_identity(s)) {
          warn("W2002", s.source, what + " grants " + write + " to every principal" + (s.conditions.empty() ? "" : " (behind a condition that does not say who)"));
          public_reported = cross_account_reported = true;
        } else if (!options_.own_accounts.empty()) {
          for (const auto& p : s.principal.aws) {
            std::string account = account_of(p);
            if (!account.empty() &&
                std::find(options_.own_accounts.begin(), options_.own_accounts.end(), account) == options_.own_accounts.end()) {
              warn("W2002", s.source, what + " grants " + write + " to account " + account + ", which is not one of --account");
              cross_account_reported = true;
              break;
            }
          }
        }
      }
      if (s.not_principal || s.not_action)
        warn("W2003", s.source, what + " uses `not` " + std::string(s.not_principal ? "principals" : "actions") +
                                    ": it grants to everything it does not name");
      for (std::size_t j = 0; j < st.size(); ++j) {
        if (j != i && !st[j].allow && deny_covers(st[j], s)) {
          warn("W2004", s.source, what + " never grants anything: the unconditional deny at " + st[j].source + " covers it");
          break;
        }
      }
    }
    proved_access(scope, public_reported, cross_account_reported);
  }

  void mutability(const MutabilityPlan& m) {
    if (!m.immutable) return;
    TagMutability tm{m.immutable, m.except};
    for (const char* tag : kMovingTags) {
      if (tag_is_immutable(tm, tag)) {
        warn("W2005", m.source, std::string("`") + tag + "` is immutable here, but pipelines move it on every build");
        return;
      }
    }
  }

  void lifecycle(const ScopePlan& scope) {
    const LifecyclePlan& lp = scope.lifecycle;
    bool counts = std::any_of(lp.rules.begin(), lp.rules.end(), [](const LifecycleRule& r) { return r.count_type == CountType::ImageCountMoreThan && r.action != LifecycleAction::Untag; });
    bool expires_tagged = false, expires_untagged = false;
    for (const auto& r : lp.rules) {
      if (r.action != LifecycleAction::Expire || r.selection.where || r.selection.storage != StorageClass::Standard) continue;
      bool all_of_status = r.selection.list_kind == TagListKind::None;
      if (r.selection.status == TagStatus::Any && all_of_status) expires_tagged = expires_untagged = true;
      if (r.selection.status == TagStatus::Tagged && all_of_status) expires_tagged = true;
      if (r.selection.status == TagStatus::Untagged) expires_untagged = true;
    }
    if (!counts && lp.protects.empty() && lp.allow_empty.empty() && expires_tagged && expires_untagged)
      warn("W2101", scope.source, "no rule of this lifecycle keeps any image: every image of a matching repository can expire");
    for (const auto& r : lp.rules) {
      if (r.action == LifecycleAction::Expire && r.selection.status == TagStatus::Tagged && r.count_type == CountType::SinceImagePushed &&
          r.duration < 86400LL * 1000000)
        warn("W2102", r.source, "rule " + std::to_string(r.priority) + " expires tagged images less than a day after their push");
    }
    auto all_must_match = [&](const Selection& s, const std::string& source, const std::string& what) {
      if (s.list_kind == TagListKind::None || s.list_kind == TagListKind::ArtifactType || s.list.size() < 2) return;
      std::string list;
      for (const auto& e : s.list) list += (list.empty() ? "" : ", ") + e;
      warn("W2104", source, what + " picks only images with a tag for every one of [" + list + "], not images matching any of them");
    };
    for (const auto& r : lp.rules) all_must_match(r.selection, r.source, "rule " + std::to_string(r.priority));
    for (const auto& p : lp.protects) all_must_match(p.selection, p.source, "this protect");
    for (std::size_t i = 0; i < lp.rules.size(); ++i) {
      if (lp.rules[i].action == LifecycleAction::Untag) continue;  // untag rules claim nothing and run last
      for (std::size_t j = 0; j < i; ++j) {
        if (lp.rules[j].action == LifecycleAction::Untag) continue;
        if (selection_covers(lp.rules[j].selection, lp.rules[i].selection)) {
          bool any = lp.rules[j].selection.status == TagStatus::Any && lp.rules[j].selection.list_kind == TagListKind::None;
          warn("W2201", lp.rules[i].source, "rule " + std::to_string(lp.rules[i].priority) + " never decides an image: rule " +
                                                std::to_string(lp.rules[j].priority) + (any ? " (an `any` rule above it)" : "") +
                                                " matches every image it could, first");
          break;
        }
      }
    }
  }

  void portability(const ScopePlan& scope) {
    std::vector<ExportProblem> problems;
    if (scope.has_lifecycle) lifecycle_to_ecr_json(scope.lifecycle, problems);
    access_to_iam_json(scope.access, problems);
    if (scope.mutability) mutability_to_ecr_json(*scope.mutability, problems);
    for (const auto& p : problems) warn("W2401", p.source.empty() ? scope.source : p.source, "ECR cannot express this: " + p.message);
  }

  const SourceMap& sources_;
  const LintOptions& options_;
  DiagnosticSink& sink_;
};

}  // namespace

bool span_of_source(const SourceMap& sources, const std::string& source, Span& out) {
  auto c2 = source.rfind(':');
  if (c2 == std::string::npos || c2 == 0) return false;
  auto c1 = source.rfind(':', c2 - 1);
  if (c1 == std::string::npos) return false;
  std::string name = source.substr(0, c1);
  long line = 0, col = 0;
  try {
    line = std::stol(source.substr(c1 + 1, c2 - c1 - 1));
    col = std::stol(source.substr(c2 + 1));
  } catch (...) {
    return false;
  }
  for (FileId f = 0; f < sources.size(); ++f) {
    const SourceFile& file = sources.file(f);
    if (file.name() != name) continue;
    const std::string& text = file.text();
    std::size_t offset = 0;
    for (long l = 1; l < line && offset < text.size(); ++l) {
      auto nl = text.find('\n', offset);
      if (nl == std::string::npos) return false;
      offset = nl + 1;
    }
    // Columns count code points: step over continuation bytes.
    for (long c = 1; c < col && offset < text.size(); ++c) {
      ++offset;
      while (offset < text.size() && (static_cast<unsigned char>(text[offset]) & 0xC0) == 0x80) ++offset;
    }
    out = Span{f, static_cast<std::uint32_t>(offset), static_cast<std::uint32_t>(std::min(offset + 1, text.size()))};
    return true;
  }
  return false;
}

void lint_policy(const PolicyPlan& plan, const SourceMap& sources, const LintOptions& options, DiagnosticSink& sink) {
  Linter(sources, options, sink).run(plan);
}

}  // namespace regpol
