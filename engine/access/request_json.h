#pragma once
// An access request as JSON (docs/request.schema.json): the writer of what
// parse_request_json (access/request.h) reads, kept beside it in access/request.cpp so
// that a request regpol prints (a counterexample, say) always reads back unchanged.
#include <nlohmann/json.hpp>

#include "access/request.h"

namespace regpol {

// principal, action, repository; tag and digest when set; context with each key's value
// (a list where the request held one).
nlohmann::json request_to_json(const AccessRequest& request);

}  // namespace regpol
