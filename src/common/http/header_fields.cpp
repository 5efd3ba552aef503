#include "common/http/header_fields.hpp"

#include <algorithm>
#include <cctype>

namespace common::http {
namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view text) noexcept {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

}  // namespace

void HeaderFields::add(std::string_view name, std::string_view value) {
  fields_.emplace_back(std::string(trim(name)), std::string(trim(value)));
}

std::optional<std::string_view> HeaderFields::get(std::string_view name) const noexcept {
  for (const auto& [field, value] : fields_) {
    if (iequals(field, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::vector<std::string_view> HeaderFields::get_all(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const auto& [field, value] : fields_) {
    if (iequals(field, name)) values.emplace_back(value);
  }
  return values;
}

}  // namespace common::http
