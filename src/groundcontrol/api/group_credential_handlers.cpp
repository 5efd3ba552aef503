#include "groundcontrol/api/group_credential_handlers.hpp"

#include <nlohmann/json.hpp>

#include "common/http/offload.hpp"
#include "groundcontrol/api/json_response.hpp"

namespace groundcontrol::api {
namespace {

using common::http::Method;
using common::http::MethodSet;
using common::http::Request;
using common::http::Response;
using common::http::RouteMatch;
using nlohmann::json;

}  // namespace

std::vector<common::http::Route> GroupCredentialHandlers::routes() {
  return {{MethodSet{Method::kPost}, "/api/v1/groups/{name}/credentials", "group_credentials",
           [this](Request& r, const RouteMatch& m) { return create(r, m.param("name")); }},
          {MethodSet{Method::kGet}, "/api/v1/groups/{name}/credentials", "group_credentials",
           [this](Request& r, const RouteMatch& m) { return list(r, m.param("name")); }},
          {MethodSet{Method::kDelete}, "/api/v1/groups/{name}/credentials/{accessId}",
           "group_credential", [this](Request& r, const RouteMatch& m) {
             return remove(r, m.param("name"), m.param("accessId"));
           }}};
}

boost::asio::awaitable<Response> GroupCredentialHandlers::create(Request& request,
                                                                 std::string_view group) {
  auto principal = co_await access_.authorize(request, Role::kAdmin);
  if (!principal) co_return error_response(principal.error());
  auto issued = co_await common::http::offload(
      pool_, [&] { return credentials_.create(group, service::Actor{principal->actor}); });
  if (!issued) co_return error_response(issued.error());
  auto response = json_response(201, {{"group", group},
                                      {"accessId", issued->access_id},
                                      {"secret", issued->secret},
                                      {"createdAt", issued->created_at}});
  response.set("Cache-Control", "no-store");
  co_return response;
}

boost::asio::awaitable<Response> GroupCredentialHandlers::list(Request& request,
                                                               std::string_view group) {
  auto principal = co_await access_.authorize(request, Role::kViewer);
  if (!principal) co_return error_response(principal.error());
  auto found = co_await common::http::offload(pool_, [&] { return credentials_.list(group); });
  if (!found) co_return error_response(found.error());
  json items = json::array();
  for (const auto& c : *found)
    items.push_back({{"accessId", c.access_id}, {"createdAt", c.created_at}});
  co_return json_response(200, {{"group", group}, {"items", std::move(items)}});
}

boost::asio::awaitable<Response> GroupCredentialHandlers::remove(Request& request,
                                                                 std::string_view group,
                                                                 std::string_view access_id) {
  auto principal = co_await access_.authorize(request, Role::kAdmin);
  if (!principal) co_return error_response(principal.error());
  auto done = co_await common::http::offload(pool_, [&] {
    return credentials_.remove(group, access_id, service::Actor{principal->actor});
  });
  if (!done) co_return error_response(done.error());
  co_return Response(204);
}

}  // namespace groundcontrol::api
