#include "common/oci/link_header.hpp"

#include <algorithm>
#include <cctype>

namespace common::oci {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// True when the parameters after a link's `>` ("; rel=\"next\"; title=x") hold rel=next,
// rel being a space-separated list of relation types.
bool names_next(std::string_view params) {
  while (!params.empty()) {
    const auto semicolon = params.find(';');
    params.remove_prefix(semicolon == std::string_view::npos ? params.size() : semicolon + 1);
    const auto end = params.find(';');
    const auto param = trim(params.substr(0, end));
    const auto equals = param.find('=');
    if (equals != std::string_view::npos && iequals(trim(param.substr(0, equals)), "rel")) {
      auto value = trim(param.substr(equals + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      while (!value.empty()) {
        const auto space = value.find(' ');
        if (iequals(value.substr(0, space), "next")) return true;
        value.remove_prefix(space == std::string_view::npos ? value.size() : space + 1);
      }
    }
    if (end == std::string_view::npos) break;
  }
  return false;
}

// "https://host:port" of an absolute http(s) URL; empty for anything else.
std::string_view origin_of(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  const auto scheme = url.substr(0, scheme_end);
  if (!iequals(scheme, "http") && !iequals(scheme, "https")) return {};
  const auto path = url.find_first_of("/?#", scheme_end + 3);
  return url.substr(0, path);
}

}  // namespace

std::optional<std::string> next_link(std::string_view header) {
  // Links are separated by commas outside <...>; a URL may hold commas itself.
  std::size_t at = 0;
  while (at < header.size()) {
    const auto open = header.find('<', at);
    if (open == std::string_view::npos) return std::nullopt;
    const auto close = header.find('>', open + 1);
    if (close == std::string_view::npos) return std::nullopt;
    auto next = header.find('<', close + 1);
    // The parameters run up to the comma that precedes the next link.
    auto params_end = next == std::string_view::npos ? header.size() : next;
    const auto comma = header.rfind(',', params_end == 0 ? 0 : params_end - 1);
    if (next != std::string_view::npos && comma != std::string_view::npos && comma > close) {
      params_end = comma;
    }
    if (names_next(header.substr(close + 1, params_end - close - 1))) {
      return std::string(header.substr(open + 1, close - open - 1));
    }
    at = next == std::string_view::npos ? header.size() : next;
  }
  return std::nullopt;
}

std::optional<std::string> resolve_same_origin(std::string_view base_url, std::string_view link) {
  const auto base_origin = origin_of(base_url);
  if (base_origin.empty() || link.empty()) return std::nullopt;
  if (link.front() == '/') {
    if (link.size() > 1 && link[1] == '/') return std::nullopt;  // scheme-relative: another host
    return std::string(base_origin) + std::string(link);
  }
  const auto link_origin = origin_of(link);
  if (link_origin.empty() || !iequals(link_origin, base_origin)) return std::nullopt;
  return std::string(link);
}

}  // namespace common::oci
