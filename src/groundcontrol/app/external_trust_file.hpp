// ExternalTrustFile: the external CA bundle `--external-ca-bundle` names (a SPIRE server's,
// `spire-server bundle show`), whose certificates' SPIFFE IDs under `--external-spiffe-prefix`
// name satellites (api/external_trust.hpp). A SPIRE server rotates its CAs, so the file is
// read again whenever its size or modification time changes: the listener then trusts the
// new bundle without a restart. A file that no longer parses leaves the last good one in use.
// Not thread-safe: the app calls reload() under its TLS lock.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "groundcontrol/api/external_trust.hpp"

namespace groundcontrol::app {

class ExternalTrustFile {
 public:
  ExternalTrustFile(std::string path, std::string spiffe_prefix)
      : path_(std::move(path)), spiffe_prefix_(std::move(spiffe_prefix)) {}

  struct Bundle {
    std::string pem;  // the CA certificates, for the listener's client CA file
    std::shared_ptr<const api::ExternalTrust> trust;
  };
  // The bundle when the file changed since the last good read (always at the first call);
  // nullopt when it did not. kInvalidArgument naming the file when it cannot be read or
  // holds no CA certificate.
  [[nodiscard]] common::Result<std::optional<Bundle>> reload();

 private:
  struct Stamp {
    std::uintmax_t size = 0;
    std::filesystem::file_time_type modified{};
    bool operator==(const Stamp&) const = default;
  };
  const std::string path_;
  const std::string spiffe_prefix_;
  std::optional<Stamp> read_;  // of the last read, good or not
};

}  // namespace groundcontrol::app
