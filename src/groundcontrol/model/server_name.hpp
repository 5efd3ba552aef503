// Server names: what a satellite's local registry may be reached by on its site, as its
// SatelliteConfig lists them (spec.registry.serverNames) and its serving certificate
// carries them as SANs: a DNS host name or an IP address literal. Pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace groundcontrol::model {

// The most names one config may list.
inline constexpr std::size_t kMaxServerNames = 32;

enum class ServerNameKind { kDnsName, kIpAddress };

// What `text` is: an IPv4 or IPv6 literal (no brackets, port or zone), or a DNS host name
// per RFC 1123 (labels of 1-63 letters, digits and '-', neither first nor last '-', at most
// 253 bytes, the last label not all digits so that a mistyped address is not taken for a
// name); nullopt for anything else, wildcards included.
std::optional<ServerNameKind> server_name_kind(std::string_view text);

}  // namespace groundcontrol::model
