// HarborRobotAccounts: the Harbor robot account of each satellite, through Harbor's robot
// API (Harbor >= 2.2: one system-level robot may hold permissions on several projects).
// A satellite's robot is named "satellite-<satellite name>" (Harbor shows it with its
// prefix, "robot$satellite-<name>"), is system level, and may only pull: on each project
// of the set it is given, exactly `repository:pull` (what the /v2/ token service checks
// for a pull) and `artifact:read` (reading an artifact's details and accessories, e.g. a
// signature), and nothing anywhere else. The caller passes the set: the union of the
// projects of the satellite's groups plus the state project.
//
// Secrets are returned to the caller and never logged, kept or put in an error.
// Thread-safety: every call from any thread (HarborApiClient's); two ensure() of one
// satellite at once may race to create its robot (one then fails with kAlreadyExists:
// call again). Calls block (HTTP).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "groundcontrol/registry/harbor_api_client.hpp"

namespace groundcontrol::registry {

struct HarborRobot {
  std::int64_t id = 0;
  std::string name;  // as Harbor shows it: "robot$satellite-edge-1"
  // nullopt: never expires.
  std::optional<std::chrono::system_clock::time_point> expires_at;
  // Only from the ensure() that created the robot, and from refresh_secret().
  std::optional<std::string> secret;
};

class HarborRobotAccounts {
 public:
  // `api` must outlive this. `prefix` is Harbor's robot name prefix (its setting
  // robot_name_prefix, "robot$" unless changed).
  explicit HarborRobotAccounts(HarborApiClient& api, std::string prefix = "robot$")
      : api_(api), prefix_(std::move(prefix)) {}

  // The robot name (without Harbor's prefix) of satellite `satellite`.
  static std::string robot_name(std::string_view satellite) {
    return "satellite-" + std::string(satellite);
  }

  // Makes satellite `satellite`'s robot exist with pull rights on exactly `projects`,
  // lasting `duration` from its creation (nullopt: never expires). Creates it when absent
  // (found by name; the answer then holds its secret), else updates it when its
  // permissions, duration or disabled state differ (no secret in the answer).
  // kInvalidArgument for an empty set, a duration under a day, or a satellite name Harbor
  // refuses in a robot name; kNotFound for a project Harbor does not have; Harbor's errors
  // otherwise (HarborApiClient).
  [[nodiscard]] common::Result<HarborRobot> ensure(std::string_view satellite,
                                                   const std::set<std::string>& projects,
                                                   std::optional<std::chrono::days> duration);
  // A new secret for robot `id` (the old one stops working). kNotFound when it is gone.
  [[nodiscard]] common::Result<std::string> refresh_secret(std::int64_t id);
  // Deletes robot `id`; one already gone is fine.
  [[nodiscard]] common::Status remove(std::int64_t id);

 private:
  // POSTs the robot `body`; the answer with its secret.
  [[nodiscard]] common::Result<HarborRobot> create(const nlohmann::json& body,
                                                   std::string_view what);

  HarborApiClient& api_;
  const std::string prefix_;
};

}  // namespace groundcontrol::registry
