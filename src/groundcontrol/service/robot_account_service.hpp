// RobotAccountService: one Harbor robot account per satellite (issue 13), so that each site
// pulls with its own short-lived, pull-only credentials, and one lost site costs one robot.
// The robot (registry::HarborRobotAccounts) has rights on exactly the projects of the
// satellite's desired state (the first path segment of each artifact's repository, across
// all its groups) plus the state project. Ground control keeps its id, name, projects and
// expiry (store::SatelliteRobotStore), never its secret:
//   - credentials_for() makes the robot exist with the projects of now and, when one is due,
//     asks Harbor for a fresh secret, for the config answer over mTLS (a secret is handed
//     over only there). One is due when the satellite holds none of this robot (it names
//     what it holds: the robot's name and expiry), so the many config fetches of a fleet
//     (each config change) cost no new secret, and a secret a satellite holds is never
//     replaced under it by another fetch;
//   - reconcile() (a periodic job) updates the rights of robots whose satellite's projects
//     changed (a membership or a group's artifacts), and deletes the robots of satellites
//     that no longer exist or hold nothing (left every group);
//   - a robot past half its lifetime is made anew at the next credentials_for(): a new
//     secret does not extend a Harbor robot's life.
// Blocking (database and Harbor): call from the blocking pool or the job runner.
// Thread-safety: any thread; robots of one satellite are serialised by the database row.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/service/fleet_view.hpp"
#include "groundcontrol/service/registry_endpoint_service.hpp"
#include "groundcontrol/store/resource_store.hpp"
#include "groundcontrol/store/satellite_robot_store.hpp"

namespace groundcontrol::service {

struct RobotAccountOptions {
  std::string endpoint;       // a RegistryEndpoint of type harbor
  std::string state_project;  // added to every robot's projects ("" none)
  std::chrono::days duration{30};
};

struct RobotCredentials {
  std::string username;    // "robot$satellite-edge-1"
  std::string password;    // the fresh secret; "" when the held one stays (`fresh` false)
  std::string expires_at;  // RFC 3339; "" never
  bool fresh = true;
};

// What a satellite says it holds: the robot's name and the expiry it was given with it.
struct HeldCredentials {
  std::string username;
  std::string expires_at;  // "" never
};

struct RobotRound {
  std::size_t updated = 0;
  std::size_t removed = 0;
  std::vector<std::string> errors;  // "satellite: why"
};

class RobotAccountService {
 public:
  RobotAccountService(common::sql::Database& db, const common::Clock& clock, const FleetView& view,
                      RegistryEndpointService& endpoints, RobotAccountOptions options)
      : db_(db), clock_(clock), view_(view), endpoints_(endpoints), options_(std::move(options)) {}

  // The satellite's robot with the projects of now, and a new secret (the previous one
  // stops working) unless `held` names this very robot (its name and expiry): then the
  // answer has no secret and `fresh` false. A robot at or past half its life is made anew
  // first, so a satellite asking then gets a new robot and secret. kNotFound for an
  // unknown satellite; kConflict when it has no project yet (no artifact and no state
  // project); the endpoint's and Harbor's errors.
  [[nodiscard]] common::Result<RobotCredentials> credentials_for(
      std::string_view satellite, const std::optional<HeldCredentials>& held = std::nullopt);
  // One pass over the robots (header). An error only when Harbor cannot be reached at all.
  [[nodiscard]] common::Result<RobotRound> reconcile();

  // The projects satellite `satellite`'s robot gets now (empty: unknown or none).
  std::set<std::string> projects_of(std::string_view satellite) const;

 private:
  common::sql::Database& db_;
  const common::Clock& clock_;
  const FleetView& view_;
  RegistryEndpointService& endpoints_;
  RobotAccountOptions options_;
  // Whether satellite `satellite` exists in the database (true when it cannot tell).
  bool satellite_exists(const std::string& satellite);

  store::SatelliteRobotStore store_;
  store::ResourceStore resources_;
};

}  // namespace groundcontrol::service
