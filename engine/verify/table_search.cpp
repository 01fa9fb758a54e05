#include "verify/table_search.h"

#include <algorithm>

#include "access/evaluate.h"
#include "verify/statement_parts.h"

namespace regpol {

namespace {

constexpr int kPrincipal = 0, kAction = 1, kTag = 2, kFirstKey = 3;
constexpr std::size_t kMaxKeyChoices = 4096;

enum class Tri : char { False, True, Open };

// A part of a statement (or of the goal) that reads one field, or two (a principal with
// `org` names reads the caller and aws:PrincipalOrgID): its value on every choice.
struct Atom {
  int field = 0, second = -1;
  std::size_t second_size = 1;
  std::vector<char> table;  // [choice of field * second_size + choice of second]
};

struct Term {  // a statement: all its atoms hold
  std::vector<std::size_t> atoms;
};

struct PlanTerms {
  int want = 0;
  std::vector<Term> allows, denies;
};

class Search {
 public:
  Search(const RequestSpace& space, const std::vector<const AccessPlan*>& plans, const ProofGoal& goal) : space_(space) {
    key_choices_.resize(space.keys.size());
    for (std::size_t k = 0; k < space.keys.size(); ++k) {
      if (!key_choices(space.keys[k], kMaxKeyChoices, key_choices_[k])) {
        too_large_ = true;
        return;
      }
    }
    sizes_ = {space.principals.size(), space.actions.size(), space.tags.size()};
    for (const auto& c : key_choices_) sizes_.push_back(c.size());
    for (std::size_t p = 0; p < plans.size(); ++p) {
      PlanTerms terms;
      terms.want = p < goal.want.size() ? goal.want[p] : 0;
      if (terms.want != 0) {
        for (const auto& s : plans[p]->statements) {
          Term t;
          if (!statement_term(s, t)) continue;  // never matches here
          (s.allow ? terms.allows : terms.denies).push_back(std::move(t));
        }
      }
      plans_.push_back(std::move(terms));
    }
    if (goal.principal) add_goal_atom(kPrincipal, [&](std::size_t i) { return goal.principal(space.principals[i]); });
    if (goal.action) add_goal_atom(kAction, [&](std::size_t i) { return goal.action(space.actions[i]); });
    if (goal.excluded) {
      for (std::size_t k = 0; k < space.keys.size(); ++k) {
        add_goal_atom(kFirstKey + static_cast<int>(k), [&](std::size_t c) {
          for (auto v : key_choices_[k][c]) {
            if (goal.excluded(space.keys[k].name, space.keys[k].values[v])) return false;
          }
          return true;
        });
      }
    }
  }

  bool too_large() const { return too_large_; }
  const std::string& unsupported() const { return unsupported_; }

  TableSearchOutcome run(std::size_t node_limit, SpaceChoice& found, std::size_t& nodes) {
    assigned_.assign(sizes_.size(), -1);
    for (auto n : sizes_) {
      if (n == 0) return TableSearchOutcome::NoneExists;  // no request at all
    }
    limit_ = node_limit;
    const auto outcome = descend();
    nodes = nodes_;
    if (outcome == TableSearchOutcome::Found) {
      auto pick = [&](int f) { return assigned_[static_cast<std::size_t>(f)] < 0 ? std::size_t{0} : static_cast<std::size_t>(assigned_[static_cast<std::size_t>(f)]); };
      found.principal = pick(kPrincipal);
      found.action = pick(kAction);
      found.tag = pick(kTag);
      found.key_values.clear();
      for (std::size_t k = 0; k < key_choices_.size(); ++k) found.key_values.push_back(key_choices_[k][pick(kFirstKey + static_cast<int>(k))]);
    }
    return outcome;
  }

 private:
  long key_field(const std::string& name) const {
    for (std::size_t k = 0; k < space_.keys.size(); ++k) {
      if (space_.keys[k].name == name) return kFirstKey + static_cast<long>(k);
    }
    return -1;
  }

  template <typename F>
  std::size_t add_atom(int field, F&& holds) {
    Atom a;
    a.field = field;
    a.table.resize(sizes_[static_cast<std::size_t>(field)]);
    for (std::size_t i = 0; i < a.table.size(); ++i) a.table[i] = holds(i) ? 1 : 0;
    atoms_.push_back(std::move(a));
    return atoms_.size() - 1;
  }

  template <typename F>
  void add_goal_atom(int field, F&& holds) {
    goal_atoms_.push_back(add_atom(field, holds));
  }

  // The request in which only the key's choice `c` is set.
  AccessRequest with_key(std::size_t k, std::size_t c) const {
    AccessRequest r = neutral_;
    const auto& chosen = key_choices_[k][c];
    if (!chosen.empty()) {
      AccessRequest::Value v;
      v.multi = space_.keys[k].multi;
      for (auto i : chosen) v.values.push_back(space_.keys[k].values[i]);
      r.context[space_.keys[k].name] = std::move(v);
    }
    return r;
  }

  // False when the statement cannot match any request of the space.
  bool statement_term(const Statement& s, Term& t) {
    // One request, changed in the field each part reads: the parts below are decided on
    // thousands of candidates, and a fresh request for each cost as much as the matching.
    AccessRequest& r = scratch_;
    r = neutral_;
    {
      const Statement part = statement_part(s, false, false, true, false);
      if (!statement_matches(part, r)) return false;
    }
    {
      const Statement part = statement_part(s, false, true, false, false);
      t.atoms.push_back(add_atom(kAction, [&](std::size_t i) {
        r.action = space_.actions[i];
        return action_matches(part, r);
      }));
      r.action = neutral_.action;
    }
    if (s.principal.any) {
      if (s.not_principal) return false;  // NotPrincipal "*" leaves no caller
    } else {
      Statement part = statement_part(s, true, false, false, false);
      part.not_principal = false;
      std::vector<char> named(space_.principals.size());
      for (std::size_t i = 0; i < named.size(); ++i) {
        r.principal = space_.principals[i];
        named[i] = principal_matches(part, r) ? 1 : 0;
      }
      r.principal = neutral_.principal;
      if (s.principal.orgs.empty()) {
        t.atoms.push_back(add_atom(kPrincipal, [&](std::size_t i) { return (named[i] != 0) != s.not_principal; }));
      } else {
        const long f = key_field("aws:principalorgid");
        if (f < 0) {
          unsupported_ = "aws:PrincipalOrgID has no candidates";
          return false;
        }
        const auto k = static_cast<std::size_t>(f - kFirstKey);
        Atom a;
        a.field = kPrincipal;
        a.second = static_cast<int>(f);
        a.second_size = key_choices_[k].size();
        for (const char caller_named : named) {
          for (std::size_t c = 0; c < a.second_size; ++c) {
            bool in_org = false;
            for (auto v : key_choices_[k][c]) {
              in_org = in_org || std::find(s.principal.orgs.begin(), s.principal.orgs.end(), space_.keys[k].values[v]) != s.principal.orgs.end();
            }
            a.table.push_back((caller_named != 0 || in_org) != s.not_principal ? 1 : 0);
          }
        }
        atoms_.push_back(std::move(a));
        t.atoms.push_back(atoms_.size() - 1);
      }
    }
    {
      const Statement part = statement_part(s, false, false, false, true);
      t.atoms.push_back(add_atom(kTag, [&](std::size_t i) {
        r.tag = space_.tags[i];
        return tags_match(part, r);
      }));
      r.tag = neutral_.tag;
    }
    for (const auto& c : s.conditions) {
      if (is_principal_derived_key(c.key_lower)) {
        t.atoms.push_back(add_atom(kPrincipal, [&](std::size_t i) {
          set_caller(r, space_.principals[i]);
          return condition_matches(c, r);
        }));
        r = neutral_;
        continue;
      }
      const long f = key_field(c.key_lower);
      if (f < 0) {
        unsupported_ = "condition key `" + c.key + "` has no candidates";
        return false;
      }
      const auto k = static_cast<std::size_t>(f - kFirstKey);
      t.atoms.push_back(add_atom(static_cast<int>(f), [&](std::size_t choice) { return condition_matches(c, with_key(k, choice)); }));
    }
    // Atoms that hold on every choice say nothing; one that holds on none drops the statement.
    std::vector<std::size_t> kept;
    for (auto i : t.atoms) {
      const auto& table = atoms_[i].table;
      if (std::none_of(table.begin(), table.end(), [](char v) { return v != 0; })) return false;
      if (std::any_of(table.begin(), table.end(), [](char v) { return v == 0; })) kept.push_back(i);
    }
    t.atoms = std::move(kept);
    return true;
  }

  // The atom's value under the current assignment; an open atom names the field to assign.
  Tri atom_value(std::size_t i, int& open_field) const {
    const Atom& a = atoms_[i];
    const int x = assigned_[static_cast<std::size_t>(a.field)];
    if (x < 0) {
      open_field = std::min(open_field, a.field);
      return Tri::Open;
    }
    if (a.second < 0) return a.table[static_cast<std::size_t>(x)] != 0 ? Tri::True : Tri::False;
    const int y = assigned_[static_cast<std::size_t>(a.second)];
    if (y < 0) {
      open_field = std::min(open_field, a.second);
      return Tri::Open;
    }
    return a.table[static_cast<std::size_t>(x) * a.second_size + static_cast<std::size_t>(y)] != 0 ? Tri::True : Tri::False;
  }

  // Some statement of `terms` matches?
  Tri any_matches(const std::vector<Term>& terms, int& open_field) const {
    Tri out = Tri::False;
    int open = open_field;
    for (const auto& t : terms) {
      Tri term = Tri::True;
      int term_open = open_field;
      for (auto i : t.atoms) {
        const Tri v = atom_value(i, term_open);
        if (v == Tri::False) {
          term = Tri::False;
          break;
        }
        if (v == Tri::Open) term = Tri::Open;
      }
      if (term == Tri::True) return Tri::True;
      if (term == Tri::Open) {
        out = Tri::Open;
        open = std::min(open, term_open);
      }
    }
    open_field = open;
    return out;
  }

  TableSearchOutcome descend() {
    if (++nodes_ > limit_) return TableSearchOutcome::TooLarge;
    int open_field = static_cast<int>(sizes_.size());
    for (auto i : goal_atoms_) {
      if (atom_value(i, open_field) == Tri::False) return TableSearchOutcome::NoneExists;
    }
    for (const auto& p : plans_) {
      if (p.want == 0) continue;
      int allow_open = static_cast<int>(sizes_.size()), deny_open = allow_open;
      const Tri allow = any_matches(p.allows, allow_open);
      const Tri deny = allow == Tri::False ? Tri::False : any_matches(p.denies, deny_open);
      const Tri allowed = allow == Tri::False || deny == Tri::True ? Tri::False
                          : allow == Tri::True && deny == Tri::False ? Tri::True
                                                                      : Tri::Open;
      if (allowed != Tri::Open) {
        if ((allowed == Tri::True) != (p.want > 0)) return TableSearchOutcome::NoneExists;
        continue;
      }
      open_field = std::min({open_field, allow == Tri::Open ? allow_open : open_field, deny == Tri::Open ? deny_open : open_field});
    }
    if (open_field == static_cast<int>(sizes_.size())) return TableSearchOutcome::Found;
    auto& slot = assigned_[static_cast<std::size_t>(open_field)];
    for (std::size_t c = 0; c < sizes_[static_cast<std::size_t>(open_field)]; ++c) {
      slot = static_cast<int>(c);
      const auto r = descend();
      if (r != TableSearchOutcome::NoneExists) return r;  // found, or out of budget
    }
    slot = -1;
    return TableSearchOutcome::NoneExists;
  }

  const RequestSpace& space_;
  std::vector<std::vector<std::vector<std::size_t>>> key_choices_;  // per key: its choices (value indices; empty: absent)
  std::vector<std::size_t> sizes_;                                  // per field: how many choices
  std::vector<Atom> atoms_;
  std::vector<PlanTerms> plans_;
  std::vector<std::size_t> goal_atoms_;
  std::vector<int> assigned_;
  std::size_t nodes_ = 0, limit_ = 0;
  bool too_large_ = false;
  std::string unsupported_;
  const AccessRequest neutral_ = neutral_request(space_);
  AccessRequest scratch_;  // statement_term's request, reused: neutral_ but in the field a part reads
};

}  // namespace

TableSearchResult table_search(const RequestSpace& space, const std::vector<const AccessPlan*>& plans, const ProofGoal& goal,
                               std::size_t node_limit) {
  TableSearchResult out;
  Search search(space, plans, goal);
  if (search.too_large()) return out;
  if (!search.unsupported().empty()) {
    out.outcome = TableSearchOutcome::Unsupported;
    out.why = search.unsupported();
    return out;
  }
  out.outcome = search.run(node_limit, out.found, out.nodes);
  return out;
}

}  // namespace regpol
