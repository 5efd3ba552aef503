#include "groundcontrol/api/command_handlers.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

#include "common/http/json_body.hpp"
#include "common/http/offload.hpp"
#include "groundcontrol/api/json_response.hpp"
#include "groundcontrol/model/kind.hpp"

namespace groundcontrol::api {
namespace {

using common::http::Method;
using common::http::MethodSet;
using common::http::Request;
using common::http::Response;
using common::http::RouteMatch;
using nlohmann::json;

constexpr std::size_t kMaxCommandBodyBytes = 4 * 1024;
constexpr std::size_t kDefaultLimit = 100;
constexpr std::size_t kMaxLimit = 1000;

common::Result<std::size_t> limit_of(const Request& request) {
  const auto text = request.query_param("limit");
  if (!text) return kDefaultLimit;
  std::size_t limit = 0;
  const auto* end = text->data() + text->size();
  if (std::from_chars(text->data(), end, limit).ptr != end || limit == 0 || limit > kMaxLimit)
    return common::fail(common::ErrorCode::kInvalidArgument, "limit: must be 1 … 1000");
  return limit;
}

}  // namespace

std::vector<common::http::Route> CommandHandlers::routes() {
  return {
      {MethodSet{Method::kGet}, "/api/v1/satellites/{name}/commands", "satellite_commands",
       [this](Request& r, const RouteMatch& m) { return list(r, m.param("name")); }},
      {MethodSet{Method::kPost}, "/api/v1/satellites/{name}/commands", "satellite_commands",
       [this](Request& r, const RouteMatch& m) { return issue(r, m.param("name")); }},
      {MethodSet{Method::kGet}, "/api/v1/satellites/{name}/commands/{id}", "satellite_command",
       [this](Request& r, const RouteMatch& m) { return get(r, m.param("name"), m.param("id")); }}};
}

boost::asio::awaitable<Response> CommandHandlers::list(Request& request,
                                                       std::string_view satellite) {
  auto principal = co_await access_.authorize(request, Role::kViewer);
  if (!principal) co_return error_response(principal.error());
  auto limit = limit_of(request);
  if (!limit) co_return error_response(limit.error());
  auto found =
      co_await common::http::offload(pool_, [&] { return commands_.list(satellite, *limit); });
  if (!found) co_return error_response(found.error());
  json items = json::array();
  for (const auto& c : *found) items.push_back(model::to_json(c));
  co_return json_response(200, {{"apiVersion", model::kApiVersion},
                                {"kind", "SatelliteCommandList"},
                                {"satellite", satellite},
                                {"items", std::move(items)}});
}

boost::asio::awaitable<Response> CommandHandlers::issue(Request& request,
                                                        std::string_view satellite) {
  auto principal = co_await access_.authorize(request, Role::kAdmin);
  if (!principal) co_return error_response(principal.error());
  auto body = co_await common::http::read_json_body(request, kMaxCommandBodyBytes);
  if (!body) co_return error_response(body.error());
  auto command = model::parse_command_request(*body);
  if (!command) co_return error_response(command.error());
  const auto state = view_.state_of(satellite);
  const std::string digest = state ? state->state_digest : std::string();
  auto issued = co_await common::http::offload(pool_, [&] {
    return commands_.issue(satellite, *command, digest, service::Actor{principal->actor});
  });
  if (!issued) co_return error_response(issued.error());
  co_return json_response(201, model::to_json(*issued));
}

boost::asio::awaitable<Response> CommandHandlers::get(Request& request, std::string_view satellite,
                                                      std::string_view id) {
  auto principal = co_await access_.authorize(request, Role::kViewer);
  if (!principal) co_return error_response(principal.error());
  auto found = co_await common::http::offload(pool_, [&] { return commands_.get(satellite, id); });
  if (!found) co_return error_response(found.error());
  co_return json_response(200, model::to_json(*found));
}

}  // namespace groundcontrol::api
