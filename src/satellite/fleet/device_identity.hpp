// DeviceIdentity: the satellite's own identity, kept in `<data-dir>/identity/`:
//   key.pem   its private key, made on the device at first start; it never leaves it
//   cert.pem  its client certificate from ground control (enrollment, then renewals)
//   ca.pem    ground control's CA bundle: what the satellite trusts ground control by
// Every file is 0600 and written atomically, so a crash leaves the old one or the new one.
// Later starts reuse what is there. Or, where SPIRE gives the satellite its identity, an
// external certificate and key (an X.509-SVID the SPIRE agent's helper keeps fresh) are
// presented instead: nothing is enrolled or stored then but ca.pem.
// Not thread-safe: used by the fleet feed's thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/crypto/key_pair.hpp"
#include "common/result.hpp"
#include "satellite/fleet/certificate_pem.hpp"

namespace satellite::fleet {

class DeviceIdentity {
 public:
  // Opens `dir` (created 0700), loading the key or making and storing a new one. Errors:
  // the file system's, kPermissionDenied for a key file others may read.
  [[nodiscard]] static common::Result<DeviceIdentity> open(std::string dir);

  // Presents `certificate_file` and `key_file` (PEM, kept by someone else) from now on,
  // instead of enrolling for a certificate of the device's key: enrolled() is then whether
  // both exist, and store_certificate() is never needed.
  void use_external(std::string certificate_file, std::string key_file);
  [[nodiscard]] bool external() const noexcept { return external_; }
  // Changes when an external certificate or key file does (size, modification time): when
  // SPIRE rotated the SVID. "" for a device identity.
  [[nodiscard]] std::string external_stamp() const;

  const std::string& key_file() const noexcept { return key_file_; }
  const std::string& certificate_file() const noexcept { return cert_file_; }
  const std::string& ca_file() const noexcept { return ca_file_; }
  [[nodiscard]] bool trusts_ground_control() const;  // ca.pem exists
  [[nodiscard]] bool enrolled() const;               // cert.pem exists

  // A CSR for the device's key (ground control takes only its public key).
  [[nodiscard]] common::Result<std::string> csr_pem() const;
  // Stores ground control's CA bundle.
  [[nodiscard]] common::Status store_trust(std::string_view ca_bundle_pem) const;
  // Stores a certificate and the CA bundle that came with it; kInvalidArgument when the
  // certificate is not for this device's key.
  [[nodiscard]] common::Status store_certificate(std::string_view certificate_pem,
                                                 std::string_view ca_bundle_pem) const;
  // The stored certificate's validity; kNotFound when not enrolled.
  [[nodiscard]] common::Result<CertificateValidity> validity() const;

 private:
  DeviceIdentity(std::string dir, common::crypto::KeyPair key);
  std::string key_file_, cert_file_, ca_file_;
  common::crypto::KeyPair key_;
  bool external_ = false;
};

}  // namespace satellite::fleet
