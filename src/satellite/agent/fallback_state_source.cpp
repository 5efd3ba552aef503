#include "satellite/agent/fallback_state_source.hpp"

#include <fmt/format.h>

namespace satellite::agent {

common::Result<std::optional<common::fleet_wire::SatelliteState>> FallbackStateSource::next(
    const std::string& known_digest, std::stop_token stop) {
  auto primary = primary_->next(known_digest, stop);
  if (primary) {
    if (on_fallback_) logger_->info("{} answers again", primary_->describe());
    on_fallback_ = false;
    if (*primary) on_primary_(**primary);
    return primary;
  }
  // Only a primary out of reach is replaced: one that refuses this satellite (revoked,
  // unknown) has said what it wants, and the satellite keeps what it holds.
  const auto code = primary.error().code();
  if (code != common::ErrorCode::kUnavailable && code != common::ErrorCode::kTimeout)
    return primary;
  if (!on_fallback_)
    logger_->warn("{}: {}; following {} meanwhile", primary_->describe(), primary.error().message(),
                  fallback_->describe());
  on_fallback_ = true;
  auto fallback = fallback_->next(known_digest, stop);
  if (fallback) return fallback;
  return common::fail(fallback.error().code(),
                      fmt::format("{}: {}; {}: {}", primary_->describe(), primary.error().message(),
                                  fallback_->describe(), fallback.error().message()));
}

std::string FallbackStateSource::describe() const {
  return fmt::format("{} (else {})", primary_->describe(), fallback_->describe());
}

}  // namespace satellite::agent
