#include "groundcontrol/pki/spiffe_id.hpp"

namespace groundcontrol::pki {
namespace {

using common::ErrorCode;
using common::fail;

constexpr std::string_view kScheme = "spiffe://";
constexpr std::size_t kMaxTrustDomain = 255;

bool trust_domain_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

bool path_char(char c) {
  return trust_domain_char(c) || (c >= 'A' && c <= 'Z');
}

common::Status invalid(std::string_view why, std::string_view id) {
  return fail(ErrorCode::kInvalidArgument, "invalid SPIFFE ID: " + std::string(why),
              std::string(id.substr(0, 256)));
}

}  // namespace

common::Status validate_spiffe_id(std::string_view id) {
  if (id.size() > kMaxSpiffeIdBytes) return invalid("longer than 2048 bytes", id);
  if (!id.starts_with(kScheme)) return invalid("it must start with spiffe://", id);
  const std::string_view rest = id.substr(kScheme.size());
  const auto slash = rest.find('/');
  const std::string_view domain = rest.substr(0, slash);
  if (domain.empty() || domain.size() > kMaxTrustDomain)
    return invalid("the trust domain must be 1-255 characters", id);
  for (const char c : domain)
    if (!trust_domain_char(c)) return invalid("the trust domain allows only [a-z0-9._-]", id);
  if (slash == std::string_view::npos) return invalid("a workload ID needs a path", id);
  std::string_view path = rest.substr(slash);
  while (!path.empty()) {
    path.remove_prefix(1);  // the '/'
    const std::string_view segment = path.substr(0, path.find('/'));
    if (segment.empty()) return invalid("empty path segment or trailing '/'", id);
    if (segment == "." || segment == "..") return invalid("'.' and '..' segments", id);
    for (const char c : segment)
      if (!path_char(c)) return invalid("path segments allow only [A-Za-z0-9._-]", id);
    path.remove_prefix(segment.size());
  }
  return {};
}

}  // namespace groundcontrol::pki
