// CaRotationService: how an operator rotates ground control's CA (issue 11) without
// cutting satellites off. rotate() makes a new CA and, in one transaction, makes it the
// active one (it signs every enrollment and renewal from then on) and the current one the
// previous one (still trusted, signs nothing). Satellites keep working on their old
// certificates, learn the bundle of both CAs from every enroll and renew answer (and GET
// /satellite/v1/ca), and move to the new CA as they renew. retire() then drops the previous
// CA: refused while satellites still hold a certificate from it, unless forced, and then
// those certificates are revoked. Each is one audit event (kind CertificateAuthority). Every
// replica picks a change up through CertificateAuthorities (the app's periodic refresh);
// `on_change`, when given, runs after this replica's rotate() or retire() committed.
// Blocking (database, key generation): call from the blocking pool. Thread-safety: any
// thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/crypto/secret_box.hpp"
#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/service/certificate_authorities.hpp"
#include "groundcontrol/service/enrollment_service.hpp"
#include "groundcontrol/service/fleet_sync.hpp"
#include "groundcontrol/store/enrollment_store.hpp"
#include "groundcontrol/store/event_store.hpp"
#include "groundcontrol/store/secret_store.hpp"

namespace groundcontrol::service {

enum class CaRole { kActive, kPrevious };
std::string_view ca_role_name(CaRole role) noexcept;  // "active", "previous"

// One CA as GET /api/v1/ca shows it.
struct CaSummary {
  CaRole role = CaRole::kActive;
  std::string fingerprint;  // SHA-256 of the certificate's DER, lowercase hex
  std::string subject;      // RFC 2253
  std::string not_before;   // RFC 3339
  std::string not_after;
  std::string certificate_pem;
  // Satellites whose current certificate (newest, unexpired, unrevoked) it signed.
  std::int64_t satellites = 0;
};

class CaRotationService {
 public:
  CaRotationService(common::sql::Database& db, const common::Clock& clock,
                    const common::crypto::SecretBox& box, CertificateAuthorities& cas,
                    EnrollmentService& enrollment, FleetSync& sync, std::string trust_domain,
                    std::function<void()> on_change = {})
      : db_(db),
        clock_(clock),
        box_(box),
        cas_(cas),
        enrollment_(enrollment),
        sync_(sync),
        trust_domain_(std::move(trust_domain)),
        on_change_(std::move(on_change)) {}

  // The CAs, active first. Errors: the database's.
  [[nodiscard]] common::Result<std::vector<CaSummary>> list();
  // Makes a new active CA; the active one becomes the previous one. Returns the CAs as
  // list() does. kConflict while a previous CA is still there (retire it first).
  [[nodiscard]] common::Result<std::vector<CaSummary>> rotate(const Actor& actor);
  // Retires the previous CA. kNotFound when there is none; kConflict, naming how many, while
  // satellites still hold certificates from it, unless `force` (those are then revoked:
  // their satellites must enroll again).
  [[nodiscard]] common::Status retire(bool force, const Actor& actor);

 private:
  std::string now() const;
  [[nodiscard]] common::Result<std::vector<CaSummary>> list_within(common::sql::Connection& db);
  void changed();

  common::sql::Database& db_;
  const common::Clock& clock_;
  const common::crypto::SecretBox& box_;
  CertificateAuthorities& cas_;
  EnrollmentService& enrollment_;
  FleetSync& sync_;
  const std::string trust_domain_;
  const std::function<void()> on_change_;
  store::SecretStore secrets_;
  store::EnrollmentStore certificates_;
  store::EventStore events_;
};

}  // namespace groundcontrol::service
