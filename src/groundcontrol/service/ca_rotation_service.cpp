#include "groundcontrol/service/ca_rotation_service.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/time_format.hpp"

namespace groundcontrol::service {
namespace {

using common::ErrorCode;
using common::fail;
using common::sql::Connection;

constexpr std::string_view kKind = "CertificateAuthority";

CaSummary summary_of(const pki::CertificateAuthority& ca, CaRole role,
                     const std::vector<store::IssuerCount>& counts) {
  CaSummary out{role,
                ca.fingerprint_sha256(),
                ca.subject(),
                common::format_rfc3339(ca.not_before()),
                common::format_rfc3339(ca.not_after()),
                ca.cert_pem(),
                0};
  for (const auto& count : counts)
    // Certificates from before rotation existed name no issuer: the one CA of that time,
    // still the active one until the first rotation names it.
    if (count.issuer == ca.fingerprint_sha256() ||
        (count.issuer.empty() && role == CaRole::kActive))
      out.satellites += count.satellites;
  return out;
}

}  // namespace

std::string_view ca_role_name(CaRole role) noexcept {
  return role == CaRole::kActive ? "active" : "previous";
}

std::string CaRotationService::now() const {
  return common::format_rfc3339(clock_.now());
}

void CaRotationService::changed() {
  if (on_change_) on_change_();
}

common::Result<std::vector<CaSummary>> CaRotationService::list_within(Connection& db) {
  auto cas = cas_.current_within(db);
  if (!cas) return fail(cas.error());
  auto counts = certificates_.count_held_by_issuer(db, now());
  if (!counts) return fail(counts.error());
  std::vector<CaSummary> out{summary_of((*cas)->active, CaRole::kActive, *counts)};
  if ((*cas)->previous) out.push_back(summary_of(*(*cas)->previous, CaRole::kPrevious, *counts));
  return out;
}

common::Result<std::vector<CaSummary>> CaRotationService::list() {
  std::vector<CaSummary> listed;
  auto done = db_.transact(
      [&](Connection& db) -> common::Status {
        auto found = list_within(db);
        if (!found) return fail(found.error());
        listed = std::move(*found);
        return {};
      },
      {.read_only = true});
  if (!done) return fail(done.error());
  return listed;
}

common::Result<std::vector<CaSummary>> CaRotationService::rotate(const Actor& actor) {
  const auto at = now();
  // Made once, outside the transaction, which may run more than once.
  auto made =
      pki::CertificateAuthority::create(ca_common_name(trust_domain_, at), kCaValidity, clock_);
  if (!made) return fail(made.error());
  auto key = made->key_pem();
  if (!key) return fail(key.error());
  const store::StoredSecret fresh{std::string(kActiveCaSecret), box_.seal(*key), made->cert_pem()};
  auto done = db_.transact([&](Connection& db) -> common::Status {
    auto cas = cas_.current_within(db);
    if (!cas) return fail(cas.error());
    if (const auto& previous = (*cas)->previous)
      return fail(ErrorCode::kConflict,
                  fmt::format("the previous CA {} is still trusted: retire it first (DELETE "
                              "/api/v1/ca/previous) once its satellites have renewed",
                              previous->fingerprint_sha256()));
    auto active = secrets_.get(db, kActiveCaSecret);
    if (!active) return fail(active.error());
    if (!*active) return fail(ErrorCode::kNotFound, "the database holds no CA");
    const auto old_fingerprint = (*cas)->active.fingerprint_sha256();
    if (auto ok = secrets_.put(
            db, {std::string(kPreviousCaSecret), (*active)->sealed, (*active)->public_part}, at);
        !ok)
      return ok;
    if (auto ok = secrets_.put(db, fresh, at); !ok) return ok;
    if (auto ok = certificates_.attribute_unattributed(db, old_fingerprint); !ok) return ok;
    return events_.record(
        db, {0, at, actor.name, "rotate", std::string(kKind), made->fingerprint_sha256(),
             fmt::format("new active CA {}; {} is the previous one until "
                         "retired",
                         made->fingerprint_sha256(), old_fingerprint)});
  });
  if (!done) return fail(done.error());
  if (auto ok = cas_.refresh(); !ok) return fail(ok.error());
  changed();
  return list();
}

common::Status CaRotationService::retire(bool force, const Actor& actor) {
  std::size_t revoked = 0;
  auto done = db_.transact([&](Connection& db) -> common::Status {
    revoked = 0;  // this may be a retry
    auto listed = list_within(db);
    if (!listed) return fail(listed.error());
    const auto previous = std::find_if(listed->begin(), listed->end(), [](const CaSummary& ca) {
      return ca.role == CaRole::kPrevious;
    });
    if (previous == listed->end())
      return fail(ErrorCode::kNotFound, "there is no previous CA to retire");
    if (previous->satellites > 0 && !force)
      return fail(ErrorCode::kConflict,
                  fmt::format("{} satellite(s) still hold a certificate from the previous CA {}: "
                              "let them renew first, or retire it with force=true (their "
                              "certificates are then revoked and they must enroll again)",
                              previous->satellites, previous->fingerprint));
    auto voided =
        enrollment_.revoke_issued_by_within(db, previous->fingerprint, "retire-ca", actor);
    if (!voided) return fail(voided.error());
    revoked = voided->size();
    if (auto ok = secrets_.remove(db, kPreviousCaSecret); !ok) return ok;
    return events_.record(
        db, {0, now(), actor.name, "retire", std::string(kKind), previous->fingerprint,
             fmt::format("retired{}; its certificates revoked on {} satellite(s)",
                         force ? " by force" : "", revoked)});
  });
  if (!done) return done;
  if (revoked > 0) (void)sync_.catch_up();
  if (auto ok = cas_.refresh(); !ok) return ok;
  changed();
  return {};
}

}  // namespace groundcontrol::service
