#include "groundcontrol/model/names.hpp"

#include <fmt/format.h>

namespace groundcontrol::model {
namespace {

using common::ErrorCode;
using common::fail;

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alnum(char c) {
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

bool is_dns_label(std::string_view text) {
  if (text.empty() || text.size() > kMaxNameLength) return false;
  if (!is_lower_alnum(text.front()) || !is_lower_alnum(text.back())) return false;
  for (char c : text)
    if (!is_lower_alnum(c) && c != '-') return false;
  return true;
}

bool is_dns_subdomain(std::string_view text) {
  if (text.empty() || text.size() > 253) return false;
  for (std::size_t start = 0;;) {
    const auto dot = text.find('.', start);
    if (!is_dns_label(text.substr(start, dot == std::string_view::npos ? dot : dot - start)))
      return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// [A-Za-z0-9._-]{1,63} starting and ending alphanumeric (a label name or value).
bool is_qualified_part(std::string_view text) {
  if (text.empty() || text.size() > kMaxNameLength) return false;
  if (!is_alnum(text.front()) || !is_alnum(text.back())) return false;
  for (char c : text)
    if (!is_alnum(c) && c != '.' && c != '_' && c != '-') return false;
  return true;
}

}  // namespace

common::Status validate_name(std::string_view name, std::string_view field) {
  if (is_dns_label(name)) return {};
  return fail(ErrorCode::kInvalidArgument,
              fmt::format("{}: \"{}\" is not a valid name: 1 to 63 lowercase letters, digits "
                          "or '-', starting and ending with a letter or digit",
                          field, name.substr(0, 80)));
}

common::Status validate_label_key(std::string_view key, std::string_view field) {
  const auto slash = key.find('/');
  const bool prefix_ok = slash == std::string_view::npos || is_dns_subdomain(key.substr(0, slash));
  const auto name = slash == std::string_view::npos ? key : key.substr(slash + 1);
  if (prefix_ok && is_qualified_part(name)) return {};
  return fail(ErrorCode::kInvalidArgument,
              fmt::format("{}: \"{}\" is not a valid label key: [prefix/]name, the name 1 to 63 "
                          "of letters, digits, '.', '_' or '-', starting and ending "
                          "alphanumeric; the prefix a DNS subdomain",
                          field, key.substr(0, 80)));
}

common::Status validate_label_value(std::string_view value, std::string_view field) {
  if (value.empty() || is_qualified_part(value)) return {};
  return fail(ErrorCode::kInvalidArgument,
              fmt::format("{}: \"{}\" is not a valid label value: empty, or 1 to 63 of "
                          "letters, digits, '.', '_' or '-', starting and ending alphanumeric",
                          field, value.substr(0, 80)));
}

}  // namespace groundcontrol::model
