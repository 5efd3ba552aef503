#include "cli/wait_condition.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace cli {
namespace {

std::string normal(std::string_view text) {
  std::string out;
  for (const char c : text)
    if (c != '-' && c != '_') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

common::Result<nlohmann::json::json_pointer> pointer_of(std::string path) {
  if (path.starts_with("{") && path.ends_with("}")) path = path.substr(1, path.size() - 2);
  if (!path.starts_with(".") || path.size() < 2)
    return common::fail(common::ErrorCode::kInvalidArgument,
                        "--for=jsonpath: expected a path like {.status.sync}");
  std::string pointer;
  for (const char c : path.substr(1)) pointer += c == '.' ? '/' : c;
  try {
    return nlohmann::json::json_pointer("/" + pointer);
  } catch (const nlohmann::json::exception&) {
    return common::fail(common::ErrorCode::kInvalidArgument, "--for=jsonpath: a bad path");
  }
}

}  // namespace

common::Result<WaitCondition> WaitCondition::parse(const std::string& text) {
  WaitCondition out;
  if (text == "delete") return out;
  if (text.starts_with("condition=") && text.size() > 10) {
    out.type = Type::kCondition;
    out.condition = text.substr(10);
    return out;
  }
  if (text.starts_with("jsonpath=")) {
    auto rest = text.substr(9);
    if (rest.size() >= 2 && (rest.front() == '\'' || rest.front() == '"') &&
        rest.back() == rest.front())
      rest = rest.substr(1, rest.size() - 2);
    const auto close = rest.find('}');
    const auto equals = rest.find('=', close == std::string::npos ? 0 : close);
    auto pointer = pointer_of(rest.substr(0, equals));
    if (!pointer) return common::fail(pointer.error());
    out.type = Type::kJsonPath;
    out.path = *pointer;
    if (equals != std::string::npos) out.value = rest.substr(equals + 1);
    return out;
  }
  return common::fail(common::ErrorCode::kInvalidArgument,
                      "--for: expected delete, condition=NAME (InSync, Online, Approved, …) or "
                      "jsonpath={.path}=VALUE");
}

bool WaitCondition::met_by(const nlohmann::json& resource) const {
  switch (type) {
    case Type::kDelete:
      return false;
    case Type::kCondition: {
      const auto wanted = normal(condition);
      const auto status = resource.value("status", nlohmann::json::object());
      constexpr std::array<const char*, 3> kStates{"sync", "connectivity", "phase"};
      return std::any_of(kStates.begin(), kStates.end(), [&](const char* key) {
        return status.contains(key) && status[key].is_string() &&
               normal(status[key].get<std::string>()) == wanted;
      });
    }
    case Type::kJsonPath: {
      if (!resource.contains(path)) return false;
      if (!value) return true;
      const auto& found = resource[path];
      return (found.is_string() ? found.get<std::string>() : found.dump()) == *value;
    }
  }
  return false;
}

}  // namespace cli
