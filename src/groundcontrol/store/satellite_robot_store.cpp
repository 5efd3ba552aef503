#include "groundcontrol/store/satellite_robot_store.hpp"

#include <nlohmann/json.hpp>

namespace groundcontrol::store {
namespace {

using common::fail;
using common::sql::Connection;

constexpr std::string_view kColumns = "satellite, robot_id, robot_name, projects, expires_at";

common::Result<SatelliteRobot> robot_of(const common::sql::Row& row) {
  const auto projects = nlohmann::json::parse(row.text(3), nullptr, false);
  if (!projects.is_array())
    return fail(common::ErrorCode::kCorruption, "a stored robot's projects are not a list");
  SatelliteRobot robot{row.text(0), row.int64(1), row.text(2), {}, row.text(4)};
  for (const auto& p : projects)
    if (p.is_string()) robot.projects.push_back(p.get<std::string>());
  return robot;
}

}  // namespace

common::Result<std::vector<SatelliteRobot>> SatelliteRobotStore::list(Connection& db) const {
  auto rows = db.query(std::string("SELECT ") + std::string(kColumns) +
                       " FROM satellite_robots ORDER BY satellite");
  if (!rows) return fail(rows.error());
  std::vector<SatelliteRobot> out;
  for (const auto& row : *rows) {
    auto robot = robot_of(row);
    if (!robot) return fail(robot.error());
    out.push_back(std::move(*robot));
  }
  return out;
}

common::Result<std::optional<SatelliteRobot>> SatelliteRobotStore::get(
    Connection& db, std::string_view satellite) const {
  auto row = db.query_one(std::string("SELECT ") + std::string(kColumns) +
                              " FROM satellite_robots WHERE satellite = $1",
                          {satellite});
  if (!row) return fail(row.error());
  if (!*row) return std::optional<SatelliteRobot>();
  auto robot = robot_of(**row);
  if (!robot) return fail(robot.error());
  return std::optional(std::move(*robot));
}

common::Status SatelliteRobotStore::put(Connection& db, const SatelliteRobot& robot) const {
  auto done = db.exec(
      "INSERT INTO satellite_robots (satellite, robot_id, robot_name, projects, expires_at) "
      "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (satellite) DO UPDATE SET "
      "robot_id = excluded.robot_id, robot_name = excluded.robot_name, "
      "projects = excluded.projects, expires_at = excluded.expires_at",
      {robot.satellite, robot.robot_id, robot.robot_name, nlohmann::json(robot.projects).dump(),
       robot.expires_at});
  if (!done) return fail(done.error());
  return {};
}

common::Status SatelliteRobotStore::remove(Connection& db, std::string_view satellite) const {
  auto done = db.exec("DELETE FROM satellite_robots WHERE satellite = $1", {satellite});
  if (!done) return fail(done.error());
  return {};
}

}  // namespace groundcontrol::store
