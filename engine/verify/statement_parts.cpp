#include "verify/statement_parts.h"

namespace regpol {

AccessRequest neutral_request(const RequestSpace& space) {
  AccessRequest r;
  r.principal = "*";
  r.action = "x";
  r.repository = space.repository;
  return r;
}

void set_caller(AccessRequest& r, const std::string& principal) {
  r.principal = principal;
  r.context.erase("aws:principalarn");
  r.context.erase("aws:principalaccount");
  derive_context(r, 0);
}

Statement statement_part(const Statement& s, bool principal, bool action, bool resource, bool tags) {
  Statement t;
  t.allow = s.allow;
  if (principal) {
    t.principal = s.principal;
    t.principal.orgs.clear();
  } else {
    t.principal.any = true;
  }
  if (action) t.not_action = s.not_action, t.actions = s.actions;
  else t.actions = {"*"};
  if (resource) t.not_resource = s.not_resource, t.resources = s.resources;
  if (tags) t.tag_patterns = s.tag_patterns;
  return t;
}

Condition positive_form(const Condition& c) {
  Condition positive = c;
  positive.qualifier = SetQualifier::None;
  positive.if_exists = false;
  positive.negate = false;
  return positive;
}

}  // namespace regpol
