#include <cstdio>

#include "satellite/commands.hpp"
#include "satellite/runtime_config/mirror_config.hpp"

namespace satellite {

common::Status mirror_config_command(const MirrorConfigOptions& options) {
  std::vector<runtime_config::Runtime> runtimes;
  for (const auto& name : options.runtimes) {
    auto runtime = runtime_config::runtime_from_name(name);
    if (!runtime)
      return common::fail(common::ErrorCode::kInvalidArgument,
                          "--runtime is containerd, crio, podman, docker or k3s, not " + name);
    runtimes.push_back(*runtime);
  }
  if (options.detect || runtimes.empty()) {
    const auto found = runtime_config::detect(options.root);
    for (const auto runtime : found)
      std::printf("detected %s\n", std::string(runtime_config::runtime_name(runtime)).c_str());
    if (options.detect && options.plan.mirror.empty()) return {};
    if (runtimes.empty()) runtimes = found;
    if (runtimes.empty())
      return common::fail(common::ErrorCode::kNotFound,
                          "no container runtime found under " + options.root);
  }
  for (const auto runtime : runtimes) {
    auto report = options.undo ? runtime_config::undo(runtime, options.plan, options.root)
                               : runtime_config::apply(runtime, options.plan, options.root);
    if (!report) return common::fail(report.error());
    static constexpr const char* kWhat[] = {"created", "changed", "unchanged", "restored",
                                            "removed"};
    for (const auto& file : report->files)
      std::printf("%s: %s %s\n", std::string(runtime_config::runtime_name(runtime)).c_str(),
                  kWhat[static_cast<int>(file.what)], file.path.c_str());
    for (const auto& warning : report->warnings)
      std::fprintf(stderr, "warning: %s\n", warning.c_str());
  }
  return {};
}

}  // namespace satellite
