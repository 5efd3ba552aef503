#include "satellite/runtime_config/mirror_target.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/fs/file_ops.hpp"

namespace satellite::runtime_config {
namespace {

std::string to_json(const MirrorTarget& target) {
  const nlohmann::json doc = {{"mirror", target.plan.mirror},
                              {"mirrorTls", target.plan.mirror_tls},
                              {"upstream", target.plan.upstream},
                              {"caFile", target.plan.ca_file},
                              {"runtimes", target.runtimes}};
  return doc.dump(2) + "\n";
}

}  // namespace

std::string mirror_target_path(const std::string& data_dir) {
  return data_dir + "/runtime/mirror.json";
}

std::string local_address(std::string_view bound) {
  const auto colon = bound.rfind(':');
  if (colon == std::string_view::npos) return std::string(bound);
  const auto host = bound.substr(0, colon);
  if (host.empty() || host == "0.0.0.0" || host == "[::]" || host == "::")
    return fmt::format("127.0.0.1:{}", bound.substr(colon + 1));
  return std::string(bound);
}

common::Result<MirrorTarget> load_mirror_target(const std::string& path) {
  auto text = common::fs::read_file(path);
  if (!text) return common::fail(text.error());
  const auto invalid = [&](std::string_view why) {
    return common::fail(common::ErrorCode::kInvalidArgument, fmt::format("{}: {}", path, why));
  };
  const auto doc = nlohmann::json::parse(*text, nullptr, false);
  if (!doc.is_object()) return invalid("not a JSON object");
  MirrorTarget target;
  try {
    target.plan.mirror = doc.at("mirror").get<std::string>();
    target.plan.mirror_tls = doc.value("mirrorTls", false);
    target.plan.upstream = doc.at("upstream").get<std::string>();
    target.plan.ca_file = doc.value("caFile", std::string());
    target.runtimes = doc.value("runtimes", std::vector<std::string>());
  } catch (const nlohmann::json::exception& e) {
    return invalid(e.what());
  }
  if (target.plan.mirror.empty() || target.plan.upstream.empty())
    return invalid("mirror and upstream must be set");
  for (const auto& name : target.runtimes)
    if (!runtime_from_name(name)) return invalid("unknown runtime " + name);
  return target;
}

common::Status save_mirror_target(const std::string& path, const MirrorTarget& target) {
  const auto text = to_json(target);
  if (auto current = common::fs::read_file(path); current && *current == text) return {};
  if (auto made = common::fs::make_dirs(common::fs::parent_dir(path)); !made) return made;
  return common::fs::atomic_write_file(path, text);
}

}  // namespace satellite::runtime_config
