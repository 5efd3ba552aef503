#include "groundcontrol/api/group_rule_handlers.hpp"

#include <nlohmann/json.hpp>

#include "common/http/offload.hpp"
#include "groundcontrol/api/json_response.hpp"

namespace groundcontrol::api {

std::vector<common::http::Route> GroupRuleHandlers::routes() {
  using common::http::Method;
  return {{common::http::MethodSet{Method::kPost}, "/api/v1/groups/{name}:sync", "group_sync",
           [this](common::http::Request& r, const common::http::RouteMatch& m) {
             return sync(r, m.param("name"));
           }}};
}

boost::asio::awaitable<common::http::Response> GroupRuleHandlers::sync(
    common::http::Request& request, std::string_view group) {
  auto principal = co_await access_.authorize(request, Role::kAdmin);
  if (!principal) co_return error_response(principal.error());
  auto evaluated = co_await common::http::offload(
      pool_, [&] { return rules_.evaluate(group, service::Actor{principal->actor}); });
  if (!evaluated) co_return error_response(evaluated.error());
  nlohmann::json body = {{"group", evaluated->group},
                         {"time", evaluated->time},
                         {"selected", evaluated->selected},
                         {"added", evaluated->added},
                         {"removed", evaluated->removed},
                         {"moved", evaluated->moved},
                         {"error", nullptr}};
  if (evaluated->error) body["error"] = *evaluated->error;
  co_return json_response(200, std::move(body));
}

}  // namespace groundcontrol::api
