// GroundControlApp: the object graph of one ground-control process (only this file and
// main know all of it): database and migrations, master key, CA, the FleetView and the
// sync that feeds it, the services, the handlers, and two listeners — the management API
// (HTTPS with bearer tokens) and the satellite API (HTTPS asking for client certificates;
// only enrollment answers without one). create() prepares everything and binds both
// ports; run() serves until stop().
// Thread-safety: stop() from any thread (the signal thread); the rest from main's.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/log/logger.hpp"
#include "common/result.hpp"
#include "groundcontrol/app/ground_control_options.hpp"

namespace groundcontrol::app {

class GroundControlApp {
 public:
  // kInvalidArgument/kUnavailable/kCorruption with what failed (database, key, ports).
  [[nodiscard]] static common::Result<std::unique_ptr<GroundControlApp>> create(
      const GroundControlOptions& options, common::log::Logger logger);
  virtual ~GroundControlApp() = default;

  virtual std::string management_address() const = 0;
  virtual std::string satellite_address() const = 0;
  // The admin password made at this first start, to print once; nullopt otherwise.
  virtual std::optional<std::string> generated_admin_password() const = 0;
  // The CA certificate file satellites and clients trust, and its SHA-256 fingerprint.
  virtual std::string ca_file() const = 0;
  virtual std::string ca_fingerprint() const = 0;

  virtual void run() = 0;
  virtual void stop() = 0;
};

// Sets admin's password (random when empty; returned) on the deployment `options` names,
// ending admin's sessions: `ground-control reset-admin` on the host.
[[nodiscard]] common::Result<std::string> reset_admin(const GroundControlOptions& options,
                                                      const std::string& password);

}  // namespace groundcontrol::app
