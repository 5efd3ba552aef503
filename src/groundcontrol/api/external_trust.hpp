// ExternalTrust: a CA bundle ground control trusts for satellite certificates besides its
// own (a SPIRE server's, say), and how the SPIFFE IDs it vouches for name satellites: under
// the prefix `spiffe://example.org/edge/satellite/`, the ID
// `spiffe://example.org/edge/satellite/berlin-1` is satellite `berlin-1`. A certificate is
// judged by the anchor its chain ends in (PeerIdentity::anchor_sha256), never by what it
// claims: one from this bundle is never taken for one of ground control's own, whatever
// serial or SPIFFE ID it carries. Value type; immutable once shared.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace groundcontrol::api {

struct ExternalTrust {
  std::set<std::string, std::less<>> anchors;  // SHA-256 of each CA of the bundle, lowercase hex
  std::string spiffe_prefix;                   // "spiffe://<trust domain>/<path>/"

  bool vouches_for(std::string_view anchor_sha256) const {
    return !anchor_sha256.empty() && anchors.contains(anchor_sha256);
  }
  // The satellite `spiffe_id` names: the rest after the prefix, when that is a satellite
  // name (a DNS-1123 label); nullopt otherwise.
  std::optional<std::string> satellite_named(std::string_view spiffe_id) const;
};

}  // namespace groundcontrol::api
