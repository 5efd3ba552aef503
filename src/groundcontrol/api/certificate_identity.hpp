// CertificateIdentity: SatelliteIdentity from the verified client certificate: its serial
// must be one the FleetView holds for a satellite (issued by this CA, not revoked or
// superseded-and-expired, satellite not deleted), its SPIFFE ID that satellite's, and it
// must not have expired (a keep-alive connection can outlive its certificate). A hash
// lookup per request; revocations reach it through the change log within moments. Each
// satellite's requests are rate-limited by its identity, never its address (NAT).
// Ownership: borrows the view and clock. Thread-safety: any thread.
#pragma once

#include <functional>
#include <string>

#include "common/clock.hpp"
#include "common/rate_limiter.hpp"
#include "groundcontrol/api/satellite_identity.hpp"
#include "groundcontrol/service/fleet_view.hpp"

namespace groundcontrol::api {

class CertificateIdentity final : public SatelliteIdentity {
 public:
  // `spiffe_id_of(name)` is the SPIFFE ID ground control puts in that satellite's certificates.
  // `limiter` (optional) bounds each satellite's request rate: over it, kTooManyRequests.
  CertificateIdentity(const service::FleetView& view, const common::Clock& clock,
                      std::function<std::string(std::string_view)> spiffe_id_of,
                      common::KeyedRateLimiter* limiter = nullptr)
      : view_(view), clock_(clock), spiffe_id_of_(std::move(spiffe_id_of)), limiter_(limiter) {}

  common::Result<std::string> satellite_of(const common::http::Request& request) const override;

 private:
  const service::FleetView& view_;
  const common::Clock& clock_;
  std::function<std::string(std::string_view)> spiffe_id_of_;
  common::KeyedRateLimiter* limiter_;
};

}  // namespace groundcontrol::api
