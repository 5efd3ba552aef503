#include "groundcontrol/store/artifact_set_store.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace groundcontrol::store {
namespace {

using common::fail;
using common::sql::Connection;
using common::sql::Row;
using nlohmann::json;

std::vector<std::string> strings_from(const std::string& text) {
  std::vector<std::string> out;
  const auto parsed = json::parse(text, nullptr, false);
  if (parsed.is_array())
    for (const auto& item : parsed)
      if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

common::Result<model::Artifact> from_row(const Row& row) {
  auto digest = common::Digest::parse(row.text(2));
  if (!digest)
    return fail(common::ErrorCode::kCorruption, "a stored artifact of a group has a bad digest",
                row.text(2));
  return model::Artifact{row.text(1), std::move(*digest), strings_from(row.text(3)), row.text(4),
                         strings_from(row.text(5))};
}

}  // namespace

ArtifactSetStore::ArtifactSetStore(ArtifactSource source)
    : table_(source == ArtifactSource::kHarbor ? "harbor_artifacts" : "rule_artifacts"),
      select_(fmt::format("SELECT group_name, repository, digest, tags, type, labels FROM {} ",
                          table_)) {}

common::Status ArtifactSetStore::upsert(Connection& db, std::string_view group,
                                        const model::Artifact& a) const {
  auto done = db.exec(
      fmt::format("INSERT INTO {} (group_name, repository, digest, tags, type, labels) "
                  "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (group_name, repository, digest) "
                  "DO UPDATE SET tags = excluded.tags, type = excluded.type, labels = "
                  "excluded.labels",
                  table_),
      {group, a.repository, a.digest.str(), json(a.tags).dump(), a.type, json(a.labels).dump()});
  if (!done) return fail(done.error());
  return {};
}

common::Result<bool> ArtifactSetStore::remove(Connection& db, std::string_view group,
                                              std::string_view repository,
                                              std::string_view digest) const {
  auto done = db.exec(
      fmt::format("DELETE FROM {} WHERE group_name = $1 AND repository = $2 AND digest = $3",
                  table_),
      {group, repository, digest});
  if (!done) return fail(done.error());
  return *done > 0;
}

common::Result<std::int64_t> ArtifactSetStore::clear(Connection& db, std::string_view group) const {
  return db.exec(fmt::format("DELETE FROM {} WHERE group_name = $1", table_), {group});
}

common::Result<std::vector<model::Artifact>> ArtifactSetStore::list(Connection& db,
                                                                    std::string_view group) const {
  auto rows = db.query(select_ + "WHERE group_name = $1 ORDER BY repository, digest", {group});
  if (!rows) return fail(rows.error());
  std::vector<model::Artifact> out;
  for (const auto& row : *rows) {
    auto artifact = from_row(row);
    if (!artifact) return fail(artifact.error());
    out.push_back(std::move(*artifact));
  }
  return out;
}

common::Result<std::map<std::string, std::vector<model::Artifact>, std::less<>>>
ArtifactSetStore::list_all(Connection& db) const {
  auto rows = db.query(select_ + "ORDER BY group_name, repository, digest");
  if (!rows) return fail(rows.error());
  std::map<std::string, std::vector<model::Artifact>, std::less<>> out;
  for (const auto& row : *rows) {
    auto artifact = from_row(row);
    if (!artifact) return fail(artifact.error());
    out[row.text(0)].push_back(std::move(*artifact));
  }
  return out;
}

}  // namespace groundcontrol::store
