#pragma once
// Opening a live registry from the options the commands share (`snapshot pull`, `apply
// --target`): the ECR client with its credential chain, the Distribution API client with
// its credentials. The command line only names them; the wiring lives here.
#include <memory>
#include <optional>
#include <string>

#include "registry/aws/credentials.h"
#include "registry/aws/ecr_client.h"
#include "registry/oci/oci_client.h"

namespace regpol {

// --region, --registry-id, --profile, --endpoint-url (docs/ecr.md).
struct EcrConnectOptions {
  std::string region, registry_id, profile, endpoint_url;
};

// The client holds a reference to its credential chain: they live and go together.
struct EcrConnection {
  std::unique_ptr<aws::CredentialChain> credentials;
  std::unique_ptr<aws::EcrClient> client;
};

// False with `error` (a usage error: a bad endpoint URL, no region).
bool open_ecr(const EcrConnectOptions& options, EcrConnection& out, std::string& error);
// The same for another AWS service of the JSON protocol (EventBridge): region, profile and
// credentials resolved as for ECR.
bool open_aws_json(const EcrConnectOptions& options, const aws::AwsJsonService& service, EcrConnection& out, std::string& error);

// --insecure, --username and the password --password-stdin read (interfaces.md orders the
// credentials: these, then REGPOL_REGISTRY_USERNAME/PASSWORD, then the Docker config).
struct OciConnectOptions {
  bool insecure = false;
  std::string username;
  std::optional<std::string> password;
};

// A client for `address`, or nullptr with `error` (a usage error: a bad address, plain
// http off loopback without --insecure, a password without a user name).
std::unique_ptr<oci::OciClient> open_oci(const std::string& address, const OciConnectOptions& options, std::string& error);

}  // namespace regpol
