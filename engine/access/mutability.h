#pragma once
// Tag immutability: a push of tag T to digest D is denied when T is immutable in the
// repository and T already names a different digest (ECR's ImageTagAlreadyExistsException).
// Pushing the same digest under the same tag again is allowed: nothing is overwritten.
#include <map>
#include <string>
#include <vector>

namespace regpol {

struct TagMutability {
  bool immutable = false;
  std::vector<std::string> except;  // wildcard patterns that flip the setting for matching tags
};

bool tag_is_immutable(const TagMutability& m, const std::string& tag);

// Tag -> digest per repository, updated by every allowed push.
class TagState {
 public:
  void set(const std::string& repository, const std::string& tag, const std::string& digest) {
    tags_[repository][tag] = digest;
  }
  // The digest a tag names now, or "" when it names none.
  std::string get(const std::string& repository, const std::string& tag) const;

 private:
  std::map<std::string, std::map<std::string, std::string>> tags_;
};

}  // namespace regpol
