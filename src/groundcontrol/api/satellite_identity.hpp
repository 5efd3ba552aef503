// SatelliteIdentity: which satellite a satellite-API request comes from, from its verified
// client certificate alone (serial and SPIFFE ID, checked against the certificates ground
// control issued and has not revoked), so a request costs a hash lookup, never a password
// hash. The implementation is the PKI's; handlers see only this interface.
// Thread-safety: implementations are safe from any thread and must not block.
#pragma once

#include <string>

#include "common/http/request.hpp"
#include "common/result.hpp"

namespace groundcontrol::api {

class SatelliteIdentity {
 public:
  virtual ~SatelliteIdentity() = default;
  // The satellite's name: kUnauthenticated for a request without a verified certificate or
  // with one that is unknown, revoked, expired or names no satellite.
  [[nodiscard]] virtual common::Result<std::string> satellite_of(
      const common::http::Request& request) const = 0;
};

}  // namespace groundcontrol::api
