#include "inuse/kubernetes.h"

#include <array>
#include <nlohmann/json.hpp>
#include <string_view>

namespace regpol {

namespace {

using nlohmann::json;

// Kinds `kubectl get all` and friends return that describe no pods: passed over.
constexpr std::array<std::string_view, 24> kKindsWithoutImages = {
    "Service", "Endpoints", "EndpointSlice", "ConfigMap", "Secret", "ServiceAccount", "Namespace", "Ingress",
    "IngressClass", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Event", "LimitRange", "ResourceQuota",
    "PersistentVolume", "PersistentVolumeClaim", "StorageClass", "Role", "RoleBinding", "ClusterRole",
    "ClusterRoleBinding", "NetworkPolicy", "Node", "Lease"};

// Where each kind keeps its pod spec, as a path of object keys from the object itself.
struct PodSpecPath {
  std::string_view kind;
  std::array<std::string_view, 6> keys;
};
constexpr std::array<PodSpecPath, 9> kPodSpecPaths = {{
    {"Pod", {"spec"}},
    {"PodTemplate", {"template", "spec"}},
    {"Deployment", {"spec", "template", "spec"}},
    {"ReplicaSet", {"spec", "template", "spec"}},
    {"StatefulSet", {"spec", "template", "spec"}},
    {"DaemonSet", {"spec", "template", "spec"}},
    {"Job", {"spec", "template", "spec"}},
    {"ReplicationController", {"spec", "template", "spec"}},
    {"CronJob", {"spec", "jobTemplate", "spec", "template", "spec"}},
}};

constexpr std::array<std::string_view, 3> kContainerLists = {"initContainers", "containers", "ephemeralContainers"};
constexpr std::array<std::string_view, 3> kStatusLists = {"initContainerStatuses", "containerStatuses",
                                                          "ephemeralContainerStatuses"};
constexpr int kMaxListDepth = 4;

class Reader {
 public:
  Reader(const std::string& file, std::vector<WorkloadImage>& out, std::string& error) : file_(file), out_(out), error_(error) {}

  bool object(const json& obj, const std::string& at, int depth) {
    if (!obj.is_object()) return fail(at, "is not an object");
    const std::string kind = string_field(obj, "kind");
    auto items = obj.find("items");
    if (items != obj.end() && (kind.empty() || is_list_kind(kind))) {
      if (depth >= kMaxListDepth) return fail(at, "nests lists more than " + std::to_string(kMaxListDepth) + " deep");
      if (!items->is_array()) return fail(join(at, "items"), "is not an array");
      for (std::size_t i = 0; i < items->size(); ++i) {
        if (!object((*items)[i], join(at, "items[" + std::to_string(i) + "]"), depth + 1)) return false;
      }
      return true;
    }
    for (std::string_view skip : kKindsWithoutImages) {
      if (kind == skip) return true;
    }
    const std::string label = user_label(obj, kind);
    for (const PodSpecPath& p : kPodSpecPaths) {
      if (kind != p.kind) continue;
      const json* spec = follow(obj, p.keys);
      if (!spec) return fail(at, "is a " + kind + " without " + dotted(p.keys) + " (regpol reads its images there)");
      if (!pod_spec(*spec, join(at, dotted(p.keys)), label)) return false;
      if (kind == "Pod") return pod_status(obj, at, label);
      return true;
    }
    // A kind this reader does not name (an Argo Rollout, a Knative revision, an item without
    // `kind`): read where Kubernetes workloads keep their pods, else refuse it.
    for (const PodSpecPath& p : kPodSpecPaths) {
      const json* spec = follow(obj, p.keys);
      if (!spec || !spec->is_object() || !has_containers(*spec)) continue;
      if (!pod_spec(*spec, join(at, dotted(p.keys)), label)) return false;
      if (p.kind == "Pod") return pod_status(obj, at, label);
      return true;
    }
    return fail(at, kind.empty() ? "has no `kind` and no pod spec with containers"
                                 : "is a " + kind + ", which has no pod template regpol can read");
  }

 private:
  const std::string& file_;
  std::vector<WorkloadImage>& out_;
  std::string& error_;

  bool fail(const std::string& at, const std::string& what) {
    error_ = file_ + ": " + (at.empty() ? std::string("the document") : at) + " " + what;
    return false;
  }

  static std::string join(const std::string& at, const std::string& key) { return at.empty() ? key : at + "." + key; }

  static bool is_list_kind(const std::string& kind) {
    return kind == "List" || (kind.size() > 4 && kind.compare(kind.size() - 4, 4, "List") == 0);
  }

  static std::string string_field(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
  }

  static std::string user_label(const json& obj, const std::string& kind) {
    std::string ns, name;
    if (auto meta = obj.find("metadata"); meta != obj.end() && meta->is_object()) {
      ns = string_field(*meta, "namespace");
      name = string_field(*meta, "name");
    }
    std::string out = kind.empty() ? "Pod" : kind;
    if (!name.empty()) out += " " + (ns.empty() ? name : ns + "/" + name);
    return out;
  }

  template <std::size_t N>
  static const json* follow(const json& obj, const std::array<std::string_view, N>& keys) {
    const json* at = &obj;
    for (std::string_view k : keys) {
      if (k.empty()) break;
      if (!at->is_object()) return nullptr;
      auto it = at->find(std::string(k));
      if (it == at->end()) return nullptr;
      at = &*it;
    }
    return at;
  }

  template <std::size_t N>
  static std::string dotted(const std::array<std::string_view, N>& keys) {
    std::string out;
    for (std::string_view k : keys) {
      if (k.empty()) break;
      if (!out.empty()) out += '.';
      out += k;
    }
    return out;
  }

  static bool has_containers(const json& spec) {
    auto it = spec.find("containers");
    return it != spec.end() && it->is_array();
  }

  bool pod_spec(const json& spec, const std::string& at, const std::string& label) {
    if (!spec.is_object()) return fail(at, "is not an object");
    if (!has_containers(spec)) return fail(at, "has no `containers` list");
    for (std::string_view list : kContainerLists) {
      auto it = spec.find(std::string(list));
      if (it == spec.end() || it->is_null()) continue;
      if (!it->is_array()) return fail(at + "." + std::string(list), "is not an array");
      for (std::size_t i = 0; i < it->size(); ++i) {
        const json& c = (*it)[i];
        const std::string here = at + "." + std::string(list) + "[" + std::to_string(i) + "]";
        if (!c.is_object()) return fail(here, "is not an object");
        auto image = c.find("image");
        if (image == c.end() || !image->is_string()) return fail(here, "has no `image` string");
        out_.push_back({image->get<std::string>(), file_ + ": " + here + ".image", with_container(label, c), false});
      }
    }
    return true;
  }

  // What the node pulled for each container (a Pod's status): `imageID` carries the digest a
  // tag resolved to when the pod started, which may no longer be what the tag names.
  bool pod_status(const json& pod, const std::string& at, const std::string& label) {
    auto status = pod.find("status");
    if (status == pod.end() || !status->is_object()) return true;
    for (std::string_view list : kStatusLists) {
      auto it = status->find(std::string(list));
      if (it == status->end() || !it->is_array()) continue;
      for (std::size_t i = 0; i < it->size(); ++i) {
        const json& c = (*it)[i];
        if (!c.is_object()) continue;
        const std::string here = join(at, "status." + std::string(list)) + "[" + std::to_string(i) + "]";
        for (const char* field : {"image", "imageID"}) {
          auto v = c.find(field);
          if (v == c.end() || !v->is_string() || v->get_ref<const std::string&>().empty()) continue;
          out_.push_back({v->get<std::string>(), file_ + ": " + here + "." + field, with_container(label, c), true});
        }
      }
    }
    return true;
  }

  static std::string with_container(const std::string& label, const json& c) {
    std::string name = string_field(c, "name");
    return name.empty() ? label : label + " (container " + name + ")";
  }
};

}  // namespace

bool is_kubernetes_document(const nlohmann::json& doc) {
  return doc.is_object() && (doc.contains("kind") || doc.contains("items"));
}

bool read_kubernetes_document(const nlohmann::json& doc, const std::string& file, std::vector<WorkloadImage>& out,
                              std::string& error) {
  Reader reader(file, out, error);
  return reader.object(doc, "", 0);
}

}  // namespace regpol
