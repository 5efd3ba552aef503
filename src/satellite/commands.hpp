// The satellite's subcommands. main parses and validates flags into these options, calls
// one command, and prints its error, if any, as one line.
#pragma once

#include <string>
#include <vector>

#include "common/log/logger.hpp"
#include "common/result.hpp"
#include "registry/registry_config.hpp"
#include "satellite/run_options.hpp"
#include "satellite/runtime_config/mirror_config.hpp"
#include "satellite/serve_options.hpp"

namespace satellite {

// `satellite mirror-config`: what to configure, and where (root "/" in production).
struct MirrorConfigOptions {
  std::vector<std::string> runtimes;  // empty: the detected ones
  std::string root = "/";
  runtime_config::MirrorPlan plan;
  bool undo = false;
  bool detect = false;
  // When set, what `satellite run` last recorded there (runtime_config/mirror_target.hpp)
  // fills whatever the flags leave empty: mirror, upstream, CA, runtimes.
  std::string data_dir;
};

// Writes (or with undo restores) each runtime's mirror configuration; prints one line per
// file ("containerd: created /etc/containerd/certs.d/…/hosts.toml") and warnings on stderr.
[[nodiscard]] common::Status mirror_config_command(const MirrorConfigOptions& options);

// `satellite serve`: runs the registry until SIGTERM/SIGINT; SIGUSR1 collects garbage now.
// Prints "listening on HOST:PORT" on stdout once ready; serves imports and exports on
// <data-dir>/admin.sock meanwhile.
[[nodiscard]] common::Status serve_command(const ServeOptions& options, common::log::Logger logger);

// `satellite run`: the registry and the agent in one process, until SIGTERM/SIGINT (the
// agent stops first, then the registry drains). Prints "listening on HOST:PORT" when ready.
[[nodiscard]] common::Status run_command(const RunOptions& options, common::log::Logger logger);

// `satellite gc`: collects garbage in `config.data_dir` directly, or, when a running
// satellite holds the directory, asks it to (SIGUSR1) and waits for its report. Prints the
// report as JSON on stdout.
[[nodiscard]] common::Status gc_command(const registry::RegistryConfig& config,
                                        common::log::Logger logger);

// `satellite import PATH`: loads the OCI layout directory or tar at `path` into
// `data_dir`'s registry, into `repository` (empty: the layout's names), directly or, when a
// running satellite holds the directory, through its admin socket. Prints one summary line.
[[nodiscard]] common::Status import_command(const std::string& data_dir, const std::string& path,
                                            const std::string& repository,
                                            common::log::Logger logger);

// `satellite export PATH`: writes the images of `repositories` (empty: all) as one OCI layout
// directory at `path`, or a tar when it ends in ".tar" (written beside it, renamed on
// success); directly or through the running satellite. Prints one summary line.
[[nodiscard]] common::Status export_command(const std::string& data_dir, const std::string& path,
                                            const std::vector<std::string>& repositories,
                                            common::log::Logger logger);

}  // namespace satellite
