#include "groundcontrol/api/registry_endpoint_handlers.hpp"

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

}  // namespace

std::vector<common::http::Route> RegistryEndpointHandlers::routes() {
  return {{MethodSet{Method::kPost}, "/api/v1/registryendpoints/{name}:test",
           "registryendpoint_test",
           [this](Request& r, const RouteMatch& m) { return test(r, m.param("name")); }}};
}

boost::asio::awaitable<Response> RegistryEndpointHandlers::test(Request& request,
                                                                std::string_view name) {
  auto principal = co_await access_.authorize(request, Role::kAdmin);
  if (!principal) co_return error_response(principal.error());
  auto result = co_await common::http::offload(pool_, [&] { return endpoints_.test(name); });
  if (!result) co_return error_response(result.error());
  co_return json_response(
      200,
      {{"name", name}, {"ok", result->ok}, {"message", result->message}, {"time", result->time}});
}

}  // namespace groundcontrol::api
