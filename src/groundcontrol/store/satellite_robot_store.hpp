// SatelliteRobotStore: the SQL of `satellite_robots`, the Harbor robot account each satellite
// has (issue 13): its id and name in Harbor, the projects it was given rights on, and when
// it expires. Never its secret: ground control asks Harbor for a fresh one each time it
// hands credentials to the satellite. Stateless; calls run in the caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/sql/connection.hpp"

namespace groundcontrol::store {

struct SatelliteRobot {
  std::string satellite;
  std::int64_t robot_id = 0;
  std::string robot_name;             // as Harbor shows it: "robot$satellite-edge-1"
  std::vector<std::string> projects;  // sorted
  std::string expires_at;             // RFC 3339; "" never
};

class SatelliteRobotStore {
 public:
  [[nodiscard]] common::Result<std::vector<SatelliteRobot>> list(common::sql::Connection& db) const;
  [[nodiscard]] common::Result<std::optional<SatelliteRobot>> get(common::sql::Connection& db,
                                                                  std::string_view satellite) const;
  [[nodiscard]] common::Status put(common::sql::Connection& db, const SatelliteRobot& robot) const;
  [[nodiscard]] common::Status remove(common::sql::Connection& db,
                                      std::string_view satellite) const;
};

}  // namespace groundcontrol::store
