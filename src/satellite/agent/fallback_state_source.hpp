// FallbackStateSource: the desired state from a primary source (ground control's API) and,
// while that fails, from a fallback (the signed state artifacts in the central registry),
// so that a satellite whose ground control is down still follows changes. Each next() asks
// the primary; a state it gives goes to `on_primary` first (where ground control says state
// is published, for the fallback to learn). When the primary is out of reach (kUnavailable,
// kTimeout), the fallback is asked in the same call, and its wait paces the retries of the
// primary; any other error (a revoked or unknown satellite) is returned as it is. Both
// failing is one error naming both.
// Thread-safety: next() from the agent's feed thread.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/log/logger.hpp"
#include "satellite/agent/state_source.hpp"

namespace satellite::agent {

class FallbackStateSource final : public StateSource {
 public:
  using OnPrimaryState = std::function<void(const common::fleet_wire::SatelliteState&)>;

  FallbackStateSource(std::unique_ptr<StateSource> primary, std::unique_ptr<StateSource> fallback,
                      OnPrimaryState on_primary, common::log::Logger logger)
      : primary_(std::move(primary)),
        fallback_(std::move(fallback)),
        on_primary_(std::move(on_primary)),
        logger_(std::move(logger)) {}

  [[nodiscard]] common::Result<std::optional<common::fleet_wire::SatelliteState>> next(
      const std::string& known_digest, std::stop_token stop) override;
  [[nodiscard]] std::string describe() const override;

 private:
  std::unique_ptr<StateSource> primary_;
  std::unique_ptr<StateSource> fallback_;
  OnPrimaryState on_primary_;
  common::log::Logger logger_;
  bool on_fallback_ = false;  // the last state came from the fallback (logged on a switch)
};

}  // namespace satellite::agent
