#include "groundcontrol/model/server_name.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <string>

namespace groundcontrol::model {
namespace {

constexpr std::size_t kMaxDnsName = 253;
constexpr std::size_t kMaxLabel = 63;

bool is_ip_literal(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return false;
  const std::string copy(text);  // inet_pton wants a terminated string
  in6_addr address{};
  return inet_pton(AF_INET, copy.c_str(), &address) == 1 ||
         inet_pton(AF_INET6, copy.c_str(), &address) == 1;
}

bool is_label(std::string_view label) {
  if (label.empty() || label.size() > kMaxLabel || label.front() == '-' || label.back() == '-')
    return false;
  return std::all_of(label.begin(), label.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

bool is_dns_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxDnsName) return false;
  std::string_view last;
  for (std::string_view rest = name;;) {
    const auto dot = rest.find('.');
    last = rest.substr(0, dot);
    if (!is_label(last)) return false;
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  return !std::all_of(last.begin(), last.end(),
                      [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

std::optional<ServerNameKind> server_name_kind(std::string_view text) {
  if (is_ip_literal(text)) return ServerNameKind::kIpAddress;
  if (is_dns_name(text)) return ServerNameKind::kDnsName;
  return std::nullopt;
}

}  // namespace groundcontrol::model
