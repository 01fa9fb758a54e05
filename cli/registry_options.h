#pragma once
// The registry options `snapshot pull` and `apply --target` share: for oci://, --insecure,
// --username, --password-stdin; for ECR, --region, --registry-id, --profile, --endpoint-url.
#include "cli/args.h"
#include "driver/registry_connect.h"

namespace regpol::cli {

// The options as the driver takes them; the password is read from stdin here, and only
// with a user name (the driver says that one is missing).
OciConnectOptions oci_connect_options(const Args& args);

// --region, --registry-id, --profile, --endpoint-url.
EcrConnectOptions ecr_connect_options(const Args& args);

}  // namespace regpol::cli
