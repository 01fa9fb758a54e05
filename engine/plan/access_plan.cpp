#include "plan/access_plan.h"

#include <arpa/inet.h>
#include <cctype>
#include <cstring>

namespace regpol {

namespace {
struct OpName {
  CondOp op;
  const char* name;
};
constexpr OpName kOps[] = {
    {CondOp::StringEquals, "StringEquals"}, {CondOp::StringNotEquals, "StringNotEquals"},
    {CondOp::StringEqualsIgnoreCase, "StringEqualsIgnoreCase"}, {CondOp::StringNotEqualsIgnoreCase, "StringNotEqualsIgnoreCase"},
    {CondOp::StringLike, "StringLike"}, {CondOp::StringNotLike, "StringNotLike"},
    {CondOp::NumericEquals, "NumericEquals"}, {CondOp::NumericNotEquals, "NumericNotEquals"},
    {CondOp::NumericLessThan, "NumericLessThan"}, {CondOp::NumericLessThanEquals, "NumericLessThanEquals"},
    {CondOp::NumericGreaterThan, "NumericGreaterThan"}, {CondOp::NumericGreaterThanEquals, "NumericGreaterThanEquals"},
    {CondOp::DateEquals, "DateEquals"}, {CondOp::DateNotEquals, "DateNotEquals"},
    {CondOp::DateLessThan, "DateLessThan"}, {CondOp::DateLessThanEquals, "DateLessThanEquals"},
    {CondOp::DateGreaterThan, "DateGreaterThan"}, {CondOp::DateGreaterThanEquals, "DateGreaterThanEquals"},
    {CondOp::Bool, "Bool"}, {CondOp::BinaryEquals, "BinaryEquals"},
    {CondOp::IpAddress, "IpAddress"}, {CondOp::NotIpAddress, "NotIpAddress"},
    {CondOp::ArnEquals, "ArnEquals"}, {CondOp::ArnLike, "ArnLike"},
    {CondOp::ArnNotEquals, "ArnNotEquals"}, {CondOp::ArnNotLike, "ArnNotLike"},
    {CondOp::Null, "Null"},
};
}  // namespace

const char* cond_op_name(CondOp op) {
  for (const auto& o : kOps) {
    if (o.op == op) return o.name;
  }
  return "?";
}

// Operator names are matched exactly, as IAM does ("stringequals" is not an operator).
std::optional<CondOp> cond_op_from_name(std::string_view name) {
  for (const auto& o : kOps) {
    if (name == o.name) return o.op;
  }
  return std::nullopt;
}

std::vector<std::string> all_cond_op_names() {
  std::vector<std::string> out;
  for (const auto& o : kOps) out.emplace_back(o.name);
  return out;
}

bool cond_op_negated(CondOp op) {
  switch (op) {
    case CondOp::StringNotEquals: case CondOp::StringNotEqualsIgnoreCase: case CondOp::StringNotLike:
    case CondOp::NumericNotEquals: case CondOp::DateNotEquals: case CondOp::NotIpAddress:
    case CondOp::ArnNotEquals: case CondOp::ArnNotLike:
      return true;
    default:
      return false;
  }
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  std::string addr(text);
  int prefix = -1;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    if (p.empty() || p.size() > 3) return std::nullopt;
    prefix = 0;
    for (char c : p) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
      prefix = prefix * 10 + (c - '0');
    }
    addr = std::string(text.substr(0, slash));
  }
  Cidr out;
  if (addr.find(':') != std::string::npos) {
    out.v6 = true;
    if (inet_pton(AF_INET6, addr.c_str(), out.addr.data()) != 1) return std::nullopt;
    if (prefix > 128) return std::nullopt;
    out.prefix = prefix < 0 ? 128 : prefix;
  } else {
    in_addr a{};
    if (inet_pton(AF_INET, addr.c_str(), &a) != 1) return std::nullopt;
    std::memcpy(out.addr.data(), &a, 4);
    if (prefix > 32) return std::nullopt;
    out.prefix = prefix < 0 ? 32 : prefix;
  }
  return out;
}

bool cidr_contains(const Cidr& net, const Cidr& address) {
  if (net.v6 != address.v6) return false;
  int bits = net.prefix;
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    std::uint8_t mask = bits >= 8 ? 0xFF : static_cast<std::uint8_t>(0xFF << (8 - bits));
    if ((net.addr[static_cast<std::size_t>(i)] & mask) != (address.addr[static_cast<std::size_t>(i)] & mask)) return false;
  }
  return true;
}

}  // namespace regpol
