// What apply does with an ECR failure depends only on its kind (util/error.h): a retryable
// one stops the run to resume later, a refusal is final for that image, a denial is final
// for the run. These pin the kinds of the answers ECR documents.
#include <doctest/doctest.h>

#include "registry/aws/ecr_client.h"

namespace regpol {

TEST_CASE("ecr error kinds: throttling and server errors are retried later, never final") {
  CHECK(aws::kind_of_ecr_error(400, "ThrottlingException", true) == ErrorKind::Retryable);
  CHECK(aws::kind_of_ecr_error(500, "ServerException", false) == ErrorKind::Retryable);
  CHECK(aws::kind_of_ecr_error(503, "", false) == ErrorKind::Retryable);
  CHECK(aws::kind_of_ecr_error(429, "", false) == ErrorKind::Retryable);
  CHECK(aws::kind_of_ecr_error(0, "", false) == ErrorKind::Retryable);  // no answer at all
}

TEST_CASE("ecr error kinds: credentials and permissions refuse the caller, whatever the status") {
  for (const char* type : {"AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
                           "MissingAuthenticationTokenException", "IncompleteSignature", "ExpiredTokenException", "ExpiredToken",
                           "RequestExpired"}) {
    CHECK_MESSAGE(aws::kind_of_ecr_error(400, type, false) == ErrorKind::Denied, type);
  }
  CHECK(aws::kind_of_ecr_error(403, "", false) == ErrorKind::Denied);
}

TEST_CASE("ecr error kinds: an answered no is a refusal of that request") {
  for (const char* type : {"ImageNotFoundException", "RepositoryNotFoundException", "InvalidParameterException",
                           "ImageReferencedByManifestListException", "ValidationException"}) {
    CHECK_MESSAGE(aws::kind_of_ecr_error(400, type, false) == ErrorKind::Refused, type);
  }
}

}  // namespace regpol
