#include "common/oci/repository_name.hpp"

#include <string>

namespace common::oci {
namespace {

bool is_alnum_lower(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// One path component: alnum runs joined by ".", "_", "__" or one or more "-".
bool is_valid_component(std::string_view c) {
  if (c.empty() || !is_alnum_lower(c.front()) || !is_alnum_lower(c.back())) return false;
  std::size_t i = 0;
  while (i < c.size()) {
    if (is_alnum_lower(c[i])) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < c.size() && !is_alnum_lower(c[i])) ++i;
    const auto sep = c.substr(start, i - start);
    const bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
  }
  return true;
}

}  // namespace

Status validate_repository_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxRepositoryNameLength) {
    return fail(ErrorCode::kNameInvalid, "invalid repository name: length must be 1 to 255",
                std::string(name.substr(0, 300)));
  }
  std::size_t start = 0;
  for (;;) {
    const auto slash = name.find('/', start);
    const auto component =
        name.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (!is_valid_component(component)) {
      return fail(ErrorCode::kNameInvalid, "invalid repository name", std::string(name));
    }
    if (slash == std::string_view::npos) return {};
    start = slash + 1;
  }
}

bool is_valid_tag(std::string_view tag) noexcept {
  if (tag.empty() || tag.size() > 128) return false;
  auto word = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  if (!word(tag.front())) return false;
  for (char c : tag.substr(1)) {
    if (!(word(c) || c == '.' || c == '-')) return false;
  }
  return true;
}

}  // namespace common::oci
