#include "registry/aws/caller_identity.h"

#include <cstdlib>

namespace regpol::aws {

bool get_caller_identity(CredentialChain& credentials, const std::string& region, const std::string& endpoint_url, CallerIdentity& out,
                         EcrError& error) {
  EcrEndpoint endpoint;
  endpoint.region = region;
  endpoint.endpoint_url = endpoint_url;
  // NOLINTNEXTLINE(concurrency-mt-unsafe): regpol never sets the environment
  if (const char* env = std::getenv("AWS_ENDPOINT_URL_STS"); env && *env) endpoint.endpoint_url = env;
  std::string why;
  auto client = EcrClient::create(endpoint, credentials, why, kStsService);
  if (!client) {
    error = {"", "sts: " + why, 0, ErrorKind::BadInput};
    return false;
  }
  nlohmann::json answer;
  if (!client->get("GetCallerIdentity", "/", {{"Action", "GetCallerIdentity"}, {"Version", "2011-06-15"}}, answer, error,
                   {{"Accept", "application/json"}}))
    return false;
  const nlohmann::json* result = nullptr;
  if (answer.contains("GetCallerIdentityResponse") && answer["GetCallerIdentityResponse"].is_object() &&
      answer["GetCallerIdentityResponse"].contains("GetCallerIdentityResult"))
    result = &answer["GetCallerIdentityResponse"]["GetCallerIdentityResult"];
  if (!result || !result->is_object()) {
    error = {"", "sts:GetCallerIdentity: an answer without GetCallerIdentityResult", 0, ErrorKind::BadInput};
    return false;
  }
  out.arn = json_string(*result, "Arn");
  out.account = json_string(*result, "Account");
  if (out.arn.rfind("arn:", 0) != 0 || out.account.size() != 12) {
    error = {"", "sts:GetCallerIdentity: an answer without an ARN and account", 0, ErrorKind::BadInput};
    return false;
  }
  return true;
}

}  // namespace regpol::aws
