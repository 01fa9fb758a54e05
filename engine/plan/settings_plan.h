#pragma once
// Repository and registry settings a policy asks for beyond lifecycle, access and tag
// mutability: scan on push, an encryption requirement (checked, never written: ECR fixes
// a repository's encryption when it is created), and the registry's scanning and
// replication configurations. Values are ECR's own spellings, so a comparison with a
// pulled snapshot and the request apply sends use them unchanged.
#include <optional>
#include <string>
#include <vector>

namespace regpol {

// `scan on push` (true) or `scan manual` (false) of a repository block.
struct ScanPlan {
  bool on_push = false;
  std::string source;  // "policy.regpol:6:3"
};

// `require encryption KIND [key "PATTERN"]`.
struct EncryptionRequirement {
  std::string type;         // AES256, KMS or KMS_DSSE
  std::string key_pattern;  // a wildcard pattern over the key ARN; "" for any key
  std::string source;
};

// One rule of the registry's scanning configuration.
struct ScanningRulePlan {
  std::string frequency;             // SCAN_ON_PUSH or CONTINUOUS_SCAN
  std::vector<std::string> filters;  // WILDCARD repository filters
  std::string source;
};

struct ReplicationDestination {
  std::string region;
  std::string account;  // "" for the registry's own account
};

// One rule of the registry's replication configuration.
struct ReplicationRulePlan {
  std::vector<ReplicationDestination> destinations;
  std::vector<std::string> prefixes;  // PREFIX_MATCH repository filters; none: every repository
  std::string source;
};

// The `registry` block. A configuration the block does not mention is not managed.
struct RegistrySettingsPlan {
  std::string source;
  std::optional<std::string> scan_type;  // BASIC or ENHANCED, when `scanning` is written
  std::string scan_type_source;
  bool manages_scanning = false;         // `scanning` or a `scan` rule is written
  std::vector<ScanningRulePlan> scanning_rules;
  bool manages_replication = false;      // a `replicate` rule is written
  std::vector<ReplicationRulePlan> replication_rules;
};

}  // namespace regpol
