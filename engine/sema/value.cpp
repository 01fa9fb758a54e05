#include "sema/value.h"

namespace regpol::sema {

const char* type_name(Type t) {
  switch (t) {
    case Type::String: return "string";
    case Type::Number: return "number";
    case Type::Duration: return "duration";
    case Type::Size: return "size";
    case Type::Timestamp: return "timestamp";
    case Type::Bool: return "boolean";
    case Type::List: return "list";
  }
  return "?";
}

const Value* Env::find(const std::string& name) const {
  for (std::size_t i = names_.size(); i-- > 0;) {
    if (names_[i] == name) {
      used_[i] = true;
      return &values_[i];
    }
  }
  return parent_ ? parent_->find(name) : nullptr;
}

std::vector<std::string> Env::unused_names() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (!used_[i]) out.push_back(names_[i]);
  }
  return out;
}

std::vector<std::string> Env::all_names() const {
  std::vector<std::string> out = parent_ ? parent_->all_names() : std::vector<std::string>{};
  out.insert(out.end(), names_.begin(), names_.end());
  return out;
}

}  // namespace regpol::sema
