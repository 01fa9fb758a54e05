#include <doctest/doctest.h>

#include "registry/aws/sigv4.h"

using namespace regpol::aws;

namespace {

// The AWS Signature Version 4 test suite (docs.aws.amazon.com/general/latest/gr/
// signature-v4-test-suite.html): credentials AKIDEXAMPLE, region us-east-1, service
// "service", 2015-08-30T12:36:00Z; each case's request and the Signature it must produce.
struct Vector {
  const char* name;
  const char* method;
  const char* path;
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> extra_headers;
  const char* body;
  const char* signed_headers;
  const char* signature;
};

const std::string kToken =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/"
    "qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+"
    "xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

const std::vector<Vector> kVectors = {
    {"get-vanilla", "GET", "/", {}, {}, "", "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
    {"get-vanilla-query-order-key-case", "GET", "/", {{"Param2", "value2"}, {"Param1", "value1"}}, {}, "", "host;x-amz-date",
     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
    {"get-vanilla-query-unreserved", "GET", "/",
     {{"-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}},
     {}, "", "host;x-amz-date", "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
    {"get-vanilla-utf8-query", "GET", "/", {{"\xE1\x88\xB4", "bar"}}, {}, "", "host;x-amz-date",
     "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
    {"get-unreserved", "GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", {}, {}, "", "host;x-amz-date",
     "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
    {"get-utf8", "GET", "/\xE1\x88\xB4", {}, {}, "", "host;x-amz-date", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
    {"get-header-value-trim", "GET", "/", {}, {{"My-Header1", "value1"}, {"My-Header2", "\"a   b   c\""}}, "",
     "host;my-header1;my-header2;x-amz-date", "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
    {"get-header-value-order", "GET", "/", {}, {{"My-Header1", "value4,value1,value3,value2"}}, "", "host;my-header1;x-amz-date",
     "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"},
    {"get-header-key-duplicate", "GET", "/", {}, {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}}, "",
     "host;my-header1;x-amz-date", "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
    {"post-vanilla", "POST", "/", {}, {}, "", "host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
    {"post-vanilla-query", "POST", "/", {{"Param1", "value1"}}, {}, "", "host;x-amz-date",
     "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
    {"post-vanilla-query-nonunreserved", "POST", "/", {{"@#$%^", ""}, {"+", "/,?><`\";:\\|][{}"}}, {}, "", "host;x-amz-date",
     "66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e"},
    {"post-vanilla-query-space", "POST", "/", {{"p", ""}}, {}, "", "host;x-amz-date",
     "e71688addb58a26418614085fb730ba3faa623b461c17f48f2fbdb9361b94a9b"},
    {"post-header-key-sort", "POST", "/", {}, {{"My-Header1", "value1"}}, "", "host;my-header1;x-amz-date",
     "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"},
    {"post-header-value-case", "POST", "/", {}, {{"My-Header1", "VALUE1"}}, "", "host;my-header1;x-amz-date",
     "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
    {"post-sts-header-before", "POST", "/", {}, {{"X-Amz-Security-Token", kToken}}, "", "host;x-amz-date;x-amz-security-token",
     "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"},
    {"post-x-www-form-urlencoded", "POST", "/", {}, {{"Content-Type", "application/x-www-form-urlencoded"}}, "Param1=value1",
     "content-type;host;x-amz-date", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
    {"post-x-www-form-urlencoded-parameters", "POST", "/", {}, {{"Content-Type", "application/x-www-form-urlencoded; charset=utf8"}},
     "Param1=value1", "content-type;host;x-amz-date", "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"},
};

}  // namespace

TEST_CASE("SigV4: the AWS test-suite vectors") {
  SigningKeyParts k{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", "us-east-1", "service", "20150830T123600Z"};
  for (const auto& v : kVectors) {
    SigningRequest r;
    r.method = v.method;
    r.path = v.path;
    r.query = v.query;
    r.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
    for (const auto& h : v.extra_headers) r.headers.push_back(h);
    r.body = v.body;
    std::string expected = std::string("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=") +
                           v.signed_headers + ", Signature=" + v.signature;
    CHECK_MESSAGE(authorization(r, k) == expected, v.name);
  }
}

TEST_CASE("SigV4: the canonical request and string to sign of get-vanilla") {
  SigningRequest r;
  r.method = "GET";
  r.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
  std::string canonical = canonical_request(r);
  CHECK(canonical ==
        "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(string_to_sign(canonical, "20150830T123600Z", "20150830/us-east-1/service/aws4_request") ==
        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
        "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
}

#include "registry/aws/credentials.h"

TEST_CASE("credential answers of the wrong shape are refused, never thrown") {
  regpol::aws::Credentials c;
  std::string err;
  for (const char* bad : {"{\"Version\": \"AKID\", \"SecretAccessKey\": \"s\"}", "{\"Version\": 1, \"AccessKeyId\": 5, \"SecretAccessKey\": \"s\"}",
                          "[1]", "{\"Version\": 1, \"AccessKeyId\": \"a\", \"SecretAccessKey\": \"s\", \"Expiration\": 7}"}) {
    CHECK_MESSAGE(!parse_process_credentials(bad, c, err), bad);
    CHECK(!err.empty());
  }
  CHECK(!parse_container_credentials("{\"Code\": 5, \"AccessKeyId\": \"a\", \"SecretAccessKey\": \"s\", \"Token\": \"t\"}", c, err));
  CHECK(parse_process_credentials("{\"Version\": 1, \"AccessKeyId\": \"a\", \"SecretAccessKey\": \"s\"}", c, err));
  CHECK(c.expiration == regpol::kNoTime);
  CHECK(!parse_sts_web_identity_response("<Credentials><AccessKeyId>a</AccessKeyId></Credentials>", c, err));
}
