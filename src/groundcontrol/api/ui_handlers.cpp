#include "groundcontrol/api/ui_handlers.hpp"

#include <algorithm>
#include <string>

#include "groundcontrol/api/json_response.hpp"

namespace groundcontrol::api {
namespace {

namespace http = common::http;

constexpr std::string_view kIndex = "index.html";
constexpr std::string_view kPolicy =
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

// True when the If-None-Match header names `etag` (a list, or "*").
bool matches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match.empty()) return false;
  if (if_none_match == "*") return true;
  for (std::size_t pos = 0; pos < if_none_match.size();) {
    auto end = std::min(if_none_match.find(',', pos), if_none_match.size());
    auto item = if_none_match.substr(pos, end - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == etag) return true;
    pos = end + 1;
  }
  return false;
}

http::Response serve(std::span<const UiAsset> assets, std::string_view name,
                     const http::Request& request) {
  const auto it = std::find_if(assets.begin(), assets.end(),
                               [name](const UiAsset& asset) { return asset.name == name; });
  if (it == assets.end())
    return error_response(common::Error(common::ErrorCode::kNotFound,
                                        "no such file in the web UI: " + std::string(name)));
  http::Response response(matches(request.header("If-None-Match"), it->etag) ? 304 : 200);
  response.set("ETag", std::string(it->etag));
  response.set("Cache-Control", "no-cache");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Content-Security-Policy", std::string(kPolicy));
  response.set("Referrer-Policy", "no-referrer");
  if (response.status == 200) {
    response.set("Content-Type", std::string(it->content_type));
    response.body = std::string(it->bytes);
  }
  return response;
}

boost::asio::awaitable<http::Response> redirect(http::Request&, const http::RouteMatch&) {
  http::Response response(302);
  response.set("Location", "/ui/");
  co_return response;
}

}  // namespace

std::vector<common::http::Route> ui_routes(std::span<const UiAsset> assets) {
  const http::MethodSet read{http::Method::kGet, http::Method::kHead};
  return {
      {read, "/", "ui_root", redirect},
      {read, "/ui", "ui_redirect", redirect},
      {read, "/ui/", "ui_index",
       [assets](http::Request& request, const http::RouteMatch&)
           -> boost::asio::awaitable<http::Response> { co_return serve(assets, kIndex, request); }},
      {read, "/ui/{file}", "ui_file",
       [assets](http::Request& request,
                const http::RouteMatch& match) -> boost::asio::awaitable<http::Response> {
         co_return serve(assets, match.param("file"), request);
       }},
  };
}

}  // namespace groundcontrol::api
