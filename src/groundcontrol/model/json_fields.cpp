#include "groundcontrol/model/json_fields.hpp"

#include <fmt/format.h>

namespace groundcontrol::model {

using common::ErrorCode;
using nlohmann::json;

std::unexpected<common::Error> invalid_field(std::string_view path, std::string_view why) {
  return common::fail(ErrorCode::kInvalidArgument, fmt::format("{}: {}", path, why));
}

common::Result<JsonFields> JsonFields::open(const json& value, std::string path) {
  if (!value.is_object()) return invalid_field(path.empty() ? "body" : path, "expected an object");
  return JsonFields(value, std::move(path));
}

std::string JsonFields::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
}

std::unexpected<common::Error> JsonFields::invalid(std::string_view key,
                                                   std::string_view why) const {
  return invalid_field(path_of(key), why);
}

const json* JsonFields::find(std::string_view key) {
  taken_.emplace(key);
  const auto found = object_.find(key);
  if (found == object_.end() || found->is_null()) return nullptr;
  return &*found;
}

const json* JsonFields::take(std::string_view key) {
  return find(key);
}

common::Result<std::string> JsonFields::text(std::string_view key, std::string fallback) {
  const auto* value = find(key);
  if (value == nullptr) return fallback;
  if (!value->is_string()) return invalid(key, "expected a string");
  return value->get<std::string>();
}

common::Result<std::string> JsonFields::required_text(std::string_view key) {
  const auto* value = find(key);
  if (value == nullptr) return invalid(key, "required");
  if (!value->is_string()) return invalid(key, "expected a string");
  return value->get<std::string>();
}

common::Result<std::int64_t> JsonFields::integer(std::string_view key, std::int64_t fallback,
                                                 std::int64_t min, std::int64_t max) {
  const auto* value = find(key);
  if (value == nullptr) return fallback;
  if (!value->is_number_integer()) return invalid(key, "expected an integer");
  const auto number = value->is_number_unsigned() && value->get<std::uint64_t>() > INT64_MAX
                          ? INT64_MAX
                          : value->get<std::int64_t>();
  if (number < min || number > max)
    return invalid(key, fmt::format("must be between {} and {}", min, max));
  return number;
}

common::Result<bool> JsonFields::boolean(std::string_view key, bool fallback) {
  const auto* value = find(key);
  if (value == nullptr) return fallback;
  if (!value->is_boolean()) return invalid(key, "expected true or false");
  return value->get<bool>();
}

common::Result<std::vector<std::string>> JsonFields::texts(std::string_view key) {
  std::vector<std::string> out;
  const auto* value = find(key);
  if (value == nullptr) return out;
  if (!value->is_array()) return invalid(key, "expected a list of strings");
  for (const auto& item : *value) {
    if (!item.is_string()) return invalid(key, "expected a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

common::Result<std::map<std::string, std::string, std::less<>>> JsonFields::text_map(
    std::string_view key) {
  std::map<std::string, std::string, std::less<>> out;
  const auto* value = find(key);
  if (value == nullptr) return out;
  if (!value->is_object()) return invalid(key, "expected an object of strings");
  for (const auto& [name, item] : value->items()) {
    if (!item.is_string())
      return invalid_field(fmt::format("{}.{}", path_of(key), name), "expected a string");
    out.emplace(name, item.get<std::string>());
  }
  return out;
}

common::Status JsonFields::finish() const {
  for (const auto& [key, value] : object_.items()) {
    if (!taken_.contains(key)) return invalid(key, "unknown field");
  }
  return {};
}

}  // namespace groundcontrol::model
