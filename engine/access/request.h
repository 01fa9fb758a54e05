#pragma once
// An access request (docs/interfaces.md): who does what to which repository (and tag),
// with the IAM request context. Context keys are case-insensitive; values may be lists.
#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/time.h"

namespace regpol {

struct AccessRequest {
  std::string principal;
  std::string action;
  std::string repository;
  std::string tag;
  std::string digest;
  struct Value {
    std::vector<std::string> values;
    bool multi = false;  // given as a JSON list
  };
  std::map<std::string, Value> context;  // key lower-cased
};

// Parses one request object; false with a message naming the field when malformed.
bool parse_request_json(const std::string& text, AccessRequest& out, std::string& error);

// Adds what IAM derives when the context lacks it: aws:PrincipalArn (the role ARN for an
// assumed-role session), aws:PrincipalAccount, aws:CurrentTime (from `now`).
void derive_context(AccessRequest& request, Micros now);

// A bare AWS account id: twelve digits ("123456789012"), as principals and policies name them.
inline bool is_account_id(std::string_view s) {
  return s.size() == 12 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The account id of an ARN ("arn:aws:iam::123456789012:role/x" -> "123456789012").
std::string arn_account(const std::string& arn);
// "arn:aws:sts::1:assumed-role/R/session" -> "arn:aws:iam::1:role/R"; other ARNs unchanged.
std::string principal_identity_arn(const std::string& principal);

}  // namespace regpol
