// SatelliteIdentity: one simulated satellite's name, private key and client certificate, as
// the enroll phase leaves them in the simulator's directory (<dir>/<name>.key, 0600, and
// <dir>/<name>.crt) so that later runs reuse them instead of enrolling again.
// Move-only owner of the OpenSSL objects. Thread-safety: immutable once loaded; the key and
// certificate may be attached to TLS connections on any thread.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/crypto/key_pair.hpp"
#include "common/crypto/openssl_handles.hpp"
#include "common/result.hpp"

namespace fleet_sim {

// The name of simulated satellite `index`: "sat-000042" (a DNS-1123 label; zero-padded so
// that names sort as numbers).
std::string satellite_name(std::size_t index);

struct SatelliteIdentity {
  std::string name;
  common::crypto::KeyPair key;
  common::crypto::X509Ptr certificate;

  // True when `dir` holds both files of satellite `name`.
  static bool saved_in(const std::string& dir, const std::string& name);
  // Writes `key` and the certificate PEM `certificate_pem` under `dir`. Errors as
  // KeyPair::write_private_key_file, kInternal for the certificate file.
  [[nodiscard]] static common::Status save(const std::string& dir, const std::string& name,
                                           const common::crypto::KeyPair& key,
                                           const std::string& certificate_pem);
  // Reads satellite `name`'s files back. kNotFound when absent, kInvalidArgument when a file
  // does not hold what it should.
  [[nodiscard]] static common::Result<SatelliteIdentity> load(const std::string& dir,
                                                              const std::string& name);
};

}  // namespace fleet_sim

namespace fleet_sim {

// Satellites 0..count-1 as saved in `dir`; the first error naming the satellite otherwise
// (run the enroll phase first).
[[nodiscard]] common::Result<std::vector<SatelliteIdentity>> load_fleet(const std::string& dir,
                                                                        std::size_t count);

}  // namespace fleet_sim
