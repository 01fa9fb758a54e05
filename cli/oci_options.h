#pragma once
// The registry options `snapshot pull oci://…` and `apply --target oci://…` share:
// --insecure, --username, --password-stdin (credentials as interfaces.md orders them).
#include <memory>
#include <string>

#include "cli/args.h"
#include "registry/oci/oci_client.h"

namespace regpol::cli {

extern const char* kOciOptionsHelp;

// A client for `address`, or nullptr with `error` (a usage error: a bad address, plain
// http off loopback without --insecure, --password-stdin without --username).
std::unique_ptr<oci::OciClient> open_oci_client(const std::string& address, const Args& args, std::string& error);

}  // namespace regpol::cli
