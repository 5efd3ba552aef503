// HeaderFields: the header fields of one HTTP message as received, in order, with repeated
// fields kept apart (WWW-Authenticate may come once per challenge). Lookup by name is ASCII
// case-insensitive, as RFC 9110 §5.1 requires. A plain value type: copy it freely; not
// synchronised (one owner at a time).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace common::http {

class HeaderFields {
 public:
  // Appends one field; the value is stored with surrounding whitespace trimmed.
  void add(std::string_view name, std::string_view value);
  // Forgets every field (a redirect or 1xx response starts a new set).
  void clear() noexcept { fields_.clear(); }

  // The first field named `name`; nullopt when absent.
  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const noexcept;
  // Every field named `name`, in the order received; empty when absent.
  [[nodiscard]] std::vector<std::string_view> get_all(std::string_view name) const;

  // All fields in the order received, names as the peer spelled them.
  const std::vector<std::pair<std::string, std::string>>& fields() const noexcept {
    return fields_;
  }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

}  // namespace common::http
