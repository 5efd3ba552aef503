#include "groundcontrol/registry/harbor_robot_accounts.hpp"

#include <fmt/format.h>

#include <array>
#include <tuple>

#include "common/http/request.hpp"

namespace groundcontrol::registry {
namespace {

using common::ErrorCode;
using common::fail;

// What a satellite's robot may do on each of its projects: pull (the /v2/ token service's
// check) and read artifacts (details and accessories through the API).
constexpr std::array<std::pair<std::string_view, std::string_view>, 2> kPullAccess{{
    {"repository", "pull"},
    {"artifact", "read"},
}};

// One granted access as Harbor lists it: kind, namespace, resource, action, effect.
using Grant = std::tuple<std::string, std::string, std::string, std::string, std::string>;

std::string string_at(const nlohmann::json& item, std::string_view key) {
  if (!item.is_object()) return {};
  const auto it = item.find(key);
  return it != item.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::set<Grant> wanted_grants(const std::set<std::string>& projects) {
  std::set<Grant> grants;
  for (const auto& project : projects) {
    for (const auto& [resource, action] : kPullAccess) {
      grants.emplace("project", project, std::string(resource), std::string(action), "allow");
    }
  }
  return grants;
}

std::set<Grant> held_grants(const nlohmann::json& robot) {
  std::set<Grant> grants;
  const auto permissions = robot.find("permissions");
  if (permissions == robot.end() || !permissions->is_array()) return grants;
  for (const auto& permission : *permissions) {
    const auto access = permission.is_object() ? permission.find("access") : permission.end();
    if (!permission.is_object() || access == permission.end() || !access->is_array()) continue;
    for (const auto& entry : *access) {
      auto effect = string_at(entry, "effect");
      grants.emplace(string_at(permission, "kind"), string_at(permission, "namespace"),
                     string_at(entry, "resource"), string_at(entry, "action"),
                     effect.empty() ? "allow" : effect);
    }
  }
  return grants;
}

nlohmann::json permissions_json(const std::set<std::string>& projects) {
  auto permissions = nlohmann::json::array();
  for (const auto& project : projects) {
    auto access = nlohmann::json::array();
    for (const auto& [resource, action] : kPullAccess) {
      access.push_back({{"resource", resource}, {"action", action}, {"effect", "allow"}});
    }
    permissions.push_back({{"kind", "project"}, {"namespace", project}, {"access", access}});
  }
  return permissions;
}

// Harbor's robot (and project) name rule: lowercase letters and digits, single '.', '_'
// or '-' between them.
bool valid_robot_name(std::string_view name) {
  bool after_separator = true;
  for (const char c : name) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum) {
      after_separator = false;
    } else if ((c == '.' || c == '_' || c == '-') && !after_separator) {
      after_separator = true;
    } else {
      return false;
    }
  }
  return !name.empty() && !after_separator;
}

std::int64_t int_at(const nlohmann::json& item, std::string_view key, std::int64_t fallback) {
  if (!item.is_object()) return fallback;
  const auto it = item.find(key);
  return it != item.end() && it->is_number_integer() ? it->get<std::int64_t>() : fallback;
}

bool bool_at(const nlohmann::json& item, std::string_view key) {
  if (!item.is_object()) return false;
  const auto it = item.find(key);
  return it != item.end() && it->is_boolean() && it->get<bool>();
}

// Harbor's expires_at: Unix seconds, -1 for never.
std::optional<std::chrono::system_clock::time_point> expiry_of(const nlohmann::json& robot) {
  const auto seconds = int_at(robot, "expires_at", -1);
  if (seconds < 0) return std::nullopt;
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

std::string description_of(std::string_view satellite) {
  return fmt::format("pull-only robot of satellite {}, kept by ground control", satellite);
}

}  // namespace

common::Result<HarborRobot> HarborRobotAccounts::ensure(std::string_view satellite,
                                                        const std::set<std::string>& projects,
                                                        std::optional<std::chrono::days> duration) {
  const auto name = robot_name(satellite);
  if (!valid_robot_name(name)) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("satellite name \"{}\" cannot name a Harbor robot (lowercase letters "
                            "and digits with single '.', '_' or '-' between)",
                            satellite));
  }
  if (projects.empty()) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("the robot of satellite {} needs at least one project", satellite));
  }
  if (duration && duration->count() < 1) {
    return fail(ErrorCode::kInvalidArgument, "a robot's duration is at least one day");
  }
  const std::int64_t days = duration ? duration->count() : -1;
  const auto what = fmt::format("the robot account of satellite {}", satellite);

  auto listed = api_.list("/robots?q=" + common::http::percent_encode("name=" + name), what);
  if (!listed) return fail(std::move(listed.error()));
  const nlohmann::json* found = nullptr;
  for (const auto& robot : *listed) {
    const auto shown = string_at(robot, "name");
    if (shown == prefix_ + name || shown == name) found = &robot;
  }

  nlohmann::json body = {{"name", found ? string_at(*found, "name") : name},
                         {"description", description_of(satellite)},
                         {"level", "system"},
                         {"disable", false},
                         {"duration", days},
                         {"permissions", permissions_json(projects)}};
  if (found == nullptr) return create(body, what);

  const auto id = int_at(*found, "id", 0);
  if (id <= 0) {
    return fail(ErrorCode::kUnavailable,
                fmt::format("{} listed {} without an id", api_.label(), what));
  }
  const bool same = held_grants(*found) == wanted_grants(projects) &&
                    int_at(*found, "duration", 0) == days && !bool_at(*found, "disable");
  if (same) return HarborRobot{id, string_at(*found, "name"), expiry_of(*found), std::nullopt};

  const auto path = fmt::format("/robots/{}", id);
  auto updated = api_.call("PUT", path, what, body);
  if (!updated) return fail(std::move(updated.error()));
  auto now = api_.call("GET", path, what);  // the expiry Harbor computed for the duration
  if (!now) return fail(std::move(now.error()));
  return HarborRobot{id, string_at(*now, "name"), expiry_of(*now), std::nullopt};
}

common::Result<HarborRobot> HarborRobotAccounts::create(const nlohmann::json& body,
                                                        std::string_view what) {
  auto created = api_.call("POST", "/robots", what, body);
  if (!created) return fail(std::move(created.error()));
  const auto id = int_at(*created, "id", 0);
  auto secret = string_at(*created, "secret");
  if (id <= 0 || secret.empty()) {
    return fail(
        ErrorCode::kUnavailable,
        fmt::format("{} created {} but did not answer its id and secret", api_.label(), what));
  }
  return HarborRobot{id, string_at(*created, "name"), expiry_of(*created), std::move(secret)};
}

common::Result<std::string> HarborRobotAccounts::refresh_secret(std::int64_t id) {
  const auto what = fmt::format("robot account {}", id);
  // An empty RobotSec asks Harbor to generate the secret and answer it.
  auto answer = api_.call("PATCH", fmt::format("/robots/{}", id), what, nlohmann::json::object());
  if (!answer) return fail(std::move(answer.error()));
  auto secret = string_at(*answer, "secret");
  if (secret.empty()) {
    return fail(ErrorCode::kUnavailable,
                fmt::format("{} refreshed {} but answered no secret", api_.label(), what));
  }
  return secret;
}

common::Status HarborRobotAccounts::remove(std::int64_t id) {
  auto answer =
      api_.call("DELETE", fmt::format("/robots/{}", id), fmt::format("robot account {}", id));
  if (!answer && answer.error().code() != ErrorCode::kNotFound)
    return fail(std::move(answer.error()));
  return {};
}

}  // namespace groundcontrol::registry
