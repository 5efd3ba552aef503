// EnrollmentStore: the SQL of `enrollment_tokens` (one-time tokens by digest, burned by
// the enrollment that uses them), `certificates` (every certificate the CA issued, by
// serial, with its satellite and whether it was revoked) and `pending_enrollment_requests`
// (the names of EnrollmentRequests still waiting for an admin). Stateless; calls run in the
// caller's transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/sql/connection.hpp"

namespace groundcontrol::store {

struct EnrollmentToken {
  std::string token_digest;
  std::string satellite;
  std::string expires_at;
};

struct CertificateRecord {
  std::string serial;
  std::string satellite;
  std::string not_before;
  std::string not_after;
  std::optional<std::string> revoked_at;
  std::string issuer;  // the signing CA's fingerprint; '' for one issued before rotation existed
};

// How many satellites hold a certificate (their newest, unexpired, unrevoked) from `issuer`.
struct IssuerCount {
  std::string issuer;
  std::int64_t satellites = 0;
};

class EnrollmentStore {
 public:
  // Replaces every token of the satellite with this one (a re-issue invalidates the last).
  [[nodiscard]] common::Status put_token(common::sql::Connection& db, const EnrollmentToken& token,
                                         std::string_view now) const;
  // Deletes and returns the unexpired token with this digest: one use only. nullopt when
  // there is none (unknown, burned or expired).
  [[nodiscard]] common::Result<std::optional<EnrollmentToken>> burn_token(
      common::sql::Connection& db, std::string_view token_digest, std::string_view now) const;
  // Deletes the tokens that expired before `now`; returns how many.
  [[nodiscard]] common::Result<std::int64_t> remove_expired_tokens(common::sql::Connection& db,
                                                                   std::string_view now) const;
  [[nodiscard]] common::Status remove_tokens_of(common::sql::Connection& db,
                                                std::string_view satellite) const;

  // Records `certificate` as its satellite's newest: the earlier ones are marked superseded
  // (still accepted until they expire, but no longer what the satellite holds).
  [[nodiscard]] common::Status add_certificate(common::sql::Connection& db,
                                               const CertificateRecord& certificate,
                                               std::string_view now) const;
  // Every certificate of the satellite, newest first.
  [[nodiscard]] common::Result<std::vector<CertificateRecord>> certificates_of(
      common::sql::Connection& db, std::string_view satellite) const;
  // Marks every unrevoked certificate of the satellite revoked; returns how many.
  [[nodiscard]] common::Result<std::int64_t> revoke_all(common::sql::Connection& db,
                                                        std::string_view satellite,
                                                        std::string_view now) const;

  // Per issuer, the satellites whose newest certificate is unexpired and unrevoked at `now`.
  [[nodiscard]] common::Result<std::vector<IssuerCount>> count_held_by_issuer(
      common::sql::Connection& db, std::string_view now) const;
  // Names `issuer` as the signer of every certificate recorded without one (those from
  // before rotation existed; the first rotation knows which CA that was).
  [[nodiscard]] common::Status attribute_unattributed(common::sql::Connection& db,
                                                      std::string_view issuer) const;
  // Marks every unrevoked certificate from `issuer` revoked (its CA retired); returns the
  // satellites that had one, sorted.
  [[nodiscard]] common::Result<std::vector<std::string>> revoke_issued_by(
      common::sql::Connection& db, std::string_view issuer, std::string_view now) const;

  // Marks the EnrollmentRequest `name` pending (kAlreadyExists when it is).
  [[nodiscard]] common::Status add_pending_request(common::sql::Connection& db,
                                                   std::string_view name,
                                                   std::string_view now) const;
  // Drops the mark, when there is one (approved, denied or deleted).
  [[nodiscard]] common::Status remove_pending_request(common::sql::Connection& db,
                                                      std::string_view name) const;
  [[nodiscard]] common::Result<std::int64_t> count_pending_requests(
      common::sql::Connection& db) const;
};

}  // namespace groundcontrol::store
