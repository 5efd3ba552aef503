// JsonFields: reads one JSON object of a management request strictly: each field is taken
// by name and type, the path of the first missing, mistyped or invalid field is named in
// the error (`spec.artifacts[2].digest: …`), and finish() refuses any field that was not
// taken, naming it, because a misspelt field silently ignored is a setting silently lost.
// Borrows the object; one thread.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace groundcontrol::model {

class JsonFields {
 public:
  // kInvalidArgument when `value` is not an object.
  [[nodiscard]] static common::Result<JsonFields> open(const nlohmann::json& value,
                                                       std::string path);

  // Each getter: the field's value, the default when it is absent or null, or
  // kInvalidArgument naming the field.
  [[nodiscard]] common::Result<std::string> text(std::string_view key, std::string fallback = {});
  [[nodiscard]] common::Result<std::string> required_text(std::string_view key);
  [[nodiscard]] common::Result<std::int64_t> integer(std::string_view key, std::int64_t fallback,
                                                     std::int64_t min, std::int64_t max);
  [[nodiscard]] common::Result<bool> boolean(std::string_view key, bool fallback);
  [[nodiscard]] common::Result<std::vector<std::string>> texts(std::string_view key);
  [[nodiscard]] common::Result<std::map<std::string, std::string, std::less<>>> text_map(
      std::string_view key);
  // The raw value of a nested object or array for a nested reader; nullptr when absent.
  [[nodiscard]] const nlohmann::json* take(std::string_view key);
  // The path of a field, for nested readers and messages.
  std::string path_of(std::string_view key) const;
  const std::string& path() const noexcept { return path_; }

  // kInvalidArgument naming the first field that no getter took.
  [[nodiscard]] common::Status finish() const;

 private:
  JsonFields(const nlohmann::json& object, std::string path)
      : object_(object), path_(std::move(path)) {}
  const nlohmann::json* find(std::string_view key);
  std::unexpected<common::Error> invalid(std::string_view key, std::string_view why) const;

  const nlohmann::json& object_;
  std::string path_;
  std::set<std::string, std::less<>> taken_;
};

// kInvalidArgument "<path>: <why>".
std::unexpected<common::Error> invalid_field(std::string_view path, std::string_view why);

}  // namespace groundcontrol::model
