#include "common/config/host_port.hpp"

#include <charconv>

namespace common::config {

Result<HostPort> parse_host_port(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return fail(ErrorCode::kInvalidArgument, "address must be HOST:PORT", std::string(text));
  }
  std::string_view host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const auto port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return fail(ErrorCode::kInvalidArgument, "invalid port", std::string(text));
  }
  return HostPort{host.empty() ? std::string("0.0.0.0") : std::string(host),
                  static_cast<std::uint16_t>(port)};
}

}  // namespace common::config
