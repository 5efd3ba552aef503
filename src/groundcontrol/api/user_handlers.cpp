#include "groundcontrol/api/user_handlers.hpp"

#include <nlohmann/json.hpp>

#include "common/http/json_body.hpp"
#include "common/http/offload.hpp"
#include "groundcontrol/api/bearer_access.hpp"
#include "groundcontrol/api/json_response.hpp"
#include "groundcontrol/api/merge_patch_type.hpp"
#include "groundcontrol/model/json_fields.hpp"
#include "groundcontrol/model/kind.hpp"

namespace groundcontrol::api {
namespace {

using common::http::Method;
using common::http::MethodSet;
using common::http::Request;
using common::http::Response;
using common::http::RouteMatch;
using nlohmann::json;

constexpr std::size_t kMaxLoginBytes = 16 * 1024;

json user_json(const service::UserInfo& user) {
  return {{"apiVersion", model::kApiVersion},
          {"kind", "User"},
          {"metadata", {{"name", user.name}, {"creationTimestamp", user.created_at}}},
          {"spec", {{"role", service::role_name(user.role)}}}};
}

struct NewUser {
  std::string name, password;
  service::Role role;
};

common::Result<NewUser> parse_new_user(const json& body) {
  auto fields = model::JsonFields::open(body, "");
  if (!fields) return common::fail(fields.error());
  (void)fields->text("apiVersion");
  (void)fields->text("kind");
  const auto* metadata = fields->take("metadata");
  if (metadata == nullptr) return model::invalid_field("metadata", "required");
  auto meta = model::JsonFields::open(*metadata, "metadata");
  if (!meta) return common::fail(meta.error());
  auto name = meta->required_text("name");
  if (!name) return common::fail(name.error());
  if (auto ok = meta->finish(); !ok) return common::fail(ok.error());
  const auto* spec_value = fields->take("spec");
  if (spec_value == nullptr) return model::invalid_field("spec", "required");
  auto spec = model::JsonFields::open(*spec_value, "spec");
  if (!spec) return common::fail(spec.error());
  auto password = spec->required_text("password");
  if (!password) return common::fail(password.error());
  auto role_text = spec->text("role", "viewer");
  if (!role_text) return common::fail(role_text.error());
  const auto role = service::role_from_name(*role_text);
  if (!role) return model::invalid_field("spec.role", "expected admin or viewer");
  if (auto ok = spec->finish(); !ok) return common::fail(ok.error());
  if (auto ok = fields->finish(); !ok) return common::fail(ok.error());
  return NewUser{std::move(*name), std::move(*password), *role};
}

// The client's address without its port: what failed logins back off by, with the user.
std::string client_address(const Request& request) {
  return std::string(request.remote_address.substr(0, request.remote_address.rfind(':')));
}

common::Result<std::optional<std::string>> optional_text(model::JsonFields& fields,
                                                         std::string_view key) {
  const auto* value = fields.take(key);
  if (value == nullptr || value->is_null()) return std::optional<std::string>();
  if (!value->is_string()) return model::invalid_field(fields.path_of(key), "expected a string");
  return std::optional<std::string>(value->get<std::string>());
}

// The body of a PUT (`replace`: spec.role is required) or of a JSON merge patch (what is
// absent stays) on user `name`. metadata may only repeat the name (and carry the
// resourceVersion a client read back, which users do not have).
common::Result<service::UserChange> parse_user_change(const json& body, std::string_view name,
                                                      bool replace) {
  auto fields = model::JsonFields::open(body, "");
  if (!fields) return common::fail(fields.error());
  (void)fields->text("apiVersion");
  (void)fields->text("kind");
  if (const auto* metadata = fields->take("metadata"); metadata != nullptr) {
    auto meta = model::JsonFields::open(*metadata, "metadata");
    if (!meta) return common::fail(meta.error());
    auto named = meta->text("name", std::string(name));
    if (!named) return common::fail(named.error());
    if (*named != name) return model::invalid_field("metadata.name", "differs from the path");
    (void)meta->take("resourceVersion");
    if (auto ok = meta->finish(); !ok) return common::fail(ok.error());
  }
  service::UserChange change;
  const auto* spec_value = fields->take("spec");
  if (spec_value == nullptr && replace) return model::invalid_field("spec", "required");
  if (spec_value != nullptr) {
    auto spec = model::JsonFields::open(*spec_value, "spec");
    if (!spec) return common::fail(spec.error());
    auto password = optional_text(*spec, "password");
    if (!password) return common::fail(password.error());
    auto current = optional_text(*spec, "currentPassword");
    if (!current) return common::fail(current.error());
    auto role_text = optional_text(*spec, "role");
    if (!role_text) return common::fail(role_text.error());
    if (replace && !*role_text) return model::invalid_field("spec.role", "required");
    if (*role_text) {
      change.role = service::role_from_name(**role_text);
      if (!change.role) return model::invalid_field("spec.role", "expected admin or viewer");
    }
    if (auto ok = spec->finish(); !ok) return common::fail(ok.error());
    change.password = std::move(*password);
    change.current_password = std::move(*current);
  }
  if (auto ok = fields->finish(); !ok) return common::fail(ok.error());
  return change;
}

}  // namespace

std::vector<common::http::Route> UserHandlers::routes() {
  return {
      {MethodSet{Method::kPost}, "/api/v1/login", "login",
       [this](Request& r, const RouteMatch&) { return login(r); }},
      {MethodSet{Method::kPost}, "/api/v1/logout", "logout",
       [this](Request& r, const RouteMatch&) { return logout(r); }},
      {MethodSet{Method::kGet}, "/api/v1/users", "users",
       [this](Request& r, const RouteMatch&) { return list(r); }},
      {MethodSet{Method::kPost}, "/api/v1/users", "users",
       [this](Request& r, const RouteMatch&) { return create(r); }},
      {MethodSet{Method::kGet}, "/api/v1/users/{name}", "user",
       [this](Request& r, const RouteMatch& m) { return get(r, m.param("name")); }},
      {MethodSet{Method::kPut}, "/api/v1/users/{name}", "user",
       [this](Request& r, const RouteMatch& m) { return update(r, m.param("name"), true); }},
      {MethodSet{Method::kPatch}, "/api/v1/users/{name}", "user",
       [this](Request& r, const RouteMatch& m) { return update(r, m.param("name"), false); }},
      {MethodSet{Method::kDelete}, "/api/v1/users/{name}", "user",
       [this](Request& r, const RouteMatch& m) { return remove(r, m.param("name")); }},
  };
}

boost::asio::awaitable<Response> UserHandlers::login(Request& request) {
  auto body = co_await common::http::read_json_body(request, kMaxLoginBytes);
  if (!body) co_return error_response(body.error());
  auto fields = model::JsonFields::open(*body, "");
  if (!fields) co_return error_response(fields.error());
  auto user = fields->required_text("username");
  if (!user) co_return error_response(user.error());
  auto password = fields->required_text("password");
  if (!password) co_return error_response(password.error());
  if (auto ok = fields->finish(); !ok) co_return error_response(ok.error());
  const auto address = client_address(request);
  auto result =
      co_await common::http::offload(pool_, [&] { return auth_.login(*user, *password, address); });
  if (!result) co_return error_response(result.error());
  co_return json_response(200, {{"token", result->token},
                                {"expiresAt", result->expires_at},
                                {"role", service::role_name(result->role)}});
}

boost::asio::awaitable<Response> UserHandlers::logout(Request& request) {
  const auto token = std::string(bearer_token(request));
  if (token.empty())
    co_return error_response(
        common::Error(common::ErrorCode::kUnauthenticated, "send the token to end as Bearer"));
  auto done = co_await common::http::offload(pool_, [&] { return auth_.logout(token); });
  if (!done) co_return error_response(done.error());
  co_return Response(204);
}

boost::asio::awaitable<Response> UserHandlers::list(Request& request) {
  auto principal = co_await access_.authorize(request, Role::kViewer);
  if (!principal) co_return error_response(principal.error());
  auto users = co_await common::http::offload(pool_, [&] { return auth_.list_users(); });
  if (!users) co_return error_response(users.error());
  json items = json::array();
  for (const auto& user : *users) items.push_back(user_json(user));
  co_return json_response(200, {{"apiVersion", model::kApiVersion},
                                {"kind", "UserList"},
                                {"metadata", json::object()},  // one page: no `continue`
                                {"items", items}});
}

boost::asio::awaitable<Response> UserHandlers::create(Request& request) {
  auto principal = co_await access_.authorize(request, Role::kAdmin);
  if (!principal) co_return error_response(principal.error());
  auto body = co_await common::http::read_json_body(request, kMaxLoginBytes);
  if (!body) co_return error_response(body.error());
  auto user = parse_new_user(*body);
  if (!user) co_return error_response(user.error());
  auto created = co_await common::http::offload(
      pool_, [&] { return auth_.create_user(user->name, user->password, user->role, *principal); });
  if (!created) co_return error_response(created.error());
  co_return json_response(201, user_json(*created));
}

boost::asio::awaitable<Response> UserHandlers::get(Request& request, std::string_view name) {
  auto principal = co_await access_.authorize(request, Role::kViewer);
  if (!principal) co_return error_response(principal.error());
  auto user =
      co_await common::http::offload(pool_, [&] { return auth_.get_user(std::string(name)); });
  if (!user) co_return error_response(user.error());
  co_return json_response(200, user_json(*user));
}

// A viewer passes the viewer check here: the service decides what it may change (its own
// password only).
boost::asio::awaitable<Response> UserHandlers::update(Request& request, std::string_view name,
                                                      bool replace) {
  auto principal = co_await access_.authorize(request, Role::kViewer);
  if (!principal) co_return error_response(principal.error());
  if (!replace) {
    if (auto ok = check_merge_patch_type(request); !ok) co_return error_response(ok.error());
  }
  auto body = co_await common::http::read_json_body(request, kMaxLoginBytes);
  if (!body) co_return error_response(body.error());
  auto change = parse_user_change(*body, name, replace);
  if (!change) co_return error_response(change.error());
  const auto token = std::string(bearer_token(request));
  const auto address = client_address(request);
  auto updated = co_await common::http::offload(pool_, [&] {
    return auth_.update_user(std::string(name), *change, *principal, token, address);
  });
  if (!updated) co_return error_response(updated.error());
  co_return json_response(200, user_json(*updated));
}

boost::asio::awaitable<Response> UserHandlers::remove(Request& request, std::string_view name) {
  auto principal = co_await access_.authorize(request, Role::kAdmin);
  if (!principal) co_return error_response(principal.error());
  auto done = co_await common::http::offload(
      pool_, [&] { return auth_.delete_user(std::string(name), *principal); });
  if (!done) co_return error_response(done.error());
  co_return Response(204);
}

}  // namespace groundcontrol::api
