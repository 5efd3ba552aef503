// ServingCertificateService: the TLS server certificate of a satellite's local registry, so
// that the site's container runtimes (which trust ground control's CA through
// mirror-config) pull from it over HTTPS. The satellite sends a CSR (its key never leaves
// the device); ground control takes only the key and issues a certificate for exactly the
// names the satellite's SatelliteConfig lists (spec.registry.serverNames, whatever the CSR
// asks for), CN the first of them, extendedKeyUsage serverAuth only, valid as long as a
// client certificate, signed by the CA the database calls active. The satellite asks again
// to renew, as it renews its client certificate. The certificate is no identity: it is
// never among the satellite's accepted serials and cannot authenticate a client. Each
// issue is recorded in the audit trail.
// Blocking (database): call from the blocking pool. Ownership: borrows the database, clock
// and CAs. Thread-safety: any thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/service/certificate_authorities.hpp"
#include "groundcontrol/store/event_store.hpp"
#include "groundcontrol/store/resource_store.hpp"

namespace groundcontrol::service {

struct ServingCertificate {
  std::string satellite;
  std::string certificate_pem;     // the certificate alone
  std::string ca_bundle_pem;       // every CA ground control trusts now (active, then previous)
  std::string serial;              // lowercase hex
  std::string not_after;           // RFC 3339
  std::vector<std::string> names;  // its SANs, in the config's order
};

class ServingCertificateService {
 public:
  // `validity`: how long each certificate is valid (as client certificates are).
  ServingCertificateService(common::sql::Database& db, const common::Clock& clock,
                            CertificateAuthorities& cas, std::chrono::seconds validity)
      : db_(db), clock_(clock), cas_(cas), validity_(validity) {}

  // A serving certificate for `satellite` (the caller checked its identity) and the key in
  // `csr_pem`. kConflict when its config lists no serverNames; kInvalidArgument for a CSR
  // the CA refuses; kNotFound when the satellite or its config does not exist;
  // kUnavailable when the CA has expired; the database's errors.
  [[nodiscard]] common::Result<ServingCertificate> issue(std::string_view satellite,
                                                         std::string_view csr_pem);

 private:
  common::sql::Database& db_;
  const common::Clock& clock_;
  CertificateAuthorities& cas_;
  const std::chrono::seconds validity_;
  store::ResourceStore resources_;
  store::EventStore events_;
};

}  // namespace groundcontrol::service
