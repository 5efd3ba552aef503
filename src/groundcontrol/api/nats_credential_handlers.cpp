#include "groundcontrol/api/nats_credential_handlers.hpp"

#include <nlohmann/json.hpp>

#include "common/fleet_wire/nats_credentials.hpp"
#include "common/http/json_body.hpp"
#include "common/http/offload.hpp"
#include "groundcontrol/api/json_response.hpp"

namespace groundcontrol::api {
namespace {

using common::http::Method;
using common::http::MethodSet;
using common::http::Request;
using common::http::Response;
using common::http::RouteMatch;

constexpr std::size_t kMaxRequestBytes = 1024;
constexpr std::size_t kMaxLeafRequestBytes = 64 * 1024;

}  // namespace

std::vector<common::http::Route> NatsCredentialHandlers::satellite_routes() {
  return {{MethodSet{Method::kPost}, "/satellite/v1/nats/credentials", "satellite_nats_credentials",
           [this](Request& r, const RouteMatch&) { return issue(r); }}};
}

std::vector<common::http::Route> NatsCredentialHandlers::management_routes(Access& access) {
  return {{MethodSet{Method::kPost}, "/api/v1/nats/leafnodes", "nats_leafnodes",
           [this, &access](Request& r, const RouteMatch&) { return leaf(r, access); }}};
}

boost::asio::awaitable<Response> NatsCredentialHandlers::leaf(Request& request, Access& access) {
  auto principal = co_await access.authorize(request, Role::kAdmin);
  if (!principal) co_return error_response(principal.error());
  if (credentials_ == nullptr)
    co_return error_response(common::Error(common::ErrorCode::kNotFound,
                                           "ground control runs without a NATS channel (--nats)"));
  auto body = co_await common::http::read_json_body(request, kMaxLeafRequestBytes);
  if (!body) co_return error_response(body.error());
  if (!body->is_object() || !(*body)["name"].is_string() || !(*body)["satellites"].is_array())
    co_return error_response(common::Error(common::ErrorCode::kInvalidArgument,
                                           "body: {\"name\": NAME, \"satellites\": [NAME, …]}"));
  std::vector<std::string> satellites;
  for (const auto& s : (*body)["satellites"]) {
    if (!s.is_string())
      co_return error_response(
          common::Error(common::ErrorCode::kInvalidArgument, "satellites: expected names"));
    satellites.push_back(s.get<std::string>());
  }
  const auto name = (*body)["name"].get<std::string>();
  auto creds = co_await common::http::offload(
      pool_, [&] { return credentials_->leaf_credentials(name, satellites); });
  if (!creds) co_return error_response(creds.error());
  Response response(200);
  response.set("Content-Type", "text/plain").set("Cache-Control", "no-store");
  response.body = std::move(*creds);
  co_return response;
}

boost::asio::awaitable<Response> NatsCredentialHandlers::issue(Request& request) {
  auto satellite = identity_.satellite_of(request);
  if (!satellite) co_return error_response(satellite.error());
  if (credentials_ == nullptr)
    co_return error_response(common::Error(common::ErrorCode::kNotFound,
                                           "ground control runs without a NATS channel (--nats)"));
  auto body = co_await common::http::read_json_body(request, kMaxRequestBytes);
  if (!body) co_return error_response(body.error());
  auto asked = common::fleet_wire::parse_nats_credentials_request(body->dump());
  if (!asked) co_return error_response(asked.error());
  auto issued = co_await common::http::offload(
      pool_, [&] { return credentials_->issue(*satellite, asked->public_key); });
  if (!issued) co_return error_response(issued.error());
  Response response(200);
  response.set("Content-Type", "application/json").set("Cache-Control", "no-store");
  response.body = common::fleet_wire::to_json(*issued);
  co_return response;
}

}  // namespace groundcontrol::api
