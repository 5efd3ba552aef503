#include "groundcontrol/store/enrollment_store.hpp"

#include <algorithm>

namespace groundcontrol::store {

using common::fail;
using common::sql::Connection;

common::Status EnrollmentStore::put_token(Connection& db, const EnrollmentToken& token,
                                          std::string_view now) const {
  if (auto ok = remove_tokens_of(db, token.satellite); !ok) return ok;
  auto done = db.exec(
      "INSERT INTO enrollment_tokens (token_digest, satellite, created_at, expires_at) "
      "VALUES ($1, $2, $3, $4)",
      {token.token_digest, token.satellite, now, token.expires_at});
  if (!done) return fail(done.error());
  return {};
}

common::Result<std::optional<EnrollmentToken>> EnrollmentStore::burn_token(
    Connection& db, std::string_view token_digest, std::string_view now) const {
  auto row = db.query_one(
      "DELETE FROM enrollment_tokens WHERE token_digest = $1 RETURNING satellite, expires_at",
      {token_digest});
  if (!row) return fail(row.error());
  if (!*row || (*row)->text(1) <= now) return std::optional<EnrollmentToken>();
  return EnrollmentToken{std::string(token_digest), (*row)->text(0), (*row)->text(1)};
}

common::Result<std::int64_t> EnrollmentStore::remove_expired_tokens(Connection& db,
                                                                    std::string_view now) const {
  auto done = db.exec("DELETE FROM enrollment_tokens WHERE expires_at < $1", {now});
  if (!done) return fail(done.error());
  return *done;
}

common::Status EnrollmentStore::remove_tokens_of(Connection& db, std::string_view satellite) const {
  auto done = db.exec("DELETE FROM enrollment_tokens WHERE satellite = $1", {satellite});
  if (!done) return fail(done.error());
  return {};
}

common::Status EnrollmentStore::add_certificate(Connection& db, const CertificateRecord& c,
                                                std::string_view now) const {
  if (auto superseded = db.exec("UPDATE certificates SET superseded_at = $2 "
                                "WHERE satellite = $1 AND superseded_at IS NULL",
                                {c.satellite, now});
      !superseded)
    return fail(superseded.error());
  auto done = db.exec(
      "INSERT INTO certificates (serial, satellite, not_before, not_after, revoked_at, issuer) "
      "VALUES ($1, $2, $3, $4, $5, $6)",
      {c.serial, c.satellite, c.not_before, c.not_after, c.revoked_at, c.issuer});
  if (!done) return fail(done.error());
  return {};
}

common::Result<std::vector<CertificateRecord>> EnrollmentStore::certificates_of(
    Connection& db, std::string_view satellite) const {
  auto rows = db.query(
      "SELECT serial, satellite, not_before, not_after, revoked_at, issuer FROM certificates "
      "WHERE satellite = $1 ORDER BY not_before DESC, serial",
      {satellite});
  if (!rows) return fail(rows.error());
  std::vector<CertificateRecord> out;
  for (const auto& r : *rows)
    out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.optional_text(4), r.text(5)});
  return out;
}

common::Result<std::int64_t> EnrollmentStore::revoke_all(Connection& db, std::string_view satellite,
                                                         std::string_view now) const {
  return db.exec(
      "UPDATE certificates SET revoked_at = $2 WHERE satellite = $1 AND revoked_at IS NULL",
      {satellite, now});
}

common::Result<std::vector<IssuerCount>> EnrollmentStore::count_held_by_issuer(
    Connection& db, std::string_view now) const {
  auto rows = db.query(
      "SELECT issuer, COUNT(*) FROM certificates WHERE superseded_at IS NULL "
      "AND revoked_at IS NULL AND not_after > $1 GROUP BY issuer ORDER BY issuer",
      {now});
  if (!rows) return fail(rows.error());
  std::vector<IssuerCount> out;
  for (const auto& r : *rows) out.push_back({r.text(0), r.int64(1)});
  return out;
}

common::Status EnrollmentStore::attribute_unattributed(Connection& db,
                                                       std::string_view issuer) const {
  auto done = db.exec("UPDATE certificates SET issuer = $1 WHERE issuer = ''", {issuer});
  if (!done) return fail(done.error());
  return {};
}

common::Result<std::vector<std::string>> EnrollmentStore::revoke_issued_by(
    Connection& db, std::string_view issuer, std::string_view now) const {
  auto rows = db.query(
      "UPDATE certificates SET revoked_at = $2 WHERE issuer = $1 AND revoked_at IS NULL "
      "RETURNING satellite",
      {issuer, now});
  if (!rows) return fail(rows.error());
  std::vector<std::string> out;
  for (const auto& r : *rows) out.push_back(r.text(0));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

common::Status EnrollmentStore::add_pending_request(Connection& db, std::string_view name,
                                                    std::string_view now) const {
  auto done = db.exec("INSERT INTO pending_enrollment_requests (name, created_at) VALUES ($1, $2)",
                      {name, now});
  if (!done) return fail(done.error());
  return {};
}

common::Status EnrollmentStore::remove_pending_request(Connection& db,
                                                       std::string_view name) const {
  auto done = db.exec("DELETE FROM pending_enrollment_requests WHERE name = $1", {name});
  if (!done) return fail(done.error());
  return {};
}

common::Result<std::int64_t> EnrollmentStore::count_pending_requests(Connection& db) const {
  auto row = db.query_one("SELECT COUNT(*) FROM pending_enrollment_requests");
  if (!row) return fail(row.error());
  return (*row)->int64(0);
}

}  // namespace groundcontrol::store
