#pragma once
// ECR's tag immutability rule, one place for everyone who decides it (the access evaluator's
// pushes, lint, the `tags_immutable` field of `where`): the repository's setting holds for
// every tag except those an exclusion filter matches, for which it is flipped
// (IMMUTABLE_WITH_EXCLUSION: the filters' tags stay mutable; MUTABLE_WITH_EXCLUSION: only
// they are immutable). Filters are ECR wildcards; `text_of` reads a filter as text, so
// callers holding strings and callers holding a snapshot's interned ids share the rule.
#include <string_view>

#include "match/wildcard.h"

namespace regpol {

template <class Filters, class TextOf>
bool ecr_tag_is_immutable(bool immutable, const Filters& exclusions, TextOf text_of, std::string_view tag) {
  for (const auto& filter : exclusions) {
    if (wildcard_match(text_of(filter), tag, /*question_mark=*/true)) return !immutable;
  }
  return immutable;
}

}  // namespace regpol
