#include "groundcontrol/api/certificate_identity.hpp"

#include <fmt/format.h>

namespace groundcontrol::api {
namespace {

using common::ErrorCode;
using common::fail;

}  // namespace

common::Result<std::string> CertificateIdentity::satellite_of(
    const common::http::Request& request) const {
  if (request.peer == nullptr)
    return fail(ErrorCode::kUnauthenticated, "this call needs the satellite's client certificate");
  const auto& peer = *request.peer;
  if (peer.not_after <= clock_.now())
    return fail(ErrorCode::kUnauthenticated, "the certificate has expired; enroll again");
  const auto external = external_.load();
  auto satellite = external && external->vouches_for(peer.anchor_sha256)
                       ? vouched_externally(peer, *external)
                       : vouched_by_us(peer);
  if (!satellite) return satellite;
  if (limiter_ != nullptr && !limiter_->allow(*satellite))
    return fail(ErrorCode::kTooManyRequests,
                fmt::format("satellite \"{}\" is over its rate limit of {} requests a "
                            "second; retry after Retry-After",
                            *satellite, limiter_->limit().rate));
  return satellite;
}

common::Result<std::string> CertificateIdentity::vouched_by_us(
    const common::http::PeerIdentity& peer) const {
  // A session resumed after its CA left the client CA bundle chains to nothing trusted.
  if (peer.anchor_sha256.empty())
    return fail(ErrorCode::kUnauthenticated,
                "no CA ground control trusts vouches for this certificate any more; enroll again");
  auto satellite = view_.satellite_for_serial(peer.serial_hex);
  if (!satellite)
    return fail(ErrorCode::kUnauthenticated,
                "this certificate is revoked or not known here; enroll again");
  if (peer.spiffe_id() != spiffe_id_of_(*satellite))
    return fail(ErrorCode::kUnauthenticated,
                "the certificate's SPIFFE ID does not name its satellite");
  return std::move(*satellite);
}

common::Result<std::string> CertificateIdentity::vouched_externally(
    const common::http::PeerIdentity& peer, const ExternalTrust& trust) const {
  auto satellite = trust.satellite_named(peer.spiffe_id());
  if (!satellite)
    return fail(
        ErrorCode::kUnauthenticated,
        fmt::format("the certificate's SPIFFE ID \"{}\" names no satellite: expected {}<name>",
                    peer.spiffe_id(), trust.spiffe_prefix));
  if (!view_.config_of(*satellite))
    return fail(
        ErrorCode::kUnauthenticated,
        fmt::format("satellite \"{}\" does not exist here: an admin creates it first", *satellite));
  return std::move(*satellite);
}

}  // namespace groundcontrol::api
