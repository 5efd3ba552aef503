#include <cstdio>

#include "satellite/commands.hpp"
#include "satellite/runtime_config/mirror_config.hpp"
#include "satellite/runtime_config/mirror_target.hpp"

namespace satellite {
namespace {

// The flags win; what they leave empty comes from the satellite's record in the data dir.
common::Result<MirrorConfigOptions> with_recorded_target(MirrorConfigOptions options) {
  if (options.data_dir.empty()) return options;
  const auto path = runtime_config::mirror_target_path(options.data_dir);
  auto recorded = runtime_config::load_mirror_target(path);
  if (!recorded) {
    if (recorded.error().code() != common::ErrorCode::kNotFound)
      return common::fail(recorded.error());
    if (options.plan.mirror.empty() || options.plan.upstream.empty())
      return common::fail(common::ErrorCode::kNotFound,
                          path +
                              " does not exist yet (the satellite has not applied a config); "
                              "give --mirror and --upstream");
    return options;
  }
  auto& plan = options.plan;
  if (plan.mirror.empty()) {
    plan.mirror = recorded->plan.mirror;
    plan.mirror_tls = plan.mirror_tls || recorded->plan.mirror_tls;
  }
  if (plan.upstream.empty()) plan.upstream = recorded->plan.upstream;
  if (plan.ca_file.empty()) plan.ca_file = recorded->plan.ca_file;
  if (options.runtimes.empty()) options.runtimes = recorded->runtimes;
  return options;
}

}  // namespace

common::Status mirror_config_command(const MirrorConfigOptions& given) {
  auto completed = with_recorded_target(given);
  if (!completed) return common::fail(completed.error());
  const auto& options = *completed;
  if (!options.detect && (options.plan.mirror.empty() || options.plan.upstream.empty()))
    return common::fail(common::ErrorCode::kInvalidArgument,
                        "mirror-config needs --mirror HOST:PORT and --upstream HOST, or "
                        "--data-dir of a satellite that has applied a config");
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
