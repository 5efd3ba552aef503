// WaitCondition: what `gcctl wait --for=…` waits for, parsed once and then checked against
// each read of the resource:
//   delete                       the resource is gone (404)
//   condition=InSync             a state of the resource's status: status.sync,
//                                status.connectivity or status.phase equal to it, case and
//                                '-' ignored (InSync = in-sync, Online, Failed, Approved…)
//   jsonpath={.status.sync}=in-sync   the value at that path (`.a.b`, `{}` optional) is
//                                that text; without `=VALUE`, that the path exists
// Pure value type and functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/result.hpp"

namespace cli {

struct WaitCondition {
  enum class Type { kDelete, kCondition, kJsonPath } type = Type::kDelete;
  std::string condition;              // kCondition: as typed
  nlohmann::json::json_pointer path;  // kJsonPath
  std::optional<std::string> value;   // kJsonPath: the text wanted, or any value

  // kInvalidArgument naming the accepted forms when `text` is none of them.
  [[nodiscard]] static common::Result<WaitCondition> parse(const std::string& text);

  // Whether `resource` (as read) meets the condition; never for kDelete (met by a 404).
  [[nodiscard]] bool met_by(const nlohmann::json& resource) const;
};

}  // namespace cli
