// Settings beside `mutability`: `scan` and `require encryption` in repository blocks, and
// the `registry` block (scanning mode and rules, replication). The words of these forms
// are names in the grammar, so the forms ECR has are checked here, each with a "did you
// mean"; values are checked against ECR's own limits so that apply never sends a setting
// ECR refuses.
#include <algorithm>
#include <cctype>
#include <set>

#include "diag/suggest.h"
#include "sema/checker.h"

namespace regpol::sema {

namespace {

// ECR's pattern for a registry scanning filter: lowercase name characters and `*`.
bool valid_scan_filter(const std::string& f) {
  if (f.empty() || f.size() > 256) return false;
  return std::all_of(f.begin(), f.end(), [](unsigned char c) { return std::islower(c) || std::isdigit(c) || c == '*' || c == '.' || c == '_' || c == '-' || c == '/'; });
}

// ECR's pattern for a replication prefix: a repository name's characters, no wildcards.
bool valid_replication_prefix(const std::string& f) {
  if (f.size() < 2 || f.size() > 256) return false;
  return std::all_of(f.begin(), f.end(), [](unsigned char c) { return std::islower(c) || std::isdigit(c) || c == '.' || c == '_' || c == '-' || c == '/'; });
}

// An AWS region name as ECR accepts it: lowercase letters, digits and `-`, 2 to 25 long.
bool valid_region(const std::string& r) {
  if (r.size() < 2 || r.size() > 25) return false;
  return std::all_of(r.begin(), r.end(), [](unsigned char c) { return std::islower(c) || std::isdigit(c) || c == '-'; });
}

bool twelve_digits(const std::string& s) { return s.size() == 12 && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); }); }

}  // namespace

// Reports `word` at `sp` unless it is one of `allowed`; true when it is.
bool Checker::setting_word(const std::string& word, Span sp, const std::vector<std::string>& allowed, const char* form) {
  if (std::find(allowed.begin(), allowed.end(), word) != allowed.end()) return true;
  auto& d = sink_.error("E0312", sp, "`" + word + "` is not a word of " + form);
  if (auto x = closest_match(word, allowed)) d.help = "did you mean `" + *x + "`?";
  else {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "`" : ", `") + a + "`";
    d.help = "expected one of " + list;
  }
  return false;
}

void Checker::scan_setting(const ast::Scan& s, CheckedScope& sc) {
  if (s.has_for) {
    auto& d = sink_.error("E0312", s.span, "`scan … for` names repositories: it belongs in the `registry` block");
    d.help = "in a repository block write `scan on push` or `scan manual`";
    return;
  }
  if (sc.scan) {
    sink_.error("E0203", s.span, "a repository block sets `scan` once");
    return;
  }
  if (!setting_word(s.mode, s.mode_span, {"push", "manual"}, "a repository's `scan` (`scan on push`, `scan manual`)")) return;
  if (s.on != (s.mode == "push")) {
    sink_.error("E0312", s.span, s.on ? "write `scan manual`, without `on`" : "write `scan on push`");
    return;
  }
  sc.scan = CheckedScan{s.mode == "push", s.span};
}

void Checker::require(const ast::Require& r, CheckedScope& sc, const Module& m) {
  if (!setting_word(r.what, r.what_span, {"encryption"}, "`require` (`require encryption aes256|kms|kms_dsse`)")) return;
  if (sc.encryption) {
    sink_.error("E0203", r.span, "a repository block requires `encryption` once");
    return;
  }
  if (!setting_word(r.kind, r.kind_span, {"aes256", "kms", "kms_dsse"}, "`require encryption`")) return;
  CheckedEncryption out;
  out.type = r.kind == "aes256" ? "AES256" : r.kind == "kms" ? "KMS" : "KMS_DSSE";
  out.span = r.span;
  if (r.key) {
    if (!setting_word(r.key_word, r.key_word_span, {"key"}, "`require encryption kms key \"ARN\"`")) return;
    if (out.type == "AES256") {
      sink_.error("E0312", r.key_word_span, "AES256 encryption uses ECR's own keys: only `kms` and `kms_dsse` take a `key`");
      return;
    }
    auto v = eval(*r.key, *m.env, m);
    if (!v) return;
    if (v->type != Type::String) {
      sink_.error("E0301", r.key->span, std::string("the key must be a string (a KMS key ARN, `*` allowed), not a ") + type_name(v->type));
      return;
    }
    if (v->str.rfind("arn:", 0) != 0 || v->str.find(":kms:") == std::string::npos) {
      auto& d = sink_.error("E0302", r.key->span, "`" + v->str + "` is not a KMS key ARN pattern");
      d.help = "for example \"arn:aws:kms:*:111122223333:key/*\"";
      return;
    }
    out.key_pattern = v->str;
  }
  sc.encryption = std::move(out);
}

bool Checker::registry_list(const std::vector<ast::ExprPtr>& exprs, const Module& m, const RegistryListForm& form, std::vector<std::string>& out) {
  bool ok = true;
  for (const auto& e : exprs) {
    auto l = strings(*e, *m.env, m, form.what);
    if (!l) {
      ok = false;
      continue;
    }
    for (const auto& f : *l) {
      if (!form.valid(f)) {
        auto& d = sink_.error("E0302", e->span, "`" + f + "` " + form.refused);
        d.help = form.help;
        ok = false;
      }
      out.push_back(f);
    }
  }
  return ok;
}

void Checker::registry(const ast::RegistryBlock& r, const Module& m) {
  if (policy_->registry) {
    auto& d = sink_.error("E0203", r.span, "more than one `registry` block");
    d.labels.push_back({policy_->registry->span, "the first one"});
    return;
  }
  CheckedRegistry out;
  out.span = r.span;
  std::set<std::string> frequencies;
  std::size_t destinations = 0;
  for (const auto& item : r.items) {
    if (const auto* s = std::get_if<ast::Scanning>(&item)) {
      if (out.scan_type) {
        sink_.error("E0203", s->span, "the `registry` block sets `scanning` once");
        continue;
      }
      if (!setting_word(s->mode, s->mode_span, {"basic", "enhanced"}, "`scanning` (`scanning basic`, `scanning enhanced`)")) continue;
      out.scan_type = s->mode == "basic" ? "BASIC" : "ENHANCED";
      out.scan_type_span = s->span;
    } else if (const auto* s = std::get_if<ast::Scan>(&item)) {
      if (!setting_word(s->mode, s->mode_span, {"push", "continuously"}, "a registry `scan` rule (`scan on push for …`, `scan continuously for …`)")) continue;
      if (s->on != (s->mode == "push") || !s->has_for) {
        auto& d = sink_.error("E0312", s->span, "a registry scanning rule names the repositories it covers");
        d.help = s->mode == "push" ? "write `scan on push for \"PATTERN\", …`" : "write `scan continuously for \"PATTERN\", …`";
        continue;
      }
      CheckedScanRule rule;
      rule.frequency = s->mode == "push" ? "SCAN_ON_PUSH" : "CONTINUOUS_SCAN";
      rule.span = s->span;
      if (!frequencies.insert(rule.frequency).second) {
        sink_.error("E0203", s->span, "one `scan " + std::string(s->on ? "on " : "") + s->mode + "` rule per registry: list every pattern in it");
        continue;
      }
      static constexpr RegistryListForm kScanFilters{"scanning filters", valid_scan_filter, "is not a filter ECR accepts for scanning",
                                                     "lowercase letters, digits, `.`, `_`, `-`, `/` and the wildcard `*`, 1 to 256 characters"};
      bool ok = registry_list(s->filters, m, kScanFilters, rule.filters);
      if (rule.filters.size() > 100) {
        sink_.error("E0302", s->span, "ECR takes at most 100 filters in a scanning rule; this one has " + std::to_string(rule.filters.size()));
        ok = false;
      }
      if (ok) out.scan_rules.push_back(std::move(rule));
    } else if (const auto* rep = std::get_if<ast::Replicate>(&item)) {
      CheckedReplicationRule rule;
      rule.span = rep->span;
      bool ok = true;
      for (const auto& d : rep->destinations) {
        if (!setting_word(d.kind, d.kind_span, {"region"}, "a replication destination (`region \"R\" [account \"A\"]`)")) {
          ok = false;
          continue;
        }
        auto region = eval(*d.region, *m.env, m);
        if (!region) {
          ok = false;
          continue;
        }
        if (region->type != Type::String || !valid_region(region->str)) {
          auto& diag = sink_.error("E0302", d.region->span, "a replication destination needs an AWS region name such as \"eu-west-1\"");
          if (region->type == Type::String) diag.message = "`" + region->str + "` is not an AWS region name";
          ok = false;
          continue;
        }
        std::string account;
        if (d.account) {
          auto a = eval(*d.account, *m.env, m);
          if (!a) {
            ok = false;
            continue;
          }
          if (a->type != Type::String || !twelve_digits(a->str)) {
            sink_.error("E0309", d.account->span, "a replication destination's account is a twelve-digit AWS account id");
            ok = false;
            continue;
          }
          account = a->str;
        }
        rule.destinations.emplace_back(region->str, account);
      }
      static constexpr RegistryListForm kPrefixes{
          "replication prefixes", valid_replication_prefix, "is not a prefix ECR accepts for replication",
          "the start of a repository name (lowercase letters, digits, `.`, `_`, `-`, `/`; 2 to 256 characters); replication filters have no wildcards"};
      ok = registry_list(rep->prefixes, m, kPrefixes, rule.prefixes) && ok;
      if (rule.prefixes.size() > 100) {
        sink_.error("E0302", rep->span, "ECR takes at most 100 prefixes in a replication rule");
        ok = false;
      }
      destinations += rule.destinations.size();
      if (ok) out.replication.push_back(std::move(rule));
    }
  }
  if (out.scan_type == std::string("BASIC") && frequencies.count("CONTINUOUS_SCAN")) {
    for (const auto& rule : out.scan_rules) {
      if (rule.frequency != "CONTINUOUS_SCAN") continue;
      auto& d = sink_.error("E0312", rule.span, "basic scanning scans on push only: continuous scanning needs `scanning enhanced`");
      d.labels.push_back({out.scan_type_span, "basic scanning chosen here"});
    }
  }
  if (out.replication.size() > 10) sink_.error("E0302", out.replication[10].span, "ECR takes at most 10 replication rules");
  if (destinations > 25) sink_.error("E0302", r.span, "ECR takes at most 25 replication destinations across the rules; these have " + std::to_string(destinations));
  policy_->registry = std::move(out);
}

}  // namespace regpol::sema
