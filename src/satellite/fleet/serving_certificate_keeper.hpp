// ServingCertificateKeeper: the TLS server certificate of the satellite's registry, issued by
// ground control's CA for the names the applied config lists (spec.registry.serverNames), so
// the site's runtimes pull over HTTPS. Kept in the identity dir beside the client identity:
//   serving-key.pem   its private key, made on the device once (0600); never leaves it
//   serving-cert.pem  the certificate for that key (0600)
//   serving-ca.pem    the CA bundle that came with it: what runtimes trust (mirror-config)
// A certificate is asked for when there is none, when the configured names differ from the
// held certificate's SANs, and once two thirds of its lifetime have passed. A failed ask is
// retried after a capped exponential back-off with full jitter; a change of names asks at
// once. The held certificate keeps being served while ground control cannot be reached; with
// no names configured nothing is asked for and what is held stays.
// Thread-safety: none; the fleet feed's thread calls it once the process runs (before that,
// startup code may read it).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/crypto/key_pair.hpp"
#include "common/log/logger.hpp"
#include "common/result.hpp"
#include "satellite/agent/retry_delay.hpp"
#include "satellite/fleet/device_identity.hpp"
#include "satellite/fleet/ground_control_client.hpp"

namespace satellite::fleet {

struct ServingFiles {
  std::string key_file;
  std::string certificate_file;
  std::string ca_file;
};

// Why a certificate is asked for.
enum class ServingDue { kNo, kMissing, kNamesChanged, kRenewal };

class ServingCertificateKeeper {
 public:
  // Trades a CSR for a certificate and its CA bundle (GroundControlClient::serving_certificate).
  using Issue = std::function<common::Result<Enrollment>(const std::string& csr_pem)>;
  // Told the files after a new certificate is stored.
  using Installed = std::function<void(const ServingFiles&)>;

  // Opens `dir` (the identity dir, which must exist), loading the key or making and storing
  // a new one, and the certificate held, if any (one that does not read or is not for the
  // key counts as none). `uniform` returns a number in [0, 1) for the jitter (empty: a
  // seeded generator). Errors: the file system's, kPermissionDenied for a key file others
  // may read.
  [[nodiscard]] static common::Result<ServingCertificateKeeper> open(
      const std::string& dir, const common::Clock& clock, common::log::Logger logger,
      agent::RetryPolicy retry = {}, std::function<double()> uniform = {});

  const ServingFiles& files() const noexcept { return files_; }
  // A certificate is stored (maybe expired: the clients decide).
  [[nodiscard]] bool has_certificate() const noexcept { return held_.has_value(); }
  // The held certificate's SANs, addresses as text, in its order.
  [[nodiscard]] std::vector<std::string> certificate_names() const;

  // The names the applied config lists. A change clears the back-off.
  void set_names(std::vector<std::string> names);
  // Whether a certificate should be asked for now, back-off aside.
  [[nodiscard]] ServingDue due() const;
  // When due and the back-off allows, asks `issue` once and stores the answer, then tells
  // `installed`. True when a new certificate was stored. Errors: issue's (the back-off grows),
  // kInvalidArgument for an answer that is not a certificate for our key, the file system's.
  [[nodiscard]] common::Result<bool> maintain(const Issue& issue, const Installed& installed);

 private:
  struct Held {
    CertificateValidity validity;
    std::vector<std::string> names;
  };
  ServingCertificateKeeper(ServingFiles files, common::crypto::KeyPair key,
                           std::optional<Held> held, const common::Clock& clock,
                           common::log::Logger logger, agent::RetryPolicy retry,
                           std::function<double()> uniform);
  [[nodiscard]] common::Status store(const Enrollment& answer);
  [[nodiscard]] common::Status ask(const Issue& issue);
  void note_failure();

  ServingFiles files_;
  common::crypto::KeyPair key_;
  std::optional<Held> held_;
  const common::Clock* clock_;
  common::log::Logger logger_;
  agent::RetryPolicy retry_;
  std::function<double()> uniform_;
  std::mt19937_64 random_;
  std::vector<std::string> names_;
  std::vector<std::string> asked_for_;  // the names of the last certificate issued, as asked
  unsigned failures_ = 0;
  std::chrono::steady_clock::time_point retry_at_{};
};

// Whether a certificate naming `held` serves the `wanted` names: the same set, DNS names
// compared without case.
[[nodiscard]] bool same_names(std::vector<std::string> held, std::vector<std::string> wanted);

}  // namespace satellite::fleet
