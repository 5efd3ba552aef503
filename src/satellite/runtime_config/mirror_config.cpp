#include "satellite/runtime_config/mirror_config.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/fs/file_ops.hpp"

namespace satellite::runtime_config {
namespace {

using common::ErrorCode;
namespace fs = std::filesystem;

constexpr std::string_view kMarker = "# written by satellite mirror-config";

std::string mirror_url(const MirrorPlan& plan) {
  return fmt::format("{}://{}", plan.mirror_tls ? "https" : "http", plan.mirror);
}

bool is_docker_hub(std::string_view upstream) {
  return upstream == "docker.io" || upstream == "registry-1.docker.io" ||
         upstream == "index.docker.io";
}

std::string upstream_server(const MirrorPlan& plan) {
  return is_docker_hub(plan.upstream) ? "https://registry-1.docker.io"
                                      : fmt::format("{}://{}", plan.upstream_scheme, plan.upstream);
}

// The file's content; nullopt when there is none. Any other failure (permissions, a
// directory) is an error: taking it for "absent" would overwrite the file.
common::Result<std::optional<std::string>> read_if_present(const std::string& path) {
  auto text = common::fs::read_file(path);
  if (!text) {
    if (text.error().code() == ErrorCode::kNotFound) return std::optional<std::string>();
    return common::fail(text.error());
  }
  return std::optional<std::string>(std::move(*text));
}

// One file's new content, computed from its current content (nullopt: absent).
using Edit = std::function<common::Result<std::string>(const std::optional<std::string>&)>;

// Writes `path` as `edit` says, keeping the first original (or that there was none).
common::Status write_file(const std::string& path, const Edit& edit, ApplyReport& report) {
  auto read = read_if_present(path);
  if (!read) return common::fail(read.error());
  const auto& current = *read;
  auto next = edit(current);
  if (!next) return common::fail(next.error());
  if (current && *current == *next) {
    report.files.push_back({path, FileChange::What::kUnchanged});
    return {};
  }
  if (auto made = common::fs::make_dirs(common::fs::parent_dir(path)); !made) return made;
  const auto backup = path + ".satellite-backup";
  const auto created = path + ".satellite-created";
  if (!fs::exists(backup) && !fs::exists(created)) {
    auto kept = current ? common::fs::atomic_write_file(backup, *current)
                        : common::fs::atomic_write_file(created, "");
    if (!kept) return kept;
  }
  if (auto written = common::fs::atomic_write_file(path, *next); !written) return written;
  report.files.push_back({path, current ? FileChange::What::kChanged : FileChange::What::kCreated});
  return {};
}

common::Status restore_file(const std::string& path, ApplyReport& report) {
  const auto backup = path + ".satellite-backup";
  const auto created = path + ".satellite-created";
  std::error_code ignored;
  if (fs::exists(backup)) {
    if (auto moved = common::fs::durable_rename(backup, path); !moved) return moved;
    report.files.push_back({path, FileChange::What::kRestored});
  } else if (fs::exists(created)) {
    fs::remove(path, ignored);
    fs::remove(created, ignored);
    report.files.push_back({path, FileChange::What::kRemoved});
  } else {
    report.files.push_back({path, FileChange::What::kUnchanged});
  }
  return {};
}

// Whether apply() wrote `path` (it keeps what was there first beside it).
bool written_by_us(const std::string& path) {
  std::error_code ignored;
  return fs::exists(path + ".satellite-backup", ignored) ||
         fs::exists(path + ".satellite-created", ignored);
}

// `<certs_d>/<mirror>/ca.crt`, a copy of the CA file: how docker, podman and CRI-O trust one
// registry (they read a directory per host:port, not a path named in their config). Undo
// removes it whether or not --ca-file is given again.
common::Status trust_file(const MirrorPlan& plan, const std::string& certs_d, bool undoing,
                          ApplyReport& report) {
  const auto dir = certs_d + "/" + plan.mirror;
  const auto path = dir + "/ca.crt";
  if (undoing) {
    if (!written_by_us(path)) return {};
    if (auto restored = restore_file(path, report); !restored) return restored;
    std::error_code ignored;
    fs::remove(dir, ignored);  // only when empty
    return {};
  }
  if (plan.ca_file.empty()) return {};
  return write_file(
      path, [&](const auto&) { return common::fs::read_file(plan.ca_file); }, report);
}

// --- containerd ---------------------------------------------------------------------------

std::string hosts_toml(const MirrorPlan& plan) {
  std::string out = fmt::format(
      "{}\nserver = \"{}\"\n\n[host.\"{}\"]\n  capabilities = "
      "[\"pull\", \"resolve\"]\n",
      kMarker, upstream_server(plan), mirror_url(plan));
  if (!plan.ca_file.empty()) out += fmt::format("  ca = \"{}\"\n", plan.ca_file);
  return out;
}

// The CRI plugin's registry section of a config.toml of version 2 (containerd 1.x) or 3.
std::string cri_registry_section(const std::string& text) {
  return text.find("version = 3") != std::string::npos
             ? "[plugins.\"io.containerd.cri.v1.images\".registry]"
             : "[plugins.\"io.containerd.grpc.v1.cri\".registry]";
}

// config_path's value in the CRI registry section, if set.
std::optional<std::string> config_path_of(const std::string& text) {
  const auto section = text.find(cri_registry_section(text));
  if (section == std::string::npos) return std::nullopt;
  std::istringstream lines(text.substr(section));
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line)) {
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    if (line[first] == '[') break;  // the next section
    if (line.compare(first, 11, "config_path") == 0) {
      const auto open = line.find('"');
      const auto close = line.rfind('"');
      if (open != std::string::npos && close > open) return line.substr(open + 1, close - open - 1);
    }
  }
  return std::nullopt;
}

common::Result<std::string> with_config_path(const std::optional<std::string>& current,
                                             const std::string& certs_d) {
  const std::string line = fmt::format("  config_path = \"{}\"\n", certs_d);
  if (!current)
    return fmt::format("version = 2\n\n[plugins.\"io.containerd.grpc.v1.cri\".registry]\n{}", line);
  std::string text = *current;
  if (config_path_of(text)) return text;  // set already: hosts.toml went there
  const auto header = cri_registry_section(text);
  const auto section = text.find(header);
  if (section == std::string::npos) {
    if (!text.empty() && text.back() != '\n') text += '\n';
    return text + "\n" + header + "\n" + line;
  }
  const auto end_of_header = text.find('\n', section);
  if (end_of_header == std::string::npos) return text + "\n" + line;
  text.insert(end_of_header + 1, line);
  return text;
}

common::Status containerd(const MirrorPlan& plan, const std::string& root, bool undoing,
                          ApplyReport& report) {
  const auto config = root + "/etc/containerd/config.toml";
  auto current = read_if_present(config);
  if (!current) return common::fail(current.error());
  // hosts.toml goes where containerd looks: its config_path when one is set already.
  std::string certs_d = "/etc/containerd/certs.d";
  if (*current) {
    if (auto set = config_path_of(**current)) certs_d = *set;
  }
  const auto hosts = root + certs_d + "/" +
                     (is_docker_hub(plan.upstream) ? "docker.io" : plan.upstream) + "/hosts.toml";
  if (undoing) {
    if (auto restored = restore_file(hosts, report); !restored) return restored;
    return restore_file(config, report);
  }
  if (auto written = write_file(
          hosts, [&](const auto&) -> common::Result<std::string> { return hosts_toml(plan); },
          report);
      !written)
    return written;
  return write_file(
      config, [&](const auto& text) { return with_config_path(text, certs_d); }, report);
}

// --- CRI-O and podman: registries.conf -----------------------------------------------------

common::Status registries_conf(const MirrorPlan& plan, const std::string& root, bool undoing,
                               ApplyReport& report) {
  const auto path = root + "/etc/containers/registries.conf.d/50-satellite.conf";
  if (auto trusted = trust_file(plan, root + "/etc/containers/certs.d", undoing, report); !trusted)
    return trusted;
  if (undoing) return restore_file(path, report);
  return write_file(
      path,
      [&](const auto&) -> common::Result<std::string> {
        const auto upstream =
            is_docker_hub(plan.upstream) ? std::string("docker.io") : plan.upstream;
        return fmt::format(
            "{}\n[[registry]]\nprefix = \"{}\"\nlocation = \"{}\"\n\n"
            "[[registry.mirror]]\nlocation = \"{}\"\n{}",
            kMarker, upstream, upstream, plan.mirror, plan.mirror_tls ? "" : "insecure = true\n");
      },
      report);
}

// --- docker: daemon.json -------------------------------------------------------------------

common::Status docker(const MirrorPlan& plan, const std::string& root, bool undoing,
                      ApplyReport& report) {
  const auto path = root + "/etc/docker/daemon.json";
  if (auto trusted = trust_file(plan, root + "/etc/docker/certs.d", undoing, report); !trusted)
    return trusted;
  if (undoing) return restore_file(path, report);
  if (!is_docker_hub(plan.upstream))
    report.warnings.push_back(fmt::format(
        "docker uses registry-mirrors for Docker Hub names only: pulls of {}/… will not go "
        "through the satellite (use containerd, CRI-O or podman for that upstream)",
        plan.upstream));
  return write_file(
      path,
      [&](const std::optional<std::string>& text) -> common::Result<std::string> {
        nlohmann::json document = nlohmann::json::object();
        if (text && !text->empty()) {
          document = nlohmann::json::parse(*text, nullptr, false);
          if (document.is_discarded() || !document.is_object())
            return common::fail(ErrorCode::kInvalidArgument,
                                fmt::format("{} is not a JSON object: fix or move it first", path));
        }
        auto& mirrors = document["registry-mirrors"];
        if (!mirrors.is_array()) mirrors = nlohmann::json::array();
        const auto url = mirror_url(plan);
        if (std::find(mirrors.begin(), mirrors.end(), url) == mirrors.end()) mirrors.push_back(url);
        if (!plan.mirror_tls) {
          auto& insecure = document["insecure-registries"];
          if (!insecure.is_array()) insecure = nlohmann::json::array();
          if (std::find(insecure.begin(), insecure.end(), plan.mirror) == insecure.end())
            insecure.push_back(plan.mirror);
        }
        return document.dump(2) + "\n";
      },
      report);
}

// --- k3s / RKE2: registries.yaml ----------------------------------------------------------

common::Status k3s(const MirrorPlan& plan, const std::string& root, bool undoing,
                   ApplyReport& report) {
  const auto path = root + "/etc/rancher/k3s/registries.yaml";
  if (undoing) return restore_file(path, report);
  return write_file(
      path,
      [&](const std::optional<std::string>& text) -> common::Result<std::string> {
        YAML::Node document;
        try {
          document = text && !text->empty() ? YAML::Load(*text) : YAML::Node(YAML::NodeType::Map);
        } catch (const YAML::Exception& e) {
          return common::fail(
              ErrorCode::kInvalidArgument,
              fmt::format("{} is not YAML ({}): fix or move it first", path, e.what()));
        }
        if (!document.IsMap())
          return common::fail(ErrorCode::kInvalidArgument,
                              fmt::format("{} is not a YAML map: fix or move it first", path));
        const auto upstream =
            is_docker_hub(plan.upstream) ? std::string("docker.io") : plan.upstream;
        YAML::Node endpoints(YAML::NodeType::Sequence);
        endpoints.push_back(mirror_url(plan));
        document["mirrors"][upstream]["endpoint"] = endpoints;
        if (!plan.ca_file.empty())
          document["configs"][plan.mirror]["tls"]["ca_file"] = plan.ca_file;
        YAML::Emitter out;
        out << document;
        return std::string(out.c_str()) + "\n";
      },
      report);
}

common::Result<ApplyReport> run(Runtime runtime, MirrorPlan plan, const std::string& root,
                                bool undoing) {
  for (const std::string_view scheme : {"http", "https"}) {
    const auto prefix = std::string(scheme) + "://";
    if (plan.upstream.starts_with(prefix)) {
      plan.upstream_scheme = scheme;
      plan.upstream.erase(0, prefix.size());
    }
  }
  while (plan.upstream.ends_with('/')) plan.upstream.pop_back();
  if (!plan.ca_file.empty()) plan.mirror_tls = true;  // a CA to trust is for HTTPS
  if (plan.mirror.empty() || plan.upstream.empty())
    return common::fail(ErrorCode::kInvalidArgument, "mirror-config needs --mirror and --upstream");
  ApplyReport report;
  common::Status done;
  switch (runtime) {
    case Runtime::kContainerd:
      done = containerd(plan, root, undoing, report);
      break;
    case Runtime::kCrio:
    case Runtime::kPodman:
      done = registries_conf(plan, root, undoing, report);
      break;
    case Runtime::kDocker:
      done = docker(plan, root, undoing, report);
      break;
    case Runtime::kK3s:
      done = k3s(plan, root, undoing, report);
      break;
  }
  if (!done) return common::fail(done.error());
  return report;
}

}  // namespace

std::optional<Runtime> runtime_from_name(std::string_view name) noexcept {
  if (name == "containerd") return Runtime::kContainerd;
  if (name == "crio" || name == "cri-o") return Runtime::kCrio;
  if (name == "podman") return Runtime::kPodman;
  if (name == "docker") return Runtime::kDocker;
  if (name == "k3s" || name == "rke2") return Runtime::kK3s;
  return std::nullopt;
}

std::string_view runtime_name(Runtime runtime) noexcept {
  switch (runtime) {
    case Runtime::kContainerd:
      return "containerd";
    case Runtime::kCrio:
      return "crio";
    case Runtime::kPodman:
      return "podman";
    case Runtime::kDocker:
      return "docker";
    case Runtime::kK3s:
      return "k3s";
  }
  return "?";
}

common::Result<ApplyReport> apply(Runtime runtime, const MirrorPlan& plan,
                                  const std::string& root) {
  return run(runtime, plan, root, false);
}

common::Result<ApplyReport> undo(Runtime runtime, const MirrorPlan& plan, const std::string& root) {
  auto report = run(runtime, plan, root, true);
  // A reload keeps every setting the file no longer names (tests/e2e/docker_mirror_test.sh).
  if (report && runtime == Runtime::kDocker)
    report->warnings.push_back(
        "dockerd keeps the removed registry-mirrors until it restarts (a SIGHUP does not drop "
        "them)");
  return report;
}

std::vector<Runtime> detect(const std::string& root) {
  const auto any = [&](std::initializer_list<const char*> paths) {
    std::error_code ignored;
    for (const char* path : paths)
      if (fs::exists(root + path, ignored)) return true;
    return false;
  };
  std::vector<Runtime> out;
  if (any({"/usr/bin/containerd", "/usr/local/bin/containerd", "/etc/containerd"}))
    out.push_back(Runtime::kContainerd);
  if (any({"/usr/bin/crio", "/usr/local/bin/crio", "/etc/crio"})) out.push_back(Runtime::kCrio);
  if (any({"/usr/bin/podman", "/usr/local/bin/podman"})) out.push_back(Runtime::kPodman);
  if (any({"/usr/bin/dockerd", "/usr/local/bin/dockerd", "/etc/docker"}))
    out.push_back(Runtime::kDocker);
  if (any({"/usr/local/bin/k3s", "/usr/bin/k3s", "/etc/rancher/k3s", "/etc/rancher/rke2"}))
    out.push_back(Runtime::kK3s);
  return out;
}

}  // namespace satellite::runtime_config
