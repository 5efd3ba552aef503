// EnrollmentService: how a satellite gets and keeps its identity. Creating a satellite
// issues a one-time enrollment token (256 random bits, stored as its digest, 24 h by
// default, re-issuable: a new one voids the last). POST /satellite/v1/enroll trades the
// token and a CSR (the key never leaves the device) for a client certificate from ground
// control's CA, with CN = the name and a SPIFFE ID URI SAN; the token is burned in the
// same transaction. renew() issues a new certificate to the holder of a valid one;
// revoke() voids them all. The serials a satellite may present are kept in its status
// (status.certificate, status.acceptedSerials), so every replica's FleetView learns of an
// enrollment or a revocation from the change log within moments. Certificates are signed by
// the CA the database calls active at that moment (CertificateAuthorities), and every answer
// carries the bundle of all trusted CAs, so a satellite learns a new CA before the old
// one is retired.
// Blocking (database): call from the blocking pool. Thread-safety: any thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/service/certificate_authorities.hpp"
#include "groundcontrol/service/fleet_sync.hpp"
#include "groundcontrol/service/resource_service.hpp"
#include "groundcontrol/store/enrollment_store.hpp"
#include "groundcontrol/store/event_store.hpp"
#include "groundcontrol/store/resource_store.hpp"

namespace groundcontrol::service {

struct EnrollmentConfig {
  std::string trust_domain = "groundcontrol.local";  // spiffe://<this>/satellite/<name>
  std::chrono::seconds certificate_validity{30 * 24 * 3600};
  std::chrono::seconds token_lifetime{24 * 3600};
};

struct IssuedToken {
  std::string token;  // shown once
  std::string expires_at;
};

struct Enrollment {
  std::string satellite;
  std::string certificate_pem;
  std::string ca_pem;         // the CA that signed the certificate
  std::string ca_bundle_pem;  // every CA ground control trusts now (active, then previous)
  std::string serial;
  std::string not_after;
};

class EnrollmentService {
 public:
  EnrollmentService(common::sql::Database& db, const common::Clock& clock,
                    CertificateAuthorities& cas, FleetSync& sync, EnrollmentConfig config)
      : db_(db), clock_(clock), cas_(cas), sync_(sync), config_(std::move(config)) {}

  // A new token for the satellite, voiding any earlier one. kNotFound for no satellite.
  [[nodiscard]] common::Result<IssuedToken> issue_token(std::string_view satellite,
                                                        const Actor& actor);
  // kUnauthenticated for a token that is malformed, unknown, burned or expired (one message
  // for all); kInvalidArgument for a CSR the CA refuses (the token then stays unburned);
  // kNotFound when the satellite was deleted meanwhile.
  [[nodiscard]] common::Result<Enrollment> enroll(std::string_view token, std::string_view csr_pem);
  // A new certificate for the satellite presenting `serial` (checked by the caller's
  // identity); the old one stays accepted until it expires. Errors as enroll().
  [[nodiscard]] common::Result<Enrollment> renew(std::string_view satellite,
                                                 std::string_view csr_pem);
  // Voids every certificate and token of the satellite. kNotFound.
  [[nodiscard]] common::Status revoke(std::string_view satellite, const Actor& actor);

  std::string spiffe_id_of(std::string_view satellite) const;

  // Signs a certificate for the existing `satellite` from `csr_pem`, records it (the
  // certificates table, the satellite's status.certificate and acceptedSerials) and its
  // audit event (`verb` by `actor`), and announces the change, all inside the caller's
  // transaction `db`; the caller catches the view up after commit (FleetSync::catch_up).
  // kNotFound, kInvalidArgument for a CSR the CA refuses.
  [[nodiscard]] common::Result<Enrollment> issue_within(common::sql::Connection& db,
                                                        std::string_view satellite,
                                                        std::string_view csr_pem,
                                                        std::string_view verb, const Actor& actor);

  // Revokes every certificate signed by the CA with fingerprint `issuer` (being retired),
  // taking their serials from their satellites' acceptedSerials and recording a `verb`
  // event on each, inside the caller's transaction `db`; the caller catches the view up
  // after commit. Returns the satellites that lost a certificate.
  [[nodiscard]] common::Result<std::vector<std::string>> revoke_issued_by_within(
      common::sql::Connection& db, std::string_view issuer, std::string_view verb,
      const Actor& actor);

 private:
  std::string now() const;

  common::sql::Database& db_;
  const common::Clock& clock_;
  CertificateAuthorities& cas_;
  FleetSync& sync_;
  const EnrollmentConfig config_;
  store::EnrollmentStore enrollment_;
  store::ResourceStore resources_;
  store::EventStore events_;
};

}  // namespace groundcontrol::service
