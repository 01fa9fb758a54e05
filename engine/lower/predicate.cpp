#include "lower/predicate.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "diag/suggest.h"
#include "format/format.h"
#include "lint/guards.h"
#include "match/semver.h"
#include "match/tag_mutability.h"
#include "match/wildcard.h"
#include "snapshot/graph.h"

namespace regpol {

namespace {

enum class PT { Bool, Num, Str, Time, Dur, StrList, NumList };

const char* pt_name(PT t) {
  switch (t) {
    case PT::Bool: return "boolean";
    case PT::Num: return "number";
    case PT::Str: return "string";
    case PT::Time: return "timestamp";
    case PT::Dur: return "duration";
    case PT::StrList: return "list of strings";
    case PT::NumList: return "list of numbers";
  }
  return "?";
}

struct PV {
  bool b = false;
  double n = 0;           // Num
  std::int64_t us = 0;    // Time, Dur
  std::string_view s;     // Str (points into the registry or the compiled node)
  std::vector<std::string_view> strs;
  std::vector<double> nums;
};

struct Ctx {
  const Registry& reg;
  const Image& img;
  Micros now;
  // A value computed for this image that the registry does not hold (the digest a cosign tag
  // spells, for `subject`); a PV's string view may point here while the image is evaluated.
  mutable std::string scratch = {};
};

struct Node {
  PT type = PT::Bool;
  virtual ~Node() = default;
  // False with `err` set when the value cannot be computed for this image.
  virtual bool eval(const Ctx& c, PV& out, std::string& err) const = 0;
};
using NodePtr = std::unique_ptr<Node>;

struct Literal : Node {
  PV v;
  std::string owned;
  std::vector<std::string> owned_list;
  bool eval(const Ctx&, PV& out, std::string&) const override {
    out = v;
    return true;
  }
};

enum class Field { Tags, Digest, Repository, Size, PushedAt, LastPulledAt, Pulled, MediaType, ArtifactType, StorageClass,
                   Scanned, Now, Age, Critical, High, Medium, Low, Informational, SemverMajor, SemverMinor, SemverPatch,
                   SemverPrerelease, HasSemver, Signed, HasSbom, HasAttestation, Referrers, ReferrerTypes, IsIndex, IsChild,
                   IsArtifact, Subject, TagsImmutable, ScannedAt, ScanAge };

// Whether ECR keeps every tag of `img` on it (match/tag_mutability.h: the repository's
// setting and its exclusion filters). False for an untagged image.
bool tags_immutable(const Registry& reg, const Image& img, bool& known) {
  known = false;
  if (img.repo >= reg.repositories.size()) return false;  // the empty registry of W2203's check
  const Repository& repo = reg.repositories[img.repo];
  known = repo.mutability != Mutability::Unknown;
  if (!known || img.tag_count == 0) return false;
  const bool immutable = repo.mutability == Mutability::Immutable || repo.mutability == Mutability::ImmutableWithExclusion;
  const StrId* tags = reg.tags_of(img);
  for (std::uint32_t t = 0; t < img.tag_count; ++t) {
    if (!ecr_tag_is_immutable(immutable, repo.mutability_exclusions, [&](StrId f) { return reg.str(f); }, reg.str(tags[t]))) return false;
  }
  return true;
}

// The image's place in Registry::images, or a place past the end for an image that is not
// there (the empty registry the W2203 check evaluates against): the graph then has no facts.
std::size_t image_index(const Ctx& c) {
  const Image* first = c.reg.images.data();
  const std::less<const Image*> before;  // defined for pointers into different arrays, unlike `<`
  if (c.reg.images.empty() || before(&c.img, first) || !before(&c.img, first + c.reg.images.size())) return static_cast<std::size_t>(-1);
  return static_cast<std::size_t>(&c.img - first);
}


struct FieldNode : Node {
  Field f;
  bool eval(const Ctx& c, PV& out, std::string& err) const override {
    const Image& img = c.img;
    switch (f) {
      case Field::Tags:
        out.strs.clear();
        for (std::uint32_t i = 0; i < img.tag_count; ++i) out.strs.push_back(c.reg.str(c.reg.tags_of(img)[i]));
        return true;
      case Field::Digest: out.s = c.reg.str(img.digest); return true;
      case Field::Repository: out.s = c.reg.repo_name(img); return true;
      case Field::Size:
        if (img.size_bytes < 0) return (err = "the image has no recorded size"), false;
        out.n = static_cast<double>(img.size_bytes);
        return true;
      case Field::PushedAt: out.us = img.pushed_at; return true;
      case Field::LastPulledAt:
        if (img.last_pulled_at == kNoTime) return (err = "the image was never pulled (guard with `pulled`)"), false;
        out.us = img.last_pulled_at;
        return true;
      case Field::Pulled: out.b = img.last_pulled_at != kNoTime; return true;
      case Field::MediaType: out.s = c.reg.str(img.manifest_media_type); return true;
      case Field::ArtifactType: out.s = c.reg.str(img.artifact_media_type); return true;
      case Field::Subject: {
        out.s = artifact_subject(c.reg, img, c.scratch);
        if (!out.s.empty()) return true;
        return (err = "the image is not an artifact: it has no subject (guard with `is_artifact`)"), false;
      }
      case Field::StorageClass: out.s = img.storage_class() == StorageClass::Archive ? "archive" : "standard"; return true;
      case Field::Scanned: out.b = img.findings[0] >= 0 || img.findings[1] >= 0 || img.findings[2] >= 0 || img.findings[3] >= 0 || img.findings[4] >= 0; return true;
      case Field::Now: out.us = c.now; return true;
      case Field::Age: out.us = c.now - img.pushed_at; return true;
      case Field::Critical: case Field::High: case Field::Medium: case Field::Low: case Field::Informational: {
        bool scanned = false;
        for (auto x : img.findings) scanned = scanned || x >= 0;
        if (!scanned) return (err = "the image has no scan findings (guard with `scanned`)"), false;
        auto v = img.findings[static_cast<int>(f) - static_cast<int>(Field::Critical)];
        out.n = v < 0 ? 0 : v;  // a scanned image reports only the severities it found
        return true;
      }
      case Field::HasSemver: case Field::SemverMajor: case Field::SemverMinor: case Field::SemverPatch: case Field::SemverPrerelease: {
        std::optional<Semver> best;
        for (std::uint32_t i = 0; i < img.tag_count; ++i) {
          auto v = parse_semver(c.reg.str(c.reg.tags_of(img)[i]));
          if (v && (!best || compare_semver(*v, *best) > 0)) best = v;
        }
        if (f == Field::HasSemver) {
          out.b = best.has_value();
          return true;
        }
        if (!best) return (err = "the image has no semantic-version tag (guard with `has_semver`)"), false;
        if (f == Field::SemverPrerelease) {
          // The pre-release text lives in `best`, which dies here: keep a copy in a thread-local.
          thread_local std::string pre;
          pre = best->prerelease;
          out.s = pre;
          return true;
        }
        out.n = Semver::number(f == Field::SemverMajor ? best->major : f == Field::SemverMinor ? best->minor : best->patch);
        return true;
      }
      case Field::IsIndex: out.b = is_index_image(c.reg, img); return true;
      case Field::ScannedAt: case Field::ScanAge: {
        auto it = c.reg.scan_completed_at.find(static_cast<std::uint32_t>(image_index(c)));
        if (it == c.reg.scan_completed_at.end())
          return (err = "the snapshot does not say when the image was scanned (describe-images' imageScanCompletedAt; `regpol snapshot pull ecr` keeps it)"), false;
        out.us = f == Field::ScannedAt ? it->second : c.now - it->second;
        return true;
      }
      case Field::TagsImmutable: {
        bool known = false;
        out.b = tags_immutable(c.reg, img, known);
        if (!known) return (err = "the snapshot does not hold the repository's tag mutability (pull it with `regpol snapshot pull ecr`)"), false;
        return true;
      }
      case Field::Signed: case Field::HasSbom: case Field::HasAttestation: case Field::IsChild: case Field::IsArtifact: {
        const std::uint8_t bit = f == Field::Signed ? ImageGraph::kSigned : f == Field::HasSbom ? ImageGraph::kHasSbom
                                 : f == Field::HasAttestation ? ImageGraph::kHasAttestation : f == Field::IsChild ? ImageGraph::kIsChild
                                 : ImageGraph::kIsArtifact;
        out.b = (c.reg.graph().flags(image_index(c)) & bit) != 0;
        return true;
      }
      case Field::Referrers: case Field::ReferrerTypes: {
        auto [first, last] = c.reg.graph().referrers(image_index(c));
        out.n = static_cast<double>(last - first);
        out.strs.clear();
        if (f == Field::ReferrerTypes) {
          for (const std::uint32_t* r = first; r != last; ++r) {
            std::string_view type = c.reg.str(c.reg.images[*r].artifact_media_type);
            if (!type.empty() && std::find(out.strs.begin(), out.strs.end(), type) == out.strs.end()) out.strs.push_back(type);
          }
        }
        return true;
      }
    }
    return false;
  }
};

struct Unary : Node {
  std::string op;
  NodePtr a;
  bool eval(const Ctx& c, PV& out, std::string& err) const override {
    if (!a->eval(c, out, err)) return false;
    if (op == "not") out.b = !out.b;
    else if (a->type == PT::Num) out.n = -out.n;
    else out.us = -out.us;
    return true;
  }
};

struct Binary : Node {
  std::string op;
  NodePtr a, b;
  std::unique_ptr<RE2> re;
  bool eval(const Ctx& c, PV& out, std::string& err) const override {
    PV x, y;
    if (op == "and" || op == "or") {
      if (!a->eval(c, x, err)) return false;
      if (op == "and" && !x.b) return (out.b = false), true;
      if (op == "or" && x.b) return (out.b = true), true;
      if (!b->eval(c, y, err)) return false;
      out.b = y.b;
      return true;
    }
    if (!a->eval(c, x, err) || !b->eval(c, y, err)) return false;
    PT t = a->type;
    if (op == "+" || op == "-") {
      int sign = op == "+" ? 1 : -1;
      if (type == PT::Num) out.n = x.n + sign * y.n;
      else if (t == PT::Time && b->type == PT::Time) out.us = x.us - y.us;  // Time - Time: a duration
      else out.us = x.us + sign * y.us;
      return true;
    }
    if (op == "*" || op == "/") {
      double f = op == "*" ? y.n : (y.n == 0 ? 0 : 1.0 / y.n);
      if (op == "/" && y.n == 0) return (err = "division by zero"), false;
      if (t == PT::Num) out.n = x.n * f;
      else out.us = static_cast<std::int64_t>(std::llround(static_cast<double>(x.us) * f));
      return true;
    }
    if (op == "like" || op == "not like" || op == "matches") {
      auto one = [&](std::string_view s) {
        return op == "matches" ? RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *re) : wildcard_match(y.s, s, true);
      };
      bool any = false;
      if (t == PT::StrList) for (auto s : x.strs) any = any || one(s);
      else any = one(x.s);
      out.b = op == "not like" ? !any : any;
      return true;
    }
    if (op == "in" || op == "not in") {
      bool found = false;
      if (b->type == PT::StrList) {
        if (t == PT::StrList) {  // every element of the left list is in the right one
          found = std::all_of(x.strs.begin(), x.strs.end(), [&](std::string_view s) { return std::find(y.strs.begin(), y.strs.end(), s) != y.strs.end(); });
        } else {
          found = std::find(y.strs.begin(), y.strs.end(), x.s) != y.strs.end();
        }
      } else {
        found = std::find(y.nums.begin(), y.nums.end(), x.n) != y.nums.end();
      }
      out.b = op == "in" ? found : !found;
      return true;
    }
    int cmp = 0;
    switch (t) {
      case PT::Num: cmp = x.n < y.n ? -1 : x.n > y.n ? 1 : 0; break;
      case PT::Time: case PT::Dur: cmp = x.us < y.us ? -1 : x.us > y.us ? 1 : 0; break;
      case PT::Str: cmp = x.s.compare(y.s); break;
      case PT::Bool: cmp = x.b == y.b ? 0 : 1; break;
      case PT::StrList: cmp = x.strs == y.strs ? 0 : 1; break;
      case PT::NumList: cmp = x.nums == y.nums ? 0 : 1; break;
    }
    if (op == "==") out.b = cmp == 0;
    else if (op == "!=") out.b = cmp != 0;
    else if (op == "<") out.b = cmp < 0;
    else if (op == "<=") out.b = cmp <= 0;
    else if (op == ">") out.b = cmp > 0;
    else out.b = cmp >= 0;
    return true;
  }
};

struct FieldName {
  const char* name;
  Field field;
  PT type;
};
const FieldName kFields[] = {
    {"tags", Field::Tags, PT::StrList}, {"digest", Field::Digest, PT::Str}, {"repository", Field::Repository, PT::Str},
    {"size", Field::Size, PT::Num}, {"pushed_at", Field::PushedAt, PT::Time}, {"last_pulled_at", Field::LastPulledAt, PT::Time},
    {"pulled", Field::Pulled, PT::Bool}, {"media_type", Field::MediaType, PT::Str}, {"artifact_media_type", Field::ArtifactType, PT::Str},
    {"storage_class", Field::StorageClass, PT::Str}, {"scanned", Field::Scanned, PT::Bool}, {"now", Field::Now, PT::Time},
    {"age", Field::Age, PT::Dur}, {"has_semver", Field::HasSemver, PT::Bool},
    {"findings.critical", Field::Critical, PT::Num}, {"findings.high", Field::High, PT::Num}, {"findings.medium", Field::Medium, PT::Num},
    {"findings.low", Field::Low, PT::Num}, {"findings.informational", Field::Informational, PT::Num},
    {"semver.major", Field::SemverMajor, PT::Num}, {"semver.minor", Field::SemverMinor, PT::Num},
    {"semver.patch", Field::SemverPatch, PT::Num}, {"semver.prerelease", Field::SemverPrerelease, PT::Str},
    {"artifact_type", Field::ArtifactType, PT::Str}, {"signed", Field::Signed, PT::Bool}, {"has_sbom", Field::HasSbom, PT::Bool},
    {"has_attestation", Field::HasAttestation, PT::Bool}, {"referrers", Field::Referrers, PT::Num},
    {"referrer_types", Field::ReferrerTypes, PT::StrList}, {"is_index", Field::IsIndex, PT::Bool}, {"is_child", Field::IsChild, PT::Bool},
    {"is_artifact", Field::IsArtifact, PT::Bool}, {"subject", Field::Subject, PT::Str},
    {"tags_immutable", Field::TagsImmutable, PT::Bool}, {"scanned_at", Field::ScannedAt, PT::Time}, {"scan_age", Field::ScanAge, PT::Dur},
};

class Compiler {
 public:
  Compiler(const sema::Env& env, DiagnosticSink& sink) : env_(env), sink_(sink) {}

  NodePtr compile(const ast::Expr& e) {
    switch (e.kind) {
      case ast::ExprKind::Paren: return compile(*e.items[0]);
      case ast::ExprKind::String: case ast::ExprKind::Number: case ast::ExprKind::Duration: case ast::ExprKind::Size:
      case ast::ExprKind::Timestamp: case ast::ExprKind::Bool: case ast::ExprKind::List: {
        sema::Value v;
        if (!literal_value(e, v)) return nullptr;
        return literal(v, e.span);
      }
      case ast::ExprKind::Name: {
        if (const sema::Value* v = env_.find(e.text)) return literal(*v, e.span);
        return field(e.text, e.span);
      }
      case ast::ExprKind::Member: {
        const ast::Expr& base = *e.items[0];
        if (base.kind == ast::ExprKind::Name) return field(base.text + "." + e.text, e.span);
        return error(e.span, "unknown field");
      }
      case ast::ExprKind::Call: return error(e.span, "functions are not available in `where`; use fields such as `semver.major`");
      case ast::ExprKind::Unary: {
        auto n = std::make_unique<Unary>();
        n->op = e.text;
        n->a = compile(*e.items[0]);
        if (!n->a) return nullptr;
        if (e.text == "not" && n->a->type != PT::Bool) return error(e.span, std::string("`not` needs a boolean, not a ") + pt_name(n->a->type));
        if (e.text == "-" && n->a->type != PT::Num && n->a->type != PT::Dur) return error(e.span, "`-` needs a number or a duration");
        n->type = n->a->type;
        return n;
      }
      case ast::ExprKind::Binary: return binary(e);
    }
    return nullptr;
  }

 private:
  NodePtr error(Span sp, std::string message) {
    sink_.error("E0301", sp, std::move(message));
    return nullptr;
  }

  bool literal_value(const ast::Expr& e, sema::Value& v) {
    switch (e.kind) {
      case ast::ExprKind::String: v.type = sema::Type::String; v.str = e.text; return true;
      case ast::ExprKind::Number: v.type = sema::Type::Number; v.number = e.number; return true;
      case ast::ExprKind::Duration: v.type = sema::Type::Duration; v.micros = e.micros; return true;
      case ast::ExprKind::Size: v.type = sema::Type::Size; v.bytes = e.bytes; return true;
      case ast::ExprKind::Timestamp: v.type = sema::Type::Timestamp; v.micros = e.micros; return true;
      case ast::ExprKind::Bool: v.type = sema::Type::Bool; v.boolean = e.boolean; return true;
      case ast::ExprKind::List:
        v.type = sema::Type::List;
        for (const auto& i : e.items) {
          sema::Value x;
          if (i->kind == ast::ExprKind::Name && env_.find(i->text)) x = *env_.find(i->text);
          else if (!literal_value(*i, x)) {
            sink_.error("E0301", i->span, "list items in `where` must be literals or constants");
            return false;
          }
          v.items.push_back(x);
        }
        return true;
      default: return false;
    }
  }

  NodePtr literal(const sema::Value& v, Span sp) {
    auto n = std::make_unique<Literal>();
    switch (v.type) {
      case sema::Type::String: n->type = PT::Str; n->owned = v.str; n->v.s = n->owned; break;
      case sema::Type::Number: n->type = PT::Num; n->v.n = v.number; break;
      case sema::Type::Size: n->type = PT::Num; n->v.n = static_cast<double>(v.bytes); break;
      case sema::Type::Duration: n->type = PT::Dur; n->v.us = v.micros; break;
      case sema::Type::Timestamp: n->type = PT::Time; n->v.us = v.micros; break;
      case sema::Type::Bool: n->type = PT::Bool; n->v.b = v.boolean; break;
      case sema::Type::List: {
        bool strings = std::all_of(v.items.begin(), v.items.end(), [](const sema::Value& x) { return x.type == sema::Type::String; });
        bool numbers = std::all_of(v.items.begin(), v.items.end(), [](const sema::Value& x) {
          return x.type == sema::Type::Number || x.type == sema::Type::Size;
        });
        if (strings) {
          n->type = PT::StrList;
          for (const auto& x : v.items) n->owned_list.push_back(x.str);
          for (const auto& s : n->owned_list) n->v.strs.push_back(s);
        } else if (numbers && !v.items.empty()) {
          n->type = PT::NumList;
          for (const auto& x : v.items) n->v.nums.push_back(x.type == sema::Type::Size ? static_cast<double>(x.bytes) : x.number);
        } else {
          return error(sp, "a list in `where` holds strings or numbers, all of one kind");
        }
        break;
      }
    }
    return n;
  }

  NodePtr field(const std::string& name, Span sp) {
    for (const auto& f : kFields) {
      if (name == f.name) {
        auto n = std::make_unique<FieldNode>();
        n->f = f.field;
        n->type = f.type;
        return n;
      }
    }
    std::vector<std::string> candidates = image_field_names();
    for (const auto& n : env_.all_names()) candidates.push_back(n);
    auto& d = sink_.error("E0201", sp, "unknown name `" + name + "`");
    if (auto s = closest_match(name, candidates)) d.help = "did you mean `" + *s + "`?";
    return nullptr;
  }

  NodePtr binary(const ast::Expr& e) {
    auto n = std::make_unique<Binary>();
    n->op = e.text;
    n->a = compile(*e.items[0]);
    n->b = compile(*e.items[1]);
    if (!n->a || !n->b) return nullptr;
    PT x = n->a->type, y = n->b->type;
    const std::string& op = e.text;
    auto mismatch = [&]() {
      return error(e.span, "`" + op + "` cannot combine a " + pt_name(x) + " and a " + pt_name(y));
    };
    if (op == "and" || op == "or") {
      if (x != PT::Bool || y != PT::Bool) return mismatch();
      n->type = PT::Bool;
    } else if (op == "+" || op == "-") {
      if ((x == PT::Num || x == PT::Dur || x == PT::Time) && y == (x == PT::Num ? PT::Num : PT::Dur)) n->type = x;  // n±n, d±d, t±d
      else if (op == "-" && x == PT::Time && y == PT::Time) n->type = PT::Dur;
      else return mismatch();
    } else if (op == "*" || op == "/") {
      if ((x != PT::Num && x != PT::Dur) || y != PT::Num) return mismatch();
      n->type = x;
    } else if (op == "like" || op == "not like" || op == "matches") {
      if ((x != PT::Str && x != PT::StrList) || y != PT::Str) return mismatch();
      if (op == "matches") {
        const auto* lit = dynamic_cast<const Literal*>(n->b.get());
        if (!lit) return error(e.items[1]->span, "`matches` needs a constant regular expression");
        n->re = std::make_unique<RE2>(lit->owned, RE2::Quiet);
        if (!n->re->ok()) {
          sink_.error("E0307", e.items[1]->span, "invalid regular expression: " + n->re->error());
          return nullptr;
        }
      }
      n->type = PT::Bool;
    } else if (op == "in" || op == "not in") {
      bool ok = (y == PT::StrList && (x == PT::Str || x == PT::StrList)) || (y == PT::NumList && x == PT::Num);
      if (!ok) return mismatch();
      n->type = PT::Bool;
    } else {
      bool ordered = op != "==" && op != "!=";
      if (x != y) return mismatch();
      if (ordered && x != PT::Num && x != PT::Time && x != PT::Dur && x != PT::Str) return mismatch();
      n->type = PT::Bool;
    }
    return n;
  }

  const sema::Env& env_;
  DiagnosticSink& sink_;
};

class Predicate : public ImagePredicate {
 public:
  Predicate(NodePtr root, std::string text) : root_(std::move(root)), text_(std::move(text)) {}
  PredicateResult eval(const Registry& registry, const Image& image, Micros now) const override {
    PredicateResult r;
    PV v;
    Ctx c{registry, image, now};
    r.ok = root_->eval(c, v, r.error);
    r.value = v.b;
    return r;
  }
  std::string describe() const override { return text_; }

 private:
  NodePtr root_;
  std::string text_;
};

class Key : public ImageKey {
 public:
  Key(NodePtr root, std::string text) : root_(std::move(root)), text_(std::move(text)) {}
  std::optional<std::string> key(const Registry& registry, const Image& image, Micros now) const override {
    PV v;
    std::string err;
    Ctx c{registry, image, now};
    if (!root_->eval(c, v, err)) return std::nullopt;  // no key: the image is in the group of those without one
    switch (root_->type) {
      case PT::Num: {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", v.n);
        return std::string(buf);
      }
      case PT::Str: return std::string(v.s);
      case PT::Bool: return std::string(v.b ? "true" : "false");
      case PT::Time: case PT::Dur: return std::to_string(v.us);
      default: return std::nullopt;
    }
  }
  std::string describe() const override { return text_; }

 private:
  NodePtr root_;
  std::string text_;
};


}  // namespace

const std::vector<std::string>& image_field_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& f : kFields) out.emplace_back(f.name);
    return out;
  }();
  return names;
}


std::shared_ptr<const ImagePredicate> compile_where(const ast::Expr& e, const sema::Env& env, DiagnosticSink& sink, bool guard_reads) {
  Compiler c(env, sink);
  auto root = c.compile(e);
  if (!root) return nullptr;
  if (root->type != PT::Bool) {
    sink.error("E0301", e.span, std::string("`where` needs a boolean condition, not a ") + pt_name(root->type));
    return nullptr;
  }
  if (guard_reads) check_guarded_reads(e, env, sink);
  return std::make_shared<Predicate>(std::move(root), format_expr(e));
}

std::shared_ptr<const ImageKey> compile_key(const ast::Expr& e, const sema::Env& env, DiagnosticSink& sink) {
  Compiler c(env, sink);
  auto root = c.compile(e);
  if (!root) return nullptr;
  if (root->type == PT::StrList || root->type == PT::NumList) {
    sink.error("E0301", e.span, "`per` needs a single value such as `semver.major`, not a list");
    return nullptr;
  }
  return std::make_shared<Key>(std::move(root), format_expr(e));
}

}  // namespace regpol
