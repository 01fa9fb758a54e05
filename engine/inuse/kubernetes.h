#pragma once
// The images Kubernetes workloads name, read from `kubectl get KIND -o json` output: one
// object, or a `List` of objects of any kinds. Every workload kind is read where its pods
// are described (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, ReplicationController
// and PodTemplate by their pod template, CronJob by its job template, Pod by its spec and its
// container statuses, whose `imageID` is the digest the node pulled), with init, ephemeral
// and ordinary containers alike; a Deployment at zero replicas, a CronJob between runs and a
// ReplicaSet kept for rollback name their images as a running Pod does.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace regpol {

struct WorkloadImage {
  std::string reference;  // as the workload names it
  std::string where;      // "FILE: items[3].spec.template.spec.containers[0].image"
  std::string user;       // "Deployment shop/web (container app)"
  bool from_status = false;  // a container status's imageID: what the node pulled, absent or a bare id on some runtimes
};

// Appends the images `doc` names. An object regpol cannot read (a kind it does not know that
// has no pod template, a workload without one, a malformed container list) is an error that
// says where, never zero images: a document read as "nothing in use" would let every image go.
// Kinds that never name images (Service, ConfigMap, Secret, …) are passed over.
bool read_kubernetes_document(const nlohmann::json& doc, const std::string& file, std::vector<WorkloadImage>& out,
                              std::string& error);

// True when `doc` looks like kubectl output (an object with `kind` or `items`).
bool is_kubernetes_document(const nlohmann::json& doc);

}  // namespace regpol
