#include "groundcontrol/service/enrollment_service.hpp"

#include <fmt/format.h>

#include <functional>

#include <nlohmann/json.hpp>

#include "common/crypto/secret_token.hpp"
#include "common/time_format.hpp"

namespace groundcontrol::service {
namespace {

using common::ErrorCode;
using common::fail;
using common::sql::Connection;
using nlohmann::json;

constexpr std::string_view kTokenPrefix = "gce";  // ground control enrollment
constexpr std::string_view kSatellite = "Satellite";

std::unexpected<common::Error> bad_token() {
  return fail(ErrorCode::kUnauthenticated,
              "the enrollment token is unknown, used or expired; ask for a new one");
}

// Sets the satellite's status.acceptedSerials to the serials of its unrevoked, unexpired
// certificates, after `edit` changed what else of its status changes; records a `verb`
// event with `message` and announces the change, inside the caller's transaction.
common::Result<store::Resource> update_accepted_serials(Connection& db,
                                                        const store::Resource& satellite,
                                                        const std::string& current,
                                                        std::string_view verb, const Actor& actor,
                                                        const std::string& message,
                                                        const std::function<void(json&)>& edit) {
  auto records = store::EnrollmentStore{}.certificates_of(db, satellite.meta.name);
  if (!records) return fail(records.error());
  json accepted = json::array();
  for (const auto& record : *records)
    if (!record.revoked_at && record.not_after > current) accepted.push_back(record.serial);
  auto status = json::parse(satellite.status, nullptr, false);
  if (!status.is_object()) status = json::object();
  edit(status);
  status["acceptedSerials"] = std::move(accepted);
  auto updated = store::ResourceStore{}.update_status(db, kSatellite, satellite.meta.name,
                                                      status.dump(), current);
  if (!updated) return fail(updated.error());
  if (auto ok = store::EventStore{}.record(
          db, {updated->meta.resource_version, current, actor.name, std::string(verb),
               std::string(kSatellite), satellite.meta.name, message});
      !ok)
    return fail(ok.error());
  if (auto ok = db.notify(kChangeChannel, std::to_string(updated->meta.resource_version)); !ok)
    return fail(ok.error());
  return updated;
}

}  // namespace

std::string EnrollmentService::now() const {
  return common::format_rfc3339(clock_.now());
}

std::string EnrollmentService::spiffe_id_of(std::string_view satellite) const {
  return fmt::format("spiffe://{}/satellite/{}", config_.trust_domain, satellite);
}

common::Result<IssuedToken> EnrollmentService::issue_token(std::string_view satellite,
                                                           const Actor& actor) {
  auto token = common::crypto::SecretToken::generate(kTokenPrefix);
  if (!token) return fail(token.error());
  const auto expires = common::format_rfc3339(clock_.now() + config_.token_lifetime);
  auto done = db_.transact([&](Connection& db) -> common::Status {
    if (auto exists = resources_.get(db, kSatellite, satellite); !exists)
      return fail(exists.error());
    if (auto ok =
            enrollment_.put_token(db, {token->digest(), std::string(satellite), expires}, now());
        !ok)
      return ok;
    return events_.record(db, {0, now(), actor.name, "issue-token", std::string(kSatellite),
                               std::string(satellite), "enrollment token issued"});
  });
  if (!done) return fail(done.error());
  return IssuedToken{token->reveal(), expires};
}

common::Result<Enrollment> EnrollmentService::issue_within(Connection& db,
                                                           std::string_view satellite,
                                                           std::string_view csr_pem,
                                                           std::string_view verb,
                                                           const Actor& actor) {
  auto resource = resources_.get(db, kSatellite, satellite);
  if (!resource) return fail(resource.error());
  auto cas = cas_.current_within(db);
  if (!cas) return fail(cas.error());
  const auto& signer = (*cas)->active;
  auto issued = signer.sign_client_certificate(
      csr_pem, {std::string(satellite), spiffe_id_of(satellite), config_.certificate_validity});
  if (!issued) return fail(issued.error());
  const auto not_before = common::format_rfc3339(issued->not_before);
  const auto not_after = common::format_rfc3339(issued->not_after);
  const auto current = now();
  if (auto ok = enrollment_.add_certificate(db,
                                            {issued->serial_hex, std::string(satellite), not_before,
                                             not_after, std::nullopt, signer.fingerprint_sha256()},
                                            current);
      !ok)
    return fail(ok.error());
  auto updated = update_accepted_serials(
      db, *resource, current, verb, actor,
      fmt::format("certificate {} until {}", issued->serial_hex, not_after), [&](json& status) {
        status["certificate"] = {{"serial", issued->serial_hex},
                                 {"notBefore", not_before},
                                 {"notAfter", not_after},
                                 {"fingerprint", issued->fingerprint_sha256},
                                 {"issuer", signer.fingerprint_sha256()}};
      });
  if (!updated) return fail(updated.error());
  return Enrollment{std::string(satellite), issued->cert_pem,   signer.cert_pem(),
                    (*cas)->bundle.pem(),   issued->serial_hex, not_after};
}

common::Result<std::vector<std::string>> EnrollmentService::revoke_issued_by_within(
    Connection& db, std::string_view issuer, std::string_view verb, const Actor& actor) {
  auto satellites = enrollment_.revoke_issued_by(db, issuer, now());
  if (!satellites) return fail(satellites.error());
  for (const auto& satellite : *satellites) {
    auto resource = resources_.get(db, kSatellite, satellite);
    if (!resource && resource.error().code() == ErrorCode::kNotFound) continue;  // deleted
    if (!resource) return fail(resource.error());
    auto updated = update_accepted_serials(db, *resource, now(), verb, actor,
                                           fmt::format("certificates from CA {} revoked", issuer),
                                           [](json&) {});
    if (!updated) return fail(updated.error());
  }
  return satellites;
}

common::Result<Enrollment> EnrollmentService::enroll(std::string_view token,
                                                     std::string_view csr_pem) {
  if (!common::crypto::SecretToken::parse(token, kTokenPrefix)) return bad_token();
  const auto digest = common::crypto::token_digest(token);
  std::optional<Enrollment> enrolled;
  auto done = db_.transact([&](Connection& db) -> common::Status {
    auto burned = enrollment_.burn_token(db, digest, now());
    if (!burned) return fail(burned.error());
    if (!*burned) return bad_token();
    const auto& satellite = (*burned)->satellite;
    auto issued = issue_within(db, satellite, csr_pem, "enroll",
                               Actor{fmt::format("satellite:{}", satellite)});
    if (!issued) return fail(issued.error());
    enrolled = std::move(*issued);
    return {};
  });
  if (!done) return fail(done.error());
  (void)sync_.catch_up();
  return std::move(*enrolled);
}

common::Result<Enrollment> EnrollmentService::renew(std::string_view satellite,
                                                    std::string_view csr_pem) {
  std::optional<Enrollment> renewed;
  auto done = db_.transact([&](Connection& db) -> common::Status {
    auto issued = issue_within(db, satellite, csr_pem, "renew",
                               Actor{fmt::format("satellite:{}", satellite)});
    if (!issued) return fail(issued.error());
    renewed = std::move(*issued);
    return {};
  });
  if (!done) return fail(done.error());
  (void)sync_.catch_up();
  return std::move(*renewed);
}

common::Status EnrollmentService::revoke(std::string_view satellite, const Actor& actor) {
  auto done = db_.transact([&](Connection& db) -> common::Status {
    auto resource = resources_.get(db, kSatellite, satellite);
    if (!resource) return fail(resource.error());
    if (auto revoked = enrollment_.revoke_all(db, satellite, now()); !revoked)
      return fail(revoked.error());
    if (auto ok = enrollment_.remove_tokens_of(db, satellite); !ok) return ok;
    auto status = json::parse(resource->status, nullptr, false);
    if (!status.is_object()) status = json::object();
    status["acceptedSerials"] = json::array();
    status["revokedAt"] = now();
    auto updated = resources_.update_status(db, kSatellite, satellite, status.dump(), now());
    if (!updated) return fail(updated.error());
    if (auto ok = events_.record(db, {updated->meta.resource_version, now(), actor.name, "revoke",
                                      std::string(kSatellite), std::string(satellite), ""});
        !ok)
      return ok;
    return db.notify(kChangeChannel, std::to_string(updated->meta.resource_version));
  });
  if (!done) return done;
  (void)sync_.catch_up();
  return {};
}

}  // namespace groundcontrol::service
