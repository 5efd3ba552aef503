#include "groundcontrol/api/certificate_identity.hpp"

#include <fmt/format.h>

namespace groundcontrol::api {

common::Result<std::string> CertificateIdentity::satellite_of(
    const common::http::Request& request) const {
  using common::ErrorCode;
  if (request.peer == nullptr)
    return common::fail(ErrorCode::kUnauthenticated,
                        "this call needs the satellite's client certificate");
  const auto& peer = *request.peer;
  auto satellite = view_.satellite_for_serial(peer.serial_hex);
  if (!satellite)
    return common::fail(ErrorCode::kUnauthenticated,
                        "this certificate is revoked or not known here; enroll again");
  if (peer.spiffe_id() != spiffe_id_of_(*satellite))
    return common::fail(ErrorCode::kUnauthenticated,
                        "the certificate's SPIFFE ID does not name its satellite");
  if (peer.not_after <= clock_.now())
    return common::fail(ErrorCode::kUnauthenticated, "the certificate has expired; enroll again");
  if (limiter_ != nullptr && !limiter_->allow(*satellite))
    return common::fail(ErrorCode::kTooManyRequests,
                        fmt::format("satellite \"{}\" is over its rate limit of {} requests a "
                                    "second; retry after Retry-After",
                                    *satellite, limiter_->limit().rate));
  return std::move(*satellite);
}

}  // namespace groundcontrol::api
