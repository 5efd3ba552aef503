// ObjectMeta: the metadata every management-API resource carries, as Kubernetes names it.
// The client sets name, labels and annotations; the server sets uid, resourceVersion (the
// revision of the resource's last change, ADR 0006), generation (bumped when the spec
// changes) and creationTimestamp, and ignores what a client sends for them (so a document
// read with GET can be applied back), except resourceVersion on replace, which must match.
// Plain value type.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "groundcontrol/model/labels.hpp"

namespace groundcontrol::model {

using Annotations = std::map<std::string, std::string, std::less<>>;

struct ObjectMeta {
  std::string name;
  Labels labels;
  Annotations annotations;
  std::string uid;
  std::int64_t resource_version = 0;  // 0: not given (a create, or a replace without check)
  std::int64_t generation = 0;
  std::string creation_timestamp;  // RFC 3339, UTC
};

// Reads `metadata` of a request: the name must be a DNS-1123 label, labels valid, at most
// 64 labels and 256 KiB of annotations; kInvalidArgument naming the field otherwise.
[[nodiscard]] common::Result<ObjectMeta> parse_object_meta(const nlohmann::json& value);

// At most 64 labels, each key and value valid; kInvalidArgument naming `<field>.<key>`.
[[nodiscard]] common::Status validate_labels(const Labels& labels, std::string_view field);

// The `metadata` object of a response.
nlohmann::json to_json(const ObjectMeta& meta);

}  // namespace groundcontrol::model
