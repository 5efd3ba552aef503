#include "satellite/fleet/registry_state_source.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "common/fleet_wire/state_artifact.hpp"
#include "common/fleet_wire/state_composer.hpp"
#include "common/fs/file_ops.hpp"
#include "common/fs/secret_file.hpp"
#include "satellite/agent/stoppable_sleep.hpp"

namespace satellite::fleet {
namespace {

using common::ErrorCode;
using common::fail;
using nlohmann::json;
namespace wire = common::fleet_wire;

constexpr std::string_view kFileName = "registry-state.json";
// Repositories no longer named whose accepted versions are still kept (rollback limits).
constexpr std::size_t kMaxForgotten = 1000;

std::string file_of(const RegistryStateSourceOptions& options) {
  return options.dir + "/" + std::string(kFileName);
}

// "host[:port]" of a URL, for telling whether two URLs name one registry.
std::string host_of(std::string_view url) {
  return wire::registry_host(url).value_or(std::string(url));
}

// What RegistryStateReader refuses state with (its header): not a registry that is down.
bool is_refusal(ErrorCode code) {
  return code == ErrorCode::kPermissionDenied || code == ErrorCode::kConflict ||
         code == ErrorCode::kDigestInvalid || code == ErrorCode::kInvalidArgument;
}

common::Error naming(const std::string& repository, const common::Error& error) {
  return common::Error(error.code(), fmt::format("{}: {}", repository, error.message()));
}

json credentials_json(const wire::SatelliteConfig& config) {
  return {{"upstream", config.upstream_url},
          {"username", config.upstream_username},
          {"password", config.upstream_password},
          {"insecure", config.upstream_insecure}};
}

// The credentials an earlier run kept; none when there is no file. A damaged one is
// logged and forgotten: ground control gives them again when it answers.
wire::SatelliteConfig load_credentials(const std::string& path, const common::log::Logger& logger) {
  wire::SatelliteConfig credentials;
  if (path.empty()) return credentials;
  auto text = common::fs::read_secret_file(path, 64 * 1024);
  if (!text) {
    if (text.error().code() != ErrorCode::kNotFound)
      logger->warn("upstream credentials kept: {}", text.error().message());
    return credentials;
  }
  const auto document = json::parse(*text, nullptr, false);
  try {
    credentials.upstream_url = document.at("upstream").get<std::string>();
    credentials.upstream_username = document.at("username").get<std::string>();
    credentials.upstream_password = document.at("password").get<std::string>();
    credentials.upstream_insecure = document.at("insecure").get<bool>();
  } catch (const json::exception&) {
    logger->warn("{}: not the upstream credentials this satellite keeps; ignored", path);
    return {};
  }
  return credentials;
}

}  // namespace

common::Result<std::unique_ptr<RegistryStateSource>> RegistryStateSource::open(
    RegistryStateSourceOptions options, OnConfig on_config, std::function<void()> on_refusal_change,
    const common::Clock& clock, common::log::Logger logger) {
  std::unique_ptr<RegistryStateSource> source(
      new RegistryStateSource(std::move(options), std::move(on_config),
                              std::move(on_refusal_change), clock, std::move(logger)));
  source->credentials_ = load_credentials(source->options_.credentials_file, source->logger_);
  const auto path = file_of(source->options_);
  auto text = common::fs::read_file(path);
  if (!text && text.error().code() == ErrorCode::kNotFound) return source;
  if (!text) return fail(text.error());
  const auto document = json::parse(*text, nullptr, false);
  const auto corrupt = [&](std::string_view why) {
    return fail(ErrorCode::kCorruption,
                fmt::format("{}: {} (remove it to start over, which forgets the versions "
                            "accepted)",
                            path, why));
  };
  if (!document.is_object() || !document.contains("registry") || !document.contains("accepted"))
    return corrupt("not a registry state file");
  try {
    source->satellite_ = document.at("satellite").get<std::string>();
    const auto& registry = document.at("registry");
    source->registry_ = {registry.at("url").get<std::string>(),
                         registry.at("project").get<std::string>(),
                         registry.at("trustedKeys").get<std::vector<std::string>>()};
    for (const auto& [repository, item] : document.at("accepted").items()) {
      auto digest = common::Digest::parse(item.at("digest").get<std::string>());
      if (!digest) return corrupt("an invalid digest");
      source->accepted_.insert_or_assign(
          repository, Accepted{{item.at("version").get<std::uint64_t>(), *digest},
                               item.at("document").get<std::string>()});
    }
  } catch (const json::exception& error) {
    return corrupt(error.what());
  }
  return source;
}

void RegistryStateSource::learn(const wire::SatelliteState& state) {
  learn(state.satellite, state.state_registry);
}

void RegistryStateSource::learn(const std::string& satellite, const wire::StateRegistry& registry) {
  if (registry.url.empty() || satellite.empty()) return;
  std::lock_guard lock(mutex_);
  if (registry == registry_ && satellite == satellite_) return;
  satellite_ = satellite;
  logger_->info("state registry {} (project {}), {} trusted key(s)", registry.url, registry.project,
                registry.trusted_keys.size());
  registry_ = registry;
  if (auto saved = save(); !saved)
    logger_->warn("keeping the state registry: {}", saved.error().message());
}

void RegistryStateSource::note_config(const wire::SatelliteConfig& config) {
  std::lock_guard lock(mutex_);
  applied_config_digest_ = config.digest;
  const bool changed = credentials_json(config) != credentials_json(credentials_);
  credentials_ = config;
  if (!changed || options_.credentials_file.empty()) return;
  if (auto kept =
          common::fs::write_secret_file(options_.credentials_file, credentials_json(config).dump());
      !kept)
    logger_->warn("keeping the upstream credentials: {}", kept.error().message());
}

void RegistryStateSource::use_credentials(const std::string& url, const std::string& username,
                                          const std::string& password) {
  std::lock_guard lock(mutex_);
  credentials_ = {};
  credentials_.upstream_url = url;
  credentials_.upstream_username = username;
  credentials_.upstream_password = password;
}

std::string RegistryStateSource::describe() const {
  std::lock_guard lock(mutex_);
  return fmt::format("state registry {}", registry_.url.empty() ? "(none yet)" : registry_.url);
}

std::optional<std::string> RegistryStateSource::last_refusal() const {
  std::lock_guard lock(refusal_mutex_);  // not mutex_: a round holds that across requests
  return refusal_;
}

common::Result<std::optional<wire::SatelliteState>> RegistryStateSource::next(
    const std::string& known_digest, std::stop_token stop) {
  std::optional<wire::SatelliteConfig> config;
  auto state = read_round(config);
  if (config) on_config_(*config);  // outside the lock: it calls note_config()
  bool refusal_changed = false;
  {
    std::lock_guard lock(refusal_mutex_);
    // Only a refusal is reported; a registry out of reach says nothing about its content.
    auto refusal = refusal_;
    if (state) {
      refusal.reset();
    } else if (is_refusal(state.error().code())) {
      refusal = state.error().message();
    }
    refusal_changed = refusal != refusal_;
    refusal_ = std::move(refusal);
  }
  if (refusal_changed && on_refusal_change_) on_refusal_change_();
  if (!state) return fail(state.error());
  if (state->state_digest != known_digest) return std::optional(std::move(*state));
  agent::sleep_unless_stopped(options_.poll, stop);
  return std::optional<wire::SatelliteState>();
}

common::Status RegistryStateSource::ensure_client() {
  if (registry_.url.empty())
    return fail(ErrorCode::kUnavailable,
                "no state registry known yet (ground control names it once it publishes state)");
  const bool upstream = !credentials_.upstream_url.empty() &&
                        host_of(credentials_.upstream_url) == host_of(registry_.url);
  common::oci::RegistryEndpoint endpoint{registry_.url,
                                         upstream ? credentials_.upstream_username : "",
                                         upstream ? credentials_.upstream_password : "",
                                         upstream && credentials_.upstream_insecure,
                                         options_.ca_file,
                                         {}};
  json key_parts = {registry_.url,     registry_.project, registry_.trusted_keys,
                    endpoint.username, endpoint.password, endpoint.insecure_skip_verify};
  const auto key = key_parts.dump();
  if (client_ && key == client_key_) return {};
  readers_.clear();
  trusted_.reset();
  client_.reset();
  auto trusted = wire::TrustedKeys::from_pems(registry_.trusted_keys);
  if (!trusted)
    return fail(trusted.error().code(),
                fmt::format("the trusted keys ground control gave: {}", trusted.error().message()));
  common::oci::RegistryClientOptions client_options;
  client_options.label = "the state registry";
  auto client = common::oci::RegistryClient::create(std::move(endpoint), client_options, clock_);
  if (!client) return fail(client.error());
  trusted_.emplace(std::move(*trusted));
  client_ = std::move(*client);
  client_key_ = key;
  return {};
}

common::Result<std::string> RegistryStateSource::read_repository(const std::string& repository,
                                                                 StateKind kind, bool& changed) {
  auto reader = readers_.find(repository);
  if (reader == readers_.end()) {
    std::optional<AppliedState> applied;
    if (const auto found = accepted_.find(repository); found != accepted_.end())
      applied = found->second.applied;
    auto made = RegistryStateReader::create(*client_, *trusted_, {repository, kind, "", 32},
                                            std::move(applied));
    if (!made) return fail(naming(repository, made.error()));
    reader = readers_.emplace(repository, std::move(*made)).first;
  }
  auto update = reader->second.poll();
  if (!update) return fail(naming(repository, update.error()));
  if (!*update) {
    const auto found = accepted_.find(repository);
    if (found == accepted_.end())
      return fail(ErrorCode::kInternal, fmt::format("{}: nothing accepted", repository));
    return found->second.document;
  }
  auto text =
      std::visit([](const auto& document) { return wire::to_json(document); }, (*update)->document);
  accepted_.insert_or_assign(repository, Accepted{{(*update)->version, (*update)->digest}, text});
  changed = true;
  logger_->info("state {} version {} accepted ({})", repository, (*update)->version,
                (*update)->digest.str());
  return text;
}

common::Result<wire::SatelliteState> RegistryStateSource::read_round(
    std::optional<wire::SatelliteConfig>& config_out) {
  std::lock_guard lock(mutex_);
  if (auto ok = ensure_client(); !ok) return fail(ok.error());
  bool changed = false;
  const auto own = wire::satellite_state_repository(registry_.project, satellite_);
  auto own_text = read_repository(own, StateKind::kSatellite, changed);
  if (!own_text) return fail(own_text.error());
  auto ref = wire::parse_satellite_state_ref(*own_text);
  if (!ref) return fail(naming(own, ref.error()));
  if (ref->satellite != satellite_)
    return fail(ErrorCode::kPermissionDenied,
                fmt::format("{}: names satellite \"{}\", not this one", own, ref->satellite));

  wire::StateComposer composer;
  wire::SignaturePolicies policies;
  std::set<std::string> wanted{own};
  for (const auto& group : ref->groups) {
    auto text = read_repository(group.repository, StateKind::kGroup, changed);
    if (!text) return fail(text.error());
    auto state = wire::parse_group_state(*text);
    if (!state) return fail(naming(group.repository, state.error()));
    composer.add_group(group.name);
    if (state->signature_policy && state->signature_policy->mode != wire::SignatureMode::kOff)
      policies.insert_or_assign(group.name, *state->signature_policy);
    for (const auto& a : state->artifacts)
      composer.add(group.name, a.repository, a.digest, a.tags, a.type);
    wanted.insert(group.repository);
  }
  wire::SatelliteState base;
  base.satellite = satellite_;
  base.config_name = ref->config_name;
  base.config_digest = ref->config_digest;
  base.state_registry = registry_;
  base.signature_policies = std::move(policies);
  if (!ref->config_repository.empty()) {
    auto text = read_repository(ref->config_repository, StateKind::kConfig, changed);
    if (!text) return fail(text.error());
    auto config = wire::parse_config_state(*text);
    if (!config) return fail(naming(ref->config_repository, config.error()));
    base.upstream_url = config->config.upstream_url;
    wanted.insert(ref->config_repository);
    if (config->config.digest != applied_config_digest_) {
      auto applied = config->config;
      if (host_of(applied.upstream_url) == host_of(credentials_.upstream_url)) {
        applied.upstream_username = credentials_.upstream_username;
        applied.upstream_password = credentials_.upstream_password;
      }
      applied_config_digest_ = applied.digest;
      config_out = std::move(applied);
    }
  } else {
    base.upstream_url = credentials_.upstream_url;
  }
  // Repositories no longer named (a group left) lose their readers but keep what was
  // accepted: a group joined again must not take an older signed state (rollback). Past
  // kMaxForgotten such repositories, some are dropped to bound the file.
  std::erase_if(readers_, [&](const auto& entry) { return !wanted.contains(entry.first); });
  std::size_t unwanted = 0;
  for (const auto& [repository, item] : accepted_) unwanted += wanted.contains(repository) ? 0 : 1;
  for (auto it = accepted_.begin(); unwanted > kMaxForgotten && it != accepted_.end();) {
    if (wanted.contains(it->first)) {
      ++it;
      continue;
    }
    it = accepted_.erase(it);
    --unwanted;
    changed = true;
  }
  if (changed)
    if (auto saved = save(); !saved)
      logger_->warn("keeping the accepted state versions: {}", saved.error().message());
  return composer.finish(std::move(base));
}

common::Status RegistryStateSource::save() const {
  json accepted = json::object();
  for (const auto& [repository, item] : accepted_) {
    accepted[repository] = {{"version", item.applied.version},
                            {"digest", item.applied.digest.str()},
                            {"document", item.document}};
  }
  const json document = {{"satellite", satellite_},
                         {"registry",
                          {{"url", registry_.url},
                           {"project", registry_.project},
                           {"trustedKeys", registry_.trusted_keys}}},
                         {"accepted", std::move(accepted)}};
  return common::fs::atomic_write_file(file_of(options_), document.dump());
}

}  // namespace satellite::fleet
