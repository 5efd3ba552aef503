#include "groundcontrol/model/satellite_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>

#include "common/config/duration.hpp"
#include "common/oci/repository_name.hpp"
#include "groundcontrol/model/json_fields.hpp"
#include "groundcontrol/model/server_name.hpp"

namespace groundcontrol::model {
namespace {

using common::fail;
using nlohmann::json;

constexpr std::array kRuntimes = {"containerd", "crio", "podman", "docker", "k3s"};
constexpr std::array kLogLevels = {"trace", "debug", "info", "warn", "error"};

common::Result<std::chrono::seconds> duration(JsonFields& fields, std::string_view key,
                                              std::chrono::seconds fallback,
                                              std::chrono::seconds min) {
  auto text = fields.text(key);
  if (!text) return fail(text.error());
  if (text->empty()) return fallback;
  auto parsed = common::config::parse_duration(*text);
  if (!parsed || *parsed < min)
    return invalid_field(
        fields.path_of(key),
        fmt::format("expected a duration of at least {}s such as \"5m\"", min.count()));
  return *parsed;
}

// "HH:MM-HH:MM" with valid clock times.
bool is_sync_window(std::string_view text) {
  const auto clock_time = [](std::string_view t) {
    return t.size() == 5 && t[2] == ':' && std::isdigit(t[0]) && std::isdigit(t[1]) &&
           std::isdigit(t[3]) && std::isdigit(t[4]) && (t[0] - '0') * 10 + (t[1] - '0') < 24 &&
           (t[3] - '0') < 6;
  };
  return text.size() == 11 && text[5] == '-' && clock_time(text.substr(0, 5)) &&
         clock_time(text.substr(6));
}

template <std::size_t N>
bool one_of(const std::array<const char*, N>& allowed, const std::string& value) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

common::Status parse_upstream(JsonFields& fields, SatelliteConfigSpec& spec) {
  const auto* value = fields.take("upstream");
  if (value == nullptr) return {};
  auto upstream = JsonFields::open(*value, "spec.upstream");
  if (!upstream) return fail(upstream.error());
  auto url = upstream->text("url");
  if (!url) return fail(url.error());
  if (!url->empty() && !url->starts_with("https://") && !url->starts_with("http://"))
    return invalid_field("spec.upstream.url", "expected an http:// or https:// URL");
  auto username = upstream->text("username");
  if (!username) return fail(username.error());
  if (const auto* password = upstream->take("password")) {
    if (!password->is_string()) return invalid_field("spec.upstream.password", "expected a string");
    spec.upstream_password = password->get<std::string>();
  }
  // What a response says; ignored on the way in.
  (void)upstream->take("passwordSet");
  (void)upstream->take("credentialsGeneration");
  auto insecure = upstream->boolean("insecure", false);
  if (!insecure) return fail(insecure.error());
  if (auto ok = upstream->finish(); !ok) return ok;
  spec.upstream_url = std::move(*url);
  spec.upstream_username = std::move(*username);
  spec.upstream_insecure = *insecure;
  return {};
}

common::Status parse_proxy(JsonFields& fields, SatelliteConfigSpec& spec) {
  const auto* value = fields.take("proxy");
  if (value == nullptr) return {};
  auto proxy = JsonFields::open(*value, "spec.proxy");
  if (!proxy) return fail(proxy.error());
  auto enabled = proxy->boolean("enabled", false);
  if (!enabled) return fail(enabled.error());
  auto repositories = proxy->texts("allowedRepositories");
  if (!repositories) return fail(repositories.error());
  for (const auto& repository : *repositories)
    if (!common::oci::validate_repository_name(repository))
      return invalid_field("spec.proxy.allowedRepositories",
                           fmt::format("\"{}\" is not a repository name", repository));
  if (auto ok = proxy->finish(); !ok) return ok;
  spec.proxy_enabled = *enabled;
  spec.proxy_repositories = std::move(*repositories);
  return {};
}

common::Status parse_registry(JsonFields& fields, SatelliteConfigSpec& spec) {
  const auto* value = fields.take("registry");
  if (value == nullptr) return {};
  auto registry = JsonFields::open(*value, "spec.registry");
  if (!registry) return fail(registry.error());
  auto names = registry->texts("serverNames");
  if (!names) return fail(names.error());
  if (names->size() > kMaxServerNames)
    return invalid_field("spec.registry.serverNames",
                         fmt::format("at most {} names", kMaxServerNames));
  for (std::size_t i = 0; i < names->size(); ++i) {
    const auto& name = (*names)[i];
    const auto path = fmt::format("spec.registry.serverNames[{}]", i);
    if (!server_name_kind(name))
      return invalid_field(path, fmt::format("\"{}\" is neither a DNS name (RFC 1123) nor an "
                                             "IPv4 or IPv6 address",
                                             name));
    if (std::find(names->begin(), names->begin() + static_cast<std::ptrdiff_t>(i), name) !=
        names->begin() + static_cast<std::ptrdiff_t>(i))
      return invalid_field(path, fmt::format("\"{}\" is listed twice", name));
  }
  if (auto ok = registry->finish(); !ok) return ok;
  spec.registry_server_names = std::move(*names);
  return {};
}

}  // namespace

common::Result<SatelliteConfigSpec> parse_satellite_config_spec(const json* value) {
  SatelliteConfigSpec spec;
  if (value == nullptr) return spec;
  auto fields = JsonFields::open(*value, "spec");
  if (!fields) return fail(fields.error());
  auto poll =
      duration(*fields, "statePollInterval", spec.state_poll_interval, std::chrono::seconds(5));
  if (!poll) return fail(poll.error());
  auto heartbeat =
      duration(*fields, "heartbeatInterval", spec.heartbeat_interval, std::chrono::seconds(5));
  if (!heartbeat) return fail(heartbeat.error());
  auto grace = duration(*fields, "gcGrace", spec.gc_grace, std::chrono::seconds(0));
  if (!grace) return fail(grace.error());
  spec.state_poll_interval = *poll;
  spec.heartbeat_interval = *heartbeat;
  spec.gc_grace = *grace;
  if (auto ok = parse_upstream(*fields, spec); !ok) return fail(ok.error());
  if (auto ok = parse_proxy(*fields, spec); !ok) return fail(ok.error());
  if (auto ok = parse_registry(*fields, spec); !ok) return fail(ok.error());
  auto runtimes = fields->texts("runtimes");
  if (!runtimes) return fail(runtimes.error());
  for (const auto& runtime : *runtimes)
    if (!one_of(kRuntimes, runtime))
      return invalid_field("spec.runtimes", fmt::format("\"{}\" is not one of containerd, crio, "
                                                        "podman, docker, k3s",
                                                        runtime));
  spec.runtimes = std::move(*runtimes);
  auto bandwidth = fields->integer("bandwidthLimit", 0, 0, INT64_MAX);
  if (!bandwidth) return fail(bandwidth.error());
  spec.bandwidth_limit = static_cast<std::uint64_t>(*bandwidth);
  auto window = fields->text("syncWindow");
  if (!window) return fail(window.error());
  if (!window->empty() && !is_sync_window(*window))
    return invalid_field("spec.syncWindow", "expected \"HH:MM-HH:MM\"");
  spec.sync_window = std::move(*window);
  auto level = fields->text("logLevel", spec.log_level);
  if (!level) return fail(level.error());
  if (!one_of(kLogLevels, *level))
    return invalid_field("spec.logLevel", "expected trace, debug, info, warn or error");
  spec.log_level = std::move(*level);
  if (auto ok = fields->finish(); !ok) return fail(ok.error());
  return spec;
}

json to_json(const SatelliteConfigSpec& spec) {
  const auto seconds = [](std::chrono::seconds s) { return fmt::format("{}s", s.count()); };
  return {{"statePollInterval", seconds(spec.state_poll_interval)},
          {"heartbeatInterval", seconds(spec.heartbeat_interval)},
          {"upstream",
           {{"url", spec.upstream_url},
            {"username", spec.upstream_username},
            {"passwordSet", spec.upstream_password_set},
            {"credentialsGeneration", spec.credentials_generation},
            {"insecure", spec.upstream_insecure}}},
          {"proxy",
           {{"enabled", spec.proxy_enabled}, {"allowedRepositories", spec.proxy_repositories}}},
          {"runtimes", spec.runtimes},
          {"bandwidthLimit", spec.bandwidth_limit},
          {"syncWindow", spec.sync_window},
          {"gcGrace", seconds(spec.gc_grace)},
          {"logLevel", spec.log_level},
          {"registry", {{"serverNames", spec.registry_server_names}}}};
}

}  // namespace groundcontrol::model
