#pragma once
// The compiled lifecycle plan: rules in ascending priority with their selections, count
// types and actions, and protect clauses. Immutable once built; evaluated concurrently.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "snapshot/model.h"

namespace regpol {

// Artifacts: `select artifacts [of type [...]]`, the images that are artifacts of another
// (a subject, or a cosign tag), which such rules decide without their subject's cap.
enum class TagStatus { Tagged, Untagged, Any, Artifacts };
enum class TagListKind { None, Prefix, Pattern, ArtifactType };
enum class CountType { ImageCountMoreThan, SinceImagePushed, SinceImagePulled, SinceImageTransitioned };
// Untag: removes the tags the rule's prefix or pattern list names from images that stay
// otherwise; such rules claim no image (docs/lifecycle.md "Untag rules").
enum class LifecycleAction { Expire, Transition, Untag };
enum class OrderBy { PushedAt, Semver };

const char* tag_status_name(TagStatus s);
const char* count_type_name(CountType c);
const char* action_name(LifecycleAction a);

// A `where` refinement or a `per` key, lowered from the policy's expressions. The result
// says whether the value was computable: a missing field is an error, never a silent false.
struct PredicateResult {
  bool ok = true;
  bool value = false;
  std::string error;
};

class ImagePredicate {
 public:
  virtual ~ImagePredicate() = default;
  virtual PredicateResult eval(const Registry& registry, const Image& image, Micros now) const = 0;
  virtual std::string describe() const = 0;
};

class ImageKey {
 public:
  virtual ~ImageKey() = default;
  // The group key of an image (e.g. its semver major), or nullopt when it has none.
  virtual std::optional<std::string> key(const Registry& registry, const Image& image, Micros now) const = 0;
  virtual std::string describe() const = 0;
};

struct Selection {
  TagStatus status = TagStatus::Any;
  TagListKind list_kind = TagListKind::None;
  std::vector<std::string> list;
  StorageClass storage = StorageClass::Standard;
  bool any_storage = false;  // protect clauses without `in archive|standard` cover both classes
  std::shared_ptr<const ImagePredicate> where;
};

struct LifecycleRule {
  std::int64_t priority = 0;
  std::string description;
  Selection selection;
  CountType count_type = CountType::ImageCountMoreThan;
  std::int64_t count_number = 0;  // images for imageCountMoreThan, days for since*
  Micros duration = 0;            // since*: the age threshold (count_number days, or a regpol duration)
  LifecycleAction action = LifecycleAction::Expire;
  OrderBy order = OrderBy::PushedAt;
  std::shared_ptr<const ImageKey> per;
  std::string source;  // "policy.regpol:14:5" or "policy.json#/rules/0"
};

struct ProtectClause {
  std::string label;   // what the report says ("protect tagged pattern [\"prod-*\"]")
  std::string source;
  bool in_use = false;
  Selection selection;
};

struct LifecyclePlan {
  std::vector<LifecycleRule> rules;  // ascending priority
  std::vector<ProtectClause> protects;
  // `allow_empty`: `regpol apply` may delete every image of a repository with this
  // lifecycle (it refuses to otherwise). Its source, or empty when not said.
  std::string allow_empty;
  // Evaluated as ECR evaluates its own lifecycle JSON (`plan --ecr-lifecycle`): an artifact
  // (a manifest with a subject) is an image like any other there, counted and expired by
  // the rules. A regpol lifecycle (false) never lets an artifact go further than its subject.
  bool ecr_exact = false;
};

// True when `image` satisfies the tag part of `sel` (status and prefix/pattern list).
bool tags_match(const Selection& sel, const Registry& registry, const Image& image);
// True when `image` is an artifact (a subject, or a cosign tag `sha256-<hex>.sig`) whose
// artifact type matches an entry of `sel`'s type list (any artifact when the list is empty).
bool is_artifact_of_type(const Selection& sel, const Registry& registry, const Image& image);
// True when `tag` matches an entry of `sel`'s prefix or pattern list: what an untag rule
// removes (any entry suffices; tags_match asks every entry to match some tag).
bool tag_named(const Selection& sel, std::string_view tag);

}  // namespace regpol
