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

  [[nodiscard]] common::Status add_certificate(common::sql::Connection& db,
                                               const CertificateRecord& certificate) const;
  // Every certificate of the satellite, newest first.
  [[nodiscard]] common::Result<std::vector<CertificateRecord>> certificates_of(
      common::sql::Connection& db, std::string_view satellite) const;
  // Marks every unrevoked certificate of the satellite revoked; returns how many.
  [[nodiscard]] common::Result<std::int64_t> revoke_all(common::sql::Connection& db,
                                                        std::string_view satellite,
                                                        std::string_view now) const;

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
