#include "groundcontrol/api/resource_handlers.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <nlohmann/json.hpp>

#include "common/http/json_body.hpp"
#include "common/http/offload.hpp"
#include "groundcontrol/api/json_response.hpp"
#include "groundcontrol/api/merge_patch_type.hpp"
#include "groundcontrol/api/resource_json.hpp"
#include "groundcontrol/api/watch_stream.hpp"
#include "groundcontrol/model/harbor_state_file.hpp"

namespace groundcontrol::api {
namespace {

using common::ErrorCode;
using common::http::Method;
using common::http::MethodSet;
using common::http::Request;
using common::http::Response;
using common::http::Route;
using common::http::RouteMatch;
using model::Kind;
using nlohmann::json;

// Route patterns and names per kind: literals, as the Router keeps views of them.
struct KindRoutes {
  Kind kind;
  std::string_view collection;
  std::string_view item;
  std::string_view collection_name;
  std::string_view item_name;
  bool writable = true;  // false: get, list and delete only (EnrollmentRequests)
};
constexpr std::array kKindRoutes = {
    KindRoutes{Kind::kSatellite, "/api/v1/satellites", "/api/v1/satellites/{name}", "satellites",
               "satellite"},
    KindRoutes{Kind::kGroup, "/api/v1/groups", "/api/v1/groups/{name}", "groups", "group"},
    KindRoutes{Kind::kSatelliteConfig, "/api/v1/satelliteconfigs",
               "/api/v1/satelliteconfigs/{name}", "satelliteconfigs", "satelliteconfig"},
    KindRoutes{Kind::kEnrollmentRequest, "/api/v1/enrollmentrequests",
               "/api/v1/enrollmentrequests/{name}", "enrollmentrequests", "enrollmentrequest",
               false},
    KindRoutes{Kind::kRegistryEndpoint, "/api/v1/registryendpoints",
               "/api/v1/registryendpoints/{name}", "registryendpoints", "registryendpoint"},
};

service::Actor actor_of(const Principal& principal) {
  return service::Actor{principal.actor};
}

common::Result<std::size_t> parse_limit(const Request& request) {
  const auto text = request.query_param("limit");
  if (!text) return std::size_t{500};
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size())
    return common::fail(ErrorCode::kInvalidArgument, "limit: expected a number");
  return value;
}

common::Result<std::int64_t> parse_version(const std::optional<std::string>& text,
                                           std::string_view field) {
  if (!text || text->empty()) return std::int64_t{0};
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < 0)
    return common::fail(ErrorCode::kInvalidArgument,
                        fmt::format("{}: expected a resourceVersion", field));
  return value;
}

}  // namespace

std::vector<Route> ResourceHandlers::routes() {
  std::vector<Route> out;
  for (const auto& k : kKindRoutes) {
    const auto kind = k.kind;
    out.push_back({MethodSet{Method::kGet}, k.collection, k.collection_name,
                   [this, kind](Request& r, const RouteMatch&) { return list(kind, r); }});
    out.push_back(
        {MethodSet{Method::kGet}, k.item, k.item_name,
         [this, kind](Request& r, const RouteMatch& m) { return get(kind, r, m.param("name")); }});
    if (k.writable) {
      out.push_back({MethodSet{Method::kPost}, k.collection, k.collection_name,
                     [this, kind](Request& r, const RouteMatch&) { return create(kind, r); }});
      out.push_back({MethodSet{Method::kPut}, k.item, k.item_name,
                     [this, kind](Request& r, const RouteMatch& m) {
                       return replace(kind, r, m.param("name"));
                     }});
      out.push_back({MethodSet{Method::kPatch}, k.item, k.item_name,
                     [this, kind](Request& r, const RouteMatch& m) {
                       return patch(kind, r, m.param("name"));
                     }});
    }
    out.push_back({MethodSet{Method::kDelete}, k.item, k.item_name,
                   [this, kind](Request& r, const RouteMatch& m) {
                     return remove(kind, r, m.param("name"));
                   }});
  }
  out.push_back(
      {MethodSet{Method::kPut, Method::kPost}, "/api/v1/groups/{name}/state", "group_state",
       [this](Request& r, const RouteMatch& m) { return ingest_state(r, m.param("name")); }});
  out.push_back(
      {MethodSet{Method::kGet}, "/api/v1/groups/{name}/harborartifacts", "group_harbor_artifacts",
       [this](Request& r, const RouteMatch& m) { return harbor_artifacts(r, m.param("name")); }});
  out.push_back({MethodSet{Method::kGet}, "/api/v1/events", "events",
                 [this](Request& r, const RouteMatch&) { return events(r); }});
  return out;
}

boost::asio::awaitable<Response> ResourceHandlers::list(Kind kind, Request& request) {
  auto principal = co_await access_.authorize(request, Role::kViewer);
  if (!principal) co_return error_response(principal.error());
  if (request.query_param("watch").value_or("") == "true") co_return co_await watch(kind, request);
  auto limit = parse_limit(request);
  if (!limit) co_return error_response(limit.error());
  const service::ListQuery query{request.query_param("labelSelector").value_or(""),
                                 request.query_param("fieldSelector").value_or(""), *limit,
                                 request.query_param("continue").value_or(""),
                                 request.query_param("sortBy").value_or("")};
  auto result = co_await common::http::offload(pool_, [&] { return service_.list(kind, query); });
  if (!result) co_return error_response(result.error());
  co_return json_response(200, list_json(model::info(kind).name, *result));
}

boost::asio::awaitable<Response> ResourceHandlers::watch(Kind kind, Request& request) {
  const auto version = request.query_param("resourceVersion");
  if (!version || version->empty())
    co_return error_response(
        common::Error(ErrorCode::kInvalidArgument,
                      "resourceVersion: required with watch=true (a list's, or the last event's)"));
  auto after = parse_version(version, "resourceVersion");
  if (!after) co_return error_response(after.error());
  if (request.query_param("fieldSelector").value_or("") != "")
    co_return error_response(
        common::Error(ErrorCode::kInvalidArgument, "fieldSelector: not supported with watch=true"));
  auto timeout = parse_version(request.query_param("timeoutSeconds"), "timeoutSeconds");
  if (!timeout) co_return error_response(timeout.error());
  const auto wait = std::chrono::seconds(
      *timeout == 0 ? kDefaultWatchSeconds : std::min<std::int64_t>(*timeout, kMaxWatchSeconds));
  auto limit = parse_limit(request);
  if (!limit) co_return error_response(limit.error());
  const service::WatchQuery query{*after, request.query_param("labelSelector").value_or(""),
                                  *limit};
  const auto deadline = request.context->clock().steady_now() + wait;

  // The first read answers its errors as statuses (a stale resourceVersion: 410); the
  // stream then carries the events from there on. Armed before it, so a change committed
  // meanwhile still wakes the stream.
  auto armed = common::http::Wakeup::create();
  service_.notify_on_change(armed);
  auto first = co_await common::http::offload(pool_, [&] { return service_.watch(kind, query); });
  if (!first) co_return error_response(first.error());
  Response response(200);
  response.set("Content-Type", "application/json;stream=watch");
  response.set("Cache-Control", "no-store");
  response.body =
      watch_stream(service_, pool_, *request.context,
                   WatchStreamSpec{kind, query, deadline, std::move(*first), std::move(armed)});
  co_return response;
}

boost::asio::awaitable<Response> ResourceHandlers::create(Kind kind, Request& request) {
  auto principal = co_await access_.authorize(request, Role::kAdmin);
  if (!principal) co_return error_response(principal.error());
  auto body = co_await common::http::read_json_body(request, kMaxBodyBytes);
  if (!body) co_return error_response(body.error());
  auto created = co_await common::http::offload(
      pool_, [&] { return service_.create(kind, *body, actor_of(*principal)); });
  if (!created) co_return error_response(created.error());
  auto document = resource_json(*created);
  std::string diagnostic;
  if (kind == Kind::kSatellite && enrollment_ != nullptr) {
    auto token = co_await common::http::offload(
        pool_, [&] { return enrollment_->issue_token(created->meta.name, actor_of(*principal)); });
    if (token) {
      document["enrollment"] = {{"token", token->token}, {"expiresAt", token->expires_at}};
    } else {
      diagnostic = "enrollment token not issued: " + token.error().message();
    }
  }
  auto response = json_response(201, document);
  response.diagnostic = std::move(diagnostic);
  co_return response;
}

boost::asio::awaitable<Response> ResourceHandlers::get(Kind kind, Request& request,
                                                       std::string_view name) {
  auto principal = co_await access_.authorize(request, Role::kViewer);
  if (!principal) co_return error_response(principal.error());
  auto found = co_await common::http::offload(pool_, [&] { return service_.get(kind, name); });
  if (!found) co_return error_response(found.error());
  co_return json_response(200, resource_json(*found));
}

boost::asio::awaitable<Response> ResourceHandlers::replace(Kind kind, Request& request,
                                                           std::string_view name) {
  auto principal = co_await access_.authorize(request, Role::kAdmin);
  if (!principal) co_return error_response(principal.error());
  auto body = co_await common::http::read_json_body(request, kMaxBodyBytes);
  if (!body) co_return error_response(body.error());
  auto replaced = co_await common::http::offload(
      pool_, [&] { return service_.replace(kind, name, *body, actor_of(*principal)); });
  if (!replaced) co_return error_response(replaced.error());
  co_return json_response(200, resource_json(*replaced));
}

boost::asio::awaitable<Response> ResourceHandlers::patch(Kind kind, Request& request,
                                                         std::string_view name) {
  auto principal = co_await access_.authorize(request, Role::kAdmin);
  if (!principal) co_return error_response(principal.error());
  if (auto ok = check_merge_patch_type(request); !ok) co_return error_response(ok.error());
  auto body = co_await common::http::read_json_body(request, kMaxBodyBytes);
  if (!body) co_return error_response(body.error());
  auto patched = co_await common::http::offload(
      pool_, [&] { return service_.patch(kind, name, *body, actor_of(*principal)); });
  if (!patched) co_return error_response(patched.error());
  co_return json_response(200, resource_json(*patched));
}

boost::asio::awaitable<Response> ResourceHandlers::remove(Kind kind, Request& request,
                                                          std::string_view name) {
  auto principal = co_await access_.authorize(request, Role::kAdmin);
  if (!principal) co_return error_response(principal.error());
  auto expected = parse_version(request.query_param("resourceVersion"), "resourceVersion");
  if (!expected) co_return error_response(expected.error());
  auto removed = co_await common::http::offload(
      pool_, [&] { return service_.remove(kind, name, *expected, actor_of(*principal)); });
  if (!removed) co_return error_response(removed.error());
  co_return json_response(200, resource_json(*removed));
}

boost::asio::awaitable<Response> ResourceHandlers::ingest_state(Request& request,
                                                                std::string_view group) {
  // Two statements, not a conditional of two co_awaits (g++ 12 miscompiles that).
  common::Result<Principal> principal = common::fail(ErrorCode::kUnauthenticated, "");
  if (harbor_ != nullptr)
    principal = co_await harbor_->authorize(request, group);
  else
    principal = co_await access_.authorize(request, Role::kAdmin);
  if (!principal) co_return error_response(principal.error());
  auto body = co_await common::http::read_body(*request.body, kMaxBodyBytes);
  if (!body) co_return error_response(body.error());
  auto file = model::parse_harbor_state_file(*body);
  if (!file) co_return error_response(file.error());
  const bool full = request.query_param("full").value_or("") == "true";
  auto result = co_await common::http::offload(pool_, [&] {
    return service_.ingest_harbor_state(group, *file, full, actor_of(*principal));
  });
  if (!result) co_return error_response(result.error());
  co_return json_response(200, {{"group", group},
                                {"upserted", result->upserted},
                                {"removed", result->removed},
                                {"resourceVersion", std::to_string(result->revision)}});
}

boost::asio::awaitable<Response> ResourceHandlers::harbor_artifacts(Request& request,
                                                                    std::string_view group) {
  auto principal = co_await access_.authorize(request, Role::kViewer);
  if (!principal) co_return error_response(principal.error());
  auto found =
      co_await common::http::offload(pool_, [&]() -> common::Result<std::vector<model::Artifact>> {
        if (auto exists = service_.get(Kind::kGroup, group); !exists)
          return common::fail(exists.error());
        return service_.harbor_artifacts(group);
      });
  if (!found) co_return error_response(found.error());
  co_return json_response(200, {{"group", group}, {"artifacts", model::artifacts_to_json(*found)}});
}

boost::asio::awaitable<Response> ResourceHandlers::events(Request& request) {
  auto principal = co_await access_.authorize(request, Role::kViewer);
  if (!principal) co_return error_response(principal.error());
  store::EventFilter filter{request.query_param("kind").value_or(""),
                            request.query_param("name").value_or("")};
  auto after = parse_version(request.query_param("after"), "after");
  if (!after) co_return error_response(after.error());
  filter.after_revision = *after;
  auto limit = parse_limit(request);
  if (!limit) co_return error_response(limit.error());
  filter.limit = std::clamp<std::size_t>(*limit, 1, 10'000);
  auto found = co_await common::http::offload(pool_, [&] { return service_.events(filter); });
  if (!found) co_return error_response(found.error());
  json items = json::array();
  for (const auto& e : *found)
    items.push_back({{"resourceVersion", std::to_string(e.revision)},
                     {"time", e.at},
                     {"actor", e.actor},
                     {"verb", e.verb},
                     {"kind", e.kind},
                     {"name", e.name},
                     {"message", e.message}});
  co_return json_response(
      200, {{"apiVersion", model::kApiVersion}, {"kind", "EventList"}, {"items", items}});
}

}  // namespace groundcontrol::api
