// FieldReader: reads typed fields of one JSON object of a satellite-API payload, naming the
// path of the first field that is missing, mistyped or out of range ("artifacts[3].digest:
// required"). Fields it is not asked for are ignored, which is what lets an older reader
// take a newer writer's document. Borrows the object; cheap to copy.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/digest.hpp"
#include "common/result.hpp"

namespace common::fleet_wire {

// `text` parsed as JSON, which must be an object; else kInvalidArgument "WHAT: expected a
// JSON object". The one entry point of every wire type's parse_… function.
Result<nlohmann::json> parse_wire_object(std::string_view text, std::string_view what);

class FieldReader {
 public:
  FieldReader(const nlohmann::json& object, std::string path)
      : object_(&object), path_(std::move(path)) {}

  // A string; absent or null is "" unless `required`. Longer than `max_size` is refused.
  Result<std::string> text(std::string_view key, bool required = true,
                           std::size_t max_size = std::string::npos) const;
  // An array of strings; absent is empty.
  Result<std::vector<std::string>> texts(std::string_view key) const;
  // A count (integer ≥ 0); absent or null is 0.
  Result<std::int64_t> count(std::string_view key) const;
  Result<Digest> digest(std::string_view key) const;
  // A nested object (required).
  Result<FieldReader> object(std::string_view key) const;
  // Each element of the array `key` (absent: none), which must be objects; at most
  // `max_items` of them.
  Result<std::vector<FieldReader>> objects(std::string_view key,
                                           std::size_t max_items = std::size_t(-1)) const;

  // The path of `key` inside the document, as error messages name it.
  std::string field(std::string_view key) const;

 private:
  std::unexpected<Error> missing(std::string_view key) const;
  std::unexpected<Error> mistyped(std::string_view key, std::string_view expected) const;

  const nlohmann::json* object_;
  std::string path_;
};

}  // namespace common::fleet_wire
