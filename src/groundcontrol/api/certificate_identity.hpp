// CertificateIdentity: SatelliteIdentity from the verified client certificate, which must
// not have expired (a keep-alive connection can outlive its certificate). One that an
// external CA vouches for (ExternalTrust, by the anchor its chain ends in) names its
// satellite by SPIFFE ID, and that satellite must exist (deleting it ends its access). Any
// other must chain to ground control's own CAs, its serial be one the FleetView holds for a
// satellite (issued here, not revoked or superseded-and-expired, satellite not deleted) and
// its SPIFFE ID that satellite's. A hash lookup per request; revocations and deletions
// reach it through the change log within moments. Each satellite's requests are
// rate-limited by its identity, never its address (NAT).
// Ownership: borrows the view and clock. Thread-safety: any thread, trust_external() too.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "common/clock.hpp"
#include "common/rate_limiter.hpp"
#include "groundcontrol/api/external_trust.hpp"
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

  // Trusts `trust`'s CA bundle from now on, in place of the one before (null: none).
  void trust_external(std::shared_ptr<const ExternalTrust> trust) {
    external_.store(std::move(trust));
  }

 private:
  common::Result<std::string> vouched_by_us(const common::http::PeerIdentity& peer) const;
  common::Result<std::string> vouched_externally(const common::http::PeerIdentity& peer,
                                                 const ExternalTrust& trust) const;

  const service::FleetView& view_;
  const common::Clock& clock_;
  std::function<std::string(std::string_view)> spiffe_id_of_;
  common::KeyedRateLimiter* limiter_;
  std::atomic<std::shared_ptr<const ExternalTrust>> external_;
};

}  // namespace groundcontrol::api
