#include "cli/registry_options.h"

#include <iostream>
#include <iterator>

namespace regpol::cli {

OciConnectOptions oci_connect_options(const Args& args) {
  OciConnectOptions o;
  o.insecure = args.has("--insecure");
  o.username = args.get("--username").value_or("");
  if (args.has("--password-stdin")) {
    std::string password;
    if (!o.username.empty()) {
      password.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
      while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
    }
    o.password = std::move(password);
  }
  return o;
}

EcrConnectOptions ecr_connect_options(const Args& args) {
  EcrConnectOptions o;
  o.region = args.get("--region").value_or("");
  o.registry_id = args.get("--registry-id").value_or("");
  o.profile = args.get("--profile").value_or("");
  o.endpoint_url = args.get("--endpoint-url").value_or("");
  return o;
}

}  // namespace regpol::cli
