#include "groundcontrol/registry/harbor_registry_adapter.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "common/http/request.hpp"
#include "common/time_format.hpp"

namespace groundcontrol::registry {
namespace {

using common::ErrorCode;
using common::fail;

// The string at `key` of object `item`; "" when absent or not a string.
std::string string_at(const nlohmann::json& item, std::string_view key) {
  if (!item.is_object()) return {};
  const auto it = item.find(key);
  return it != item.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The "name" of every object in the array `item[key]`, sorted and unique.
std::vector<std::string> names_at(const nlohmann::json& item, std::string_view key) {
  std::vector<std::string> names;
  const auto it = item.find(key);
  if (it == item.end() || !it->is_array()) return names;
  for (const auto& entry : *it) {
    auto name = string_at(entry, "name");
    if (!name.empty()) names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace

common::Result<std::unique_ptr<HarborRegistryAdapter>> HarborRegistryAdapter::create(
    const common::oci::RegistryEndpoint& endpoint, HarborApiClientOptions options,
    const common::Clock& clock) {
  common::oci::RegistryClientOptions oci_options;
  oci_options.http = options.http;
  auto api = HarborApiClient::create(endpoint, std::move(options));
  if (!api) return fail(std::move(api.error()));
  oci_options.label = (*api)->label();
  auto oci = common::oci::RegistryClient::create(endpoint, std::move(oci_options), clock);
  if (!oci) return fail(std::move(oci.error()));
  return std::make_unique<HarborRegistryAdapter>(std::move(*api), std::move(*oci));
}

common::Status HarborRegistryAdapter::test() {
  auto health = api_->call("GET", "/health", "the health check");
  if (!health) return fail(std::move(health.error()));
  const auto status = string_at(*health, "status");
  if (status != "healthy") {
    std::vector<std::string> unhealthy;
    if (health->is_object() && health->contains("components") &&
        (*health)["components"].is_array()) {
      for (const auto& component : (*health)["components"]) {
        if (string_at(component, "status") != "healthy") {
          unhealthy.push_back(string_at(component, "name"));
        }
      }
    }
    return fail(ErrorCode::kUnavailable,
                fmt::format("{} reports itself {} (unhealthy: {})", api_->label(),
                            status.empty() ? "in no known state" : "\"" + status + "\"",
                            unhealthy.empty() ? "none named"
                                              : fmt::format("{}", fmt::join(unhealthy, ", "))));
  }
  if (api_->endpoint().username.empty()) return {};
  // Any answer but 401 means Harbor took the credentials; a missing project is fine.
  auto known = api_->call("HEAD", "/projects?project_name=library", "a signed-in call");
  if (!known && known.error().code() != ErrorCode::kNotFound) return fail(std::move(known.error()));
  return {};
}

common::Result<std::vector<std::string>> HarborRegistryAdapter::repositories() {
  auto projects = api_->list("/projects", "the projects");
  if (!projects) return fail(std::move(projects.error()));
  std::vector<std::string> names;
  for (const auto& project : *projects) {
    const auto project_name = string_at(project, "name");
    if (project_name.empty()) {
      return fail(ErrorCode::kUnavailable,
                  fmt::format("{} listed a project without a name", api_->label()));
    }
    const auto what = fmt::format("the repositories of project {}", project_name);
    auto repositories = api_->list(
        fmt::format("/projects/{}/repositories", common::http::percent_encode(project_name)), what);
    if (!repositories) return fail(std::move(repositories.error()));
    for (const auto& repository : *repositories) {
      auto name = string_at(repository, "name");  // "<project>/<repository>"
      if (!name.empty()) names.push_back(std::move(name));
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

common::Result<std::vector<RegistryArtifact>> HarborRegistryAdapter::artifacts(
    std::string_view repository) {
  const auto slash = repository.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == repository.size()) {
    return fail(ErrorCode::kNotFound,
                fmt::format("repository {} not found in {}: a Harbor repository is named "
                            "<project>/<repository>",
                            repository, api_->label()));
  }
  const auto project = repository.substr(0, slash);
  const auto path =
      fmt::format("/projects/{}/repositories/{}/artifacts?with_tag=true&with_label=true",
                  common::http::percent_encode(project),
                  harbor_repository_segment(repository.substr(slash + 1)));
  auto listed = api_->list(path, fmt::format("the artifacts of repository {}", repository));
  if (!listed) return fail(std::move(listed.error()));
  std::vector<RegistryArtifact> out;
  for (const auto& item : *listed) {
    auto tags = names_at(item, "tags");
    if (tags.empty()) continue;  // untagged: nothing a rule can name
    auto digest = common::Digest::parse(string_at(item, "digest"));
    if (!digest) {
      return fail(ErrorCode::kUnavailable,
                  fmt::format("{} listed an artifact of {} without a valid digest", api_->label(),
                              repository));
    }
    RegistryArtifact artifact{std::string(repository),
                              std::move(*digest),
                              std::move(tags),
                              string_at(item, "manifest_media_type"),
                              std::nullopt,
                              names_at(item, "labels")};
    if (auto pushed = common::parse_rfc3339(string_at(item, "push_time"))) {
      artifact.push_time = *pushed;
    }
    out.push_back(std::move(artifact));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.digest < b.digest; });
  return out;
}

}  // namespace groundcontrol::registry
