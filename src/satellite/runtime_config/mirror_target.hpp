// MirrorTarget: what `satellite mirror-config --data-dir DIR` needs to point this host's
// runtimes at the satellite without flags: the address they reach it by, whether it serves
// HTTPS and the CA they trust it by, the upstream it mirrors, and the runtimes ground
// control's config names (empty: the installed ones). `satellite run` writes it to
// <data-dir>/runtime/mirror.json whenever a config is applied, because the agent's unit
// cannot write /etc (ProtectSystem=strict): the privileged one-shot reads the file at boot
// and again when it changes (deploy/satellite-mirror-config.path). Not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "satellite/runtime_config/mirror_config.hpp"

namespace satellite::runtime_config {

struct MirrorTarget {
  MirrorPlan plan;                    // mirror, mirror_tls, upstream (a URL or HOST), ca_file
  std::vector<std::string> runtimes;  // runtime names; empty: detect

  bool operator==(const MirrorTarget&) const = default;
};

[[nodiscard]] std::string mirror_target_path(const std::string& data_dir);

// The address runtimes on this host reach a listener bound to `bound` (HOST:PORT) by: a
// wildcard host ("0.0.0.0", "[::]", "") becomes 127.0.0.1, any other stays.
[[nodiscard]] std::string local_address(std::string_view bound);

// kNotFound when no config was applied yet; kInvalidArgument naming the file when it does
// not parse or names an unknown runtime.
[[nodiscard]] common::Result<MirrorTarget> load_mirror_target(const std::string& path);

// Replaces the file atomically; leaves it untouched (its mtime too, so the path unit does not
// fire) when it already holds `target`.
[[nodiscard]] common::Status save_mirror_target(const std::string& path,
                                                const MirrorTarget& target);

}  // namespace satellite::runtime_config
