#include "groundcontrol/service/status_rollup.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <unordered_map>
#include <vector>

#include "common/time_format.hpp"
#include "groundcontrol/model/kind.hpp"
#include "groundcontrol/service/fleet_sync.hpp"

namespace groundcontrol::service {
namespace {}  // namespace

common::Result<std::size_t> StatusRollup::run() {
  std::unordered_map<std::string, store::RolledUp> shown;
  auto read = db_.transact(
      [&](common::sql::Connection& db) -> common::Status {
        auto rows = rollups_.scan(db);
        if (!rows) return common::fail(rows.error());
        shown.clear();  // a retried attempt starts over
        shown.reserve(rows->size());
        for (auto& row : *rows) {
          auto name = row.satellite;
          shown.emplace(std::move(name), std::move(row));
        }
        return {};
      },
      {.read_only = true});
  if (!read) return common::fail(read.error());

  std::vector<store::RolledUp> moves;
  auto visited = health_.visit([&](const FleetView::SatelliteFacts& satellite,
                                   model::SatelliteHealth health) {
    const auto connectivity = model::name_of(health.connectivity);
    const auto sync = model::name_of(health.sync);
    const auto found = shown.find(std::string(satellite.name));
    if (found != shown.end() && found->second.connectivity == connectivity &&
        found->second.sync == sync)
      return;
    moves.push_back({std::string(satellite.name), std::string(connectivity), std::string(sync)});
  });
  if (!visited) return common::fail(visited.error());

  const auto kind = model::info(model::Kind::kSatellite).name;
  for (std::size_t begin = 0; begin < moves.size(); begin += kBatch) {
    const auto end = std::min(moves.size(), begin + kBatch);
    auto written = db_.transact([&](common::sql::Connection& db) -> common::Status {
      const auto now = common::format_rfc3339(clock_.now());
      std::int64_t revision = 0;
      for (std::size_t i = begin; i < end; ++i) {
        const auto& move = moves[i];
        auto current = resources_.get(db, kind, move.satellite);
        if (!current) {
          if (current.error().code() == common::ErrorCode::kNotFound) continue;  // just deleted
          return common::fail(current.error());
        }
        auto status = nlohmann::json::parse(current->status, nullptr, false);
        if (!status.is_object()) status = nlohmann::json::object();
        status["connectivity"] = move.connectivity;
        status["sync"] = move.sync;
        auto updated = resources_.update_status(db, std::move(*current), status.dump(), now);
        if (!updated) return common::fail(updated.error());
        revision = updated->meta.resource_version;
        if (auto kept = rollups_.put(db, move); !kept) return kept;
      }
      if (revision == 0) return {};
      return db.notify(kChangeChannel, std::to_string(revision));
    });
    if (!written) return common::fail(written.error());
  }
  return moves.size();
}

}  // namespace groundcontrol::service
