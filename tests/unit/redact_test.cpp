#include <doctest/doctest.h>

#include "util/redact.h"

using namespace regpol;

TEST_CASE("credentials echoed in an error are removed, the rest kept") {
  CHECK(redact_credentials("HTTP 400: bad header Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.abc.def here") ==
        "HTTP 400: bad header Authorization: Bearer [redacted] here");
  CHECK(redact_credentials("got Authorization: Basic dXNlcjpodW50ZXIy") == "got Authorization: Basic [redacted]");
  CHECK(redact_credentials("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261202/us-east-1/ecr/aws4_request, SignedHeaders=host, Signature=5d672d79c15b") ==
        "AWS4-HMAC-SHA256 Credential=[redacted], SignedHeaders=host, Signature=[redacted]");
  CHECK(redact_credentials(R"({"message": "X-Amz-Security-Token: IQoJb3JpZ2luX2VjE bad", "password": "hunter22"})") ==
        R"({"message": "X-Amz-Security-Token: [redacted] bad", "password": "[redacted]"})");
  CHECK(redact_credentials("the registry echoed my secret s3cr3t-pass!", {"s3cr3t-pass!", "ab"}) == "the registry echoed my secret [redacted]");
  CHECK(redact_credentials("MANIFEST_UNKNOWN: manifest unknown") == "MANIFEST_UNKNOWN: manifest unknown");
  CHECK(redact_credentials("") == "");
}
