#include "groundcontrol/api/bearer_access.hpp"

#include <fmt/format.h>

#include "common/http/offload.hpp"

namespace groundcontrol::api {

std::string_view bearer_token(const common::http::Request& request) {
  auto header = request.header("Authorization");
  constexpr std::string_view kScheme = "Bearer ";
  if (header.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(header[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i])))
      return {};
  header.remove_prefix(kScheme.size());
  while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
  return header;
}

boost::asio::awaitable<common::Result<Principal>> BearerAccess::authorize(
    common::http::Request& request, Role needed) {
  const auto token = std::string(bearer_token(request));
  if (token.empty())
    co_return common::fail(common::ErrorCode::kUnauthenticated,
                           "log in first: send Authorization: Bearer <token>");
  auto principal = co_await common::http::offload(pool_, [&] { return auth_.authenticate(token); });
  if (!principal) co_return principal;
  if (limiter_ != nullptr && !limiter_->allow(principal->actor))
    co_return common::fail(common::ErrorCode::kTooManyRequests,
                           fmt::format("{} is over its rate limit of {} requests a second",
                                       principal->actor, limiter_->limit().rate));
  if (needed == Role::kAdmin && principal->role != Role::kAdmin)
    co_return common::fail(common::ErrorCode::kPermissionDenied,
                           "this needs the admin role; you are a viewer");
  co_return principal;
}

}  // namespace groundcontrol::api
