#include "cli/oci_options.h"

#include <iostream>
#include <iterator>

namespace regpol::cli {

const char* kOciOptionsHelp =
    "  --username U           the registry user; with --password-stdin, the password is read\n"
    "                         from stdin (else REGPOL_REGISTRY_USERNAME/REGPOL_REGISTRY_PASSWORD,\n"
    "                         else the Docker config file's `auths`; else anonymous)\n"
    "  --password-stdin       read the password (or token) from stdin\n"
    "  --insecure             plain http to a registry that is not on loopback (loopback is\n"
    "                         http already, as Docker treats localhost registries)\n";

std::unique_ptr<oci::OciClient> open_oci_client(const std::string& address, const Args& args, std::string& error) {
  oci::OciEndpoint endpoint;
  if (!oci::parse_oci_address(address, args.has("--insecure"), endpoint, error)) return nullptr;
  std::string username = args.get("--username").value_or("");
  std::string password;
  bool have_password = false;
  if (args.has("--password-stdin")) {
    if (username.empty()) {
      error = "--password-stdin needs --username";
      return nullptr;
    }
    password.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
    have_password = true;
  }
  oci::RegistryCredentials credentials;
  if (!oci::resolve_credentials(endpoint.authority, username, have_password ? &password : nullptr, credentials, error)) return nullptr;
  return std::make_unique<oci::OciClient>(std::move(endpoint), std::move(credentials));
}

}  // namespace regpol::cli
