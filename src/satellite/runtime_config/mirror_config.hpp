// MirrorConfig: `satellite mirror-config` writes a container runtime's own configuration so
// that it pulls the upstream registry's images from this satellite first (and from the
// upstream when the satellite lacks them):
//   containerd  <root>/etc/containerd/certs.d/<upstream>/hosts.toml, and config_path in
//               <root>/etc/containerd/config.toml's CRI registry section when unset (the
//               kubelet's pulls go through the CRI plugin, which reads only that)
//   crio/podman <root>/etc/containers/registries.conf.d/50-satellite.conf, a mirror entry
//   docker      <root>/etc/docker/daemon.json "registry-mirrors" (Docker Hub names only:
//               dockerd uses mirrors for nothing else; a warning says so)
//   k3s         <root>/etc/rancher/k3s/registries.yaml (also RKE2's format)
// With a CA file (the mirror serves HTTPS with a certificate of ground control's CA):
// containerd's hosts.toml and k3s's configs.<mirror>.tls.ca_file name it; docker and
// podman/CRI-O get a copy as <root>/etc/{docker,containers}/certs.d/<mirror>/ca.crt, and no
// insecure entry.
// Every edit keeps the file's other settings, is idempotent (a second run changes nothing),
// and keeps what was there first: `<file>.satellite-backup`, or `<file>.satellite-created`
// when there was no file, so that undo() restores exactly the state before the first run.
// Pure file work under `root`; no runtime is restarted (containerd and k3s read hosts and
// mirrors when they pull; dockerd needs a SIGHUP, CRI-O a reload). Not thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace satellite::runtime_config {

enum class Runtime { kContainerd, kCrio, kPodman, kDocker, kK3s };

[[nodiscard]] std::optional<Runtime> runtime_from_name(std::string_view name) noexcept;
[[nodiscard]] std::string_view runtime_name(Runtime runtime) noexcept;

struct MirrorPlan {
  std::string mirror;       // this satellite, HOST:PORT
  bool mirror_tls = false;  // https:// rather than http:// (implied by ca_file)
  // The registry it mirrors, HOST[:PORT] ("docker.io" for Docker Hub), or a URL
  // ("http://HOST:PORT") when the runtime should fall back to it over plain HTTP.
  std::string upstream;
  // CA the runtime trusts the mirror by (the satellite's identity/serving-ca.pem), optional;
  // must exist for docker, podman and CRI-O (copied), named as given for containerd and k3s.
  std::string ca_file;
  std::string upstream_scheme = "https";  // set from an upstream URL

  bool operator==(const MirrorPlan&) const = default;
};

// What one run did to one file.
struct FileChange {
  std::string path;
  enum class What { kCreated, kChanged, kUnchanged, kRestored, kRemoved } what;
};

struct ApplyReport {
  std::vector<FileChange> files;
  std::vector<std::string> warnings;  // e.g. docker and a non-Hub upstream
};

// Writes the runtime's configuration under `root` ("/" in production). Errors: a malformed
// existing file (kInvalidArgument naming it; nothing is written), the file system's.
[[nodiscard]] common::Result<ApplyReport> apply(Runtime runtime, const MirrorPlan& plan,
                                                const std::string& root);
// Restores every file apply() changed for `runtime` (and upstream) to what it was before.
[[nodiscard]] common::Result<ApplyReport> undo(Runtime runtime, const MirrorPlan& plan,
                                               const std::string& root);
// The runtimes installed under `root`: their binary or configuration directory exists.
[[nodiscard]] std::vector<Runtime> detect(const std::string& root);

}  // namespace satellite::runtime_config
