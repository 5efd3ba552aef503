#include "groundcontrol/api/harbor_access.hpp"

#include <cctype>

#include "common/crypto/base64.hpp"
#include "common/http/offload.hpp"

namespace groundcontrol::api {
namespace {

constexpr std::string_view kScheme = "basic ";

bool starts_with_scheme(std::string_view header) {
  if (header.size() < kScheme.size()) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return false;
  return true;
}

}  // namespace

common::Result<std::optional<BasicCredentials>> basic_credentials(
    const common::http::Request& request) {
  auto header = request.header("Authorization");
  if (!starts_with_scheme(header)) return std::optional<BasicCredentials>();
  header.remove_prefix(kScheme.size());
  while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
  while (!header.empty() && header.back() == ' ') header.remove_suffix(1);
  auto decoded = common::crypto::base64_decode(header);
  const auto colon = decoded ? decoded->find(':') : std::string::npos;
  if (colon == std::string::npos)
    return common::fail(common::ErrorCode::kUnauthenticated,
                        "malformed basic credentials: expected base64 of <access id>:<secret>");
  return std::optional<BasicCredentials>(
      BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)});
}

boost::asio::awaitable<common::Result<Principal>> HarborAccess::authorize(
    common::http::Request& request, std::string_view group) {
  auto basic = basic_credentials(request);
  if (!basic) co_return common::fail(basic.error());
  if (!*basic) {
    auto admin = co_await access_.authorize(request, Role::kAdmin);
    co_return admin;
  }
  const auto& pair = **basic;
  auto actor = co_await common::http::offload(
      pool_, [&] { return credentials_.authenticate(pair.user, pair.password, group); });
  if (!actor) co_return common::fail(actor.error());
  // A pair may do exactly what an admin may do to this group's state file, no more.
  co_return Principal{actor->name, Role::kAdmin};
}

}  // namespace groundcontrol::api
