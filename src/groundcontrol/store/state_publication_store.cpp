#include "groundcontrol/store/state_publication_store.hpp"

namespace groundcontrol::store {

using common::fail;
using common::sql::Connection;

common::Result<std::vector<StatePublication>> StatePublicationStore::list(Connection& db) const {
  auto rows = db.query(
      "SELECT repository, version, document_digest, manifest_digest, published_at, retired_at "
      "FROM state_publications ORDER BY repository");
  if (!rows) return fail(rows.error());
  std::vector<StatePublication> out;
  out.reserve(rows->size());
  for (const auto& row : *rows) {
    out.push_back({row.text(0), static_cast<std::uint64_t>(row.int64(1)), row.text(2), row.text(3),
                   row.text(4), row.text(5)});
  }
  return out;
}

common::Result<bool> StatePublicationStore::record(Connection& db,
                                                   const StatePublication& publication) const {
  auto done = db.exec(
      "INSERT INTO state_publications "
      "(repository, version, document_digest, manifest_digest, published_at, retired_at) "
      "VALUES ($1, $2, $3, $4, $5, '') "
      "ON CONFLICT (repository) DO UPDATE SET version = excluded.version, "
      "document_digest = excluded.document_digest, manifest_digest = excluded.manifest_digest, "
      "published_at = excluded.published_at, retired_at = '' "
      "WHERE state_publications.version < excluded.version",
      {publication.repository, static_cast<std::int64_t>(publication.version),
       publication.document_digest, publication.manifest_digest, publication.published_at});
  if (!done) return fail(done.error());
  return *done > 0;
}

common::Result<bool> StatePublicationStore::retire(Connection& db, std::string_view repository,
                                                   std::uint64_t version,
                                                   std::string_view at) const {
  auto done = db.exec(
      "UPDATE state_publications SET retired_at = $3 "
      "WHERE repository = $1 AND version = $2 AND retired_at = ''",
      {repository, static_cast<std::int64_t>(version), at});
  if (!done) return fail(done.error());
  return *done > 0;
}

}  // namespace groundcontrol::store
