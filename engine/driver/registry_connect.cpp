#include "driver/registry_connect.h"

namespace regpol {

bool open_ecr(const EcrConnectOptions& options, EcrConnection& out, std::string& error) { return open_aws_json(options, aws::kEcrService, out, error); }

bool open_aws_json(const EcrConnectOptions& options, const aws::AwsJsonService& service, EcrConnection& out, std::string& error) {
  aws::EcrEndpoint endpoint;
  endpoint.region = aws::resolve_region(options.region, options.profile);
  endpoint.registry_id = options.registry_id;
  endpoint.endpoint_url = options.endpoint_url;
  if (!aws::resolve_max_attempts(options.profile, endpoint.max_attempts, endpoint.max_attempts, error)) return false;
  out.credentials = std::make_unique<aws::CredentialChain>(aws::ChainOptions{options.profile, endpoint.region});
  out.client = aws::EcrClient::create(endpoint, *out.credentials, error, service);
  return out.client != nullptr;
}

std::unique_ptr<oci::OciClient> open_oci(const std::string& address, const OciConnectOptions& options, std::string& error) {
  oci::OciEndpoint endpoint;
  if (!oci::parse_oci_address(address, options.insecure, endpoint, error)) return nullptr;
  if (options.password && options.username.empty()) {
    error = "--password-stdin needs --username";
    return nullptr;
  }
  oci::RegistryCredentials credentials;
  if (!oci::resolve_credentials(endpoint.authority, options.username, options.password ? &*options.password : nullptr, credentials, error))
    return nullptr;
  return std::make_unique<oci::OciClient>(std::move(endpoint), std::move(credentials));
}

}  // namespace regpol
