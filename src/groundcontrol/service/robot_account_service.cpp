#include "groundcontrol/service/robot_account_service.hpp"

#include <fmt/format.h>

#include "common/time_format.hpp"
#include "groundcontrol/model/kind.hpp"
#include "groundcontrol/registry/harbor_registry_adapter.hpp"
#include "groundcontrol/registry/harbor_robot_accounts.hpp"

namespace groundcontrol::service {
namespace {

using common::ErrorCode;
using common::fail;

std::string expiry_text(const registry::HarborRobot& robot) {
  return robot.expires_at ? common::format_rfc3339(*robot.expires_at) : std::string();
}

// The Harbor adapter of `endpoint`, or an error saying it is of another type.
common::Result<std::unique_ptr<registry::RegistryAdapter>> harbor_of(
    RegistryEndpointService& endpoints, const std::string& endpoint) {
  auto adapter = endpoints.adapter(endpoint);
  if (!adapter) return fail(adapter.error());
  if (dynamic_cast<registry::HarborRegistryAdapter*>(adapter->get()) == nullptr)
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("robot endpoint \"{}\" is not of type harbor", endpoint));
  return adapter;
}

registry::HarborApiClient& api_of(registry::RegistryAdapter& adapter) {
  return static_cast<registry::HarborRegistryAdapter&>(adapter).api();
}

}  // namespace

std::set<std::string> RobotAccountService::projects_of(std::string_view satellite) const {
  std::set<std::string> projects;
  const auto state = view_.state_of(satellite);
  if (!state) return projects;
  for (const auto& artifact : state->artifacts)
    projects.insert(artifact.repository.substr(0, artifact.repository.find('/')));
  if (!options_.state_project.empty()) projects.insert(options_.state_project);
  return projects;
}

common::Result<RobotCredentials> RobotAccountService::credentials_for(
    std::string_view satellite, const std::optional<HeldCredentials>& held) {
  if (!view_.state_of(satellite))
    return fail(ErrorCode::kNotFound, fmt::format("no satellite \"{}\"", satellite));
  const auto projects = projects_of(satellite);
  if (projects.empty())
    return fail(
        ErrorCode::kConflict,
        fmt::format("satellite \"{}\" holds nothing yet: no project for its robot", satellite));
  auto adapter = harbor_of(endpoints_, options_.endpoint);
  if (!adapter) return fail(adapter.error());
  registry::HarborRobotAccounts robots(api_of(**adapter));
  auto robot = robots.ensure(satellite, projects, options_.duration);
  if (!robot) return fail(robot.error());
  // A robot lasts its duration from its creation, and a new secret does not extend it: past
  // half its life it is made anew, so a satellite never holds credentials about to expire.
  if (robot->expires_at && *robot->expires_at - clock_.now() <= options_.duration / 2) {
    if (auto gone = robots.remove(robot->id); !gone) return fail(gone.error());
    robot = robots.ensure(satellite, projects, options_.duration);
    if (!robot) return fail(robot.error());
  }
  auto secret = robot->secret;
  const bool kept =
      !secret && held && held->username == robot->name && held->expires_at == expiry_text(*robot);
  if (!secret && !kept) {  // an existing robot: its secret is not known here, so make one
    auto fresh = robots.refresh_secret(robot->id);
    if (!fresh) return fail(fresh.error());
    secret = std::move(*fresh);
  }
  const store::SatelliteRobot record{std::string(satellite),
                                     robot->id,
                                     robot->name,
                                     {projects.begin(), projects.end()},
                                     expiry_text(*robot)};
  auto stored = db_.transact([&](common::sql::Connection& db) { return store_.put(db, record); });
  if (!stored) return fail(stored.error());
  if (kept) return RobotCredentials{robot->name, "", record.expires_at, false};
  return RobotCredentials{robot->name, std::move(*secret), record.expires_at, true};
}

bool RobotAccountService::satellite_exists(const std::string& satellite) {
  // This replica's view may lag a satellite made on another: the database decides.
  bool exists = true;  // when the database cannot say, the robot stays
  (void)db_.transact(
      [&](common::sql::Connection& db) -> common::Status {
        auto found = resources_.get(db, model::info(model::Kind::kSatellite).name, satellite);
        exists = found || found.error().code() != common::ErrorCode::kNotFound;
        return {};
      },
      {.read_only = true});
  return exists;
}

common::Result<RobotRound> RobotAccountService::reconcile() {
  std::vector<store::SatelliteRobot> robots;
  auto read = db_.transact(
      [&](common::sql::Connection& db) -> common::Status {
        auto listed = store_.list(db);
        if (!listed) return fail(listed.error());
        robots = std::move(*listed);
        return {};
      },
      {.read_only = true});
  if (!read) return fail(read.error());
  RobotRound round;
  if (robots.empty()) return round;
  auto adapter = harbor_of(endpoints_, options_.endpoint);
  if (!adapter) return fail(adapter.error());
  registry::HarborRobotAccounts accounts(api_of(**adapter));
  for (auto& robot : robots) {
    const auto note = [&](const common::Error& error) {
      round.errors.push_back(fmt::format("{}: {}", robot.satellite, error.message()));
    };
    // Its robot goes when the satellite was deleted (this replica's view may lag one just
    // made: the database decides) or holds nothing (left every group).
    const auto projects = projects_of(robot.satellite);
    if (projects.empty()) {
      if (!view_.state_of(robot.satellite) && satellite_exists(robot.satellite)) continue;
      if (auto gone = accounts.remove(robot.robot_id); !gone) {
        note(gone.error());
        continue;
      }
      auto forgotten = db_.transact(
          [&](common::sql::Connection& db) { return store_.remove(db, robot.satellite); });
      if (!forgotten)
        note(forgotten.error());
      else
        ++round.removed;
      continue;
    }
    if (std::vector<std::string>(projects.begin(), projects.end()) == robot.projects) continue;
    auto updated = accounts.ensure(robot.satellite, projects, options_.duration);
    if (!updated) {
      note(updated.error());
      continue;
    }
    robot.projects.assign(projects.begin(), projects.end());
    robot.robot_id = updated->id;
    robot.expires_at = expiry_text(*updated);
    auto kept = db_.transact([&](common::sql::Connection& db) { return store_.put(db, robot); });
    if (!kept)
      note(kept.error());
    else
      ++round.updated;
  }
  return round;
}

}  // namespace groundcontrol::service
