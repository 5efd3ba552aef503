#include "common/fleet_wire/field_reader.hpp"

#include <fmt/format.h>

namespace common::fleet_wire {

using nlohmann::json;

Result<json> parse_wire_object(std::string_view text, std::string_view what) {
  auto document = json::parse(text, nullptr, false);
  if (document.is_discarded() || !document.is_object())
    return fail(ErrorCode::kInvalidArgument, std::string(what) + ": expected a JSON object");
  return document;
}

Result<std::string> FieldReader::text(std::string_view key, bool required,
                                      std::size_t max_size) const {
  const auto found = object_->find(key);
  if (found == object_->end() || found->is_null()) {
    if (!required) return std::string();
    return missing(key);
  }
  if (!found->is_string()) return mistyped(key, "a string");
  auto value = found->get<std::string>();
  if (value.size() > max_size)
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: longer than {} bytes", field(key), max_size));
  return value;
}

Result<std::vector<std::string>> FieldReader::texts(std::string_view key) const {
  std::vector<std::string> out;
  const auto found = object_->find(key);
  if (found == object_->end() || found->is_null()) return out;
  if (!found->is_array()) return mistyped(key, "an array of strings");
  for (const auto& item : *found) {
    if (!item.is_string()) return mistyped(key, "an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::int64_t> FieldReader::count(std::string_view key) const {
  const auto found = object_->find(key);
  if (found == object_->end() || found->is_null()) return std::int64_t{0};
  if (found->is_number_unsigned() && found->get<std::uint64_t>() <= INT64_MAX)
    return found->get<std::int64_t>();
  if (found->is_number_integer() && found->get<std::int64_t>() >= 0)
    return found->get<std::int64_t>();
  return mistyped(key, "a count of 0 or more");
}

Result<Digest> FieldReader::digest(std::string_view key) const {
  auto value = text(key);
  if (!value) return fail(value.error());
  auto parsed = Digest::parse(*value);
  if (!parsed)
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: {}", field(key), parsed.error().message()));
  return parsed;
}

Result<FieldReader> FieldReader::object(std::string_view key) const {
  const auto found = object_->find(key);
  if (found == object_->end() || !found->is_object()) return mistyped(key, "an object");
  return FieldReader(*found, field(key));
}

Result<std::vector<FieldReader>> FieldReader::objects(std::string_view key,
                                                      std::size_t max_items) const {
  std::vector<FieldReader> out;
  const auto found = object_->find(key);
  if (found == object_->end() || found->is_null()) return out;
  if (!found->is_array()) return mistyped(key, "an array");
  if (found->size() > max_items)
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: more than {} entries", field(key), max_items));
  out.reserve(found->size());
  for (std::size_t i = 0; i < found->size(); ++i) {
    const auto& item = (*found)[i];
    const auto path = fmt::format("{}[{}]", field(key), i);
    if (!item.is_object())
      return fail(ErrorCode::kInvalidArgument, fmt::format("{}: expected an object", path));
    out.emplace_back(item, path);
  }
  return out;
}

std::string FieldReader::field(std::string_view key) const {
  return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
}

std::unexpected<Error> FieldReader::missing(std::string_view key) const {
  return fail(ErrorCode::kInvalidArgument, fmt::format("{}: required", field(key)));
}

std::unexpected<Error> FieldReader::mistyped(std::string_view key,
                                             std::string_view expected) const {
  return fail(ErrorCode::kInvalidArgument, fmt::format("{}: expected {}", field(key), expected));
}

}  // namespace common::fleet_wire
