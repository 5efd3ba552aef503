#include "common/fleet_wire/satellite_config.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/config/duration.hpp"

namespace common::fleet_wire {
namespace {

using nlohmann::json;

std::unexpected<Error> invalid(std::string_view field, std::string_view why) {
  return fail(ErrorCode::kInvalidArgument, fmt::format("{}: {}", field, why));
}

// The optional members of one object, each read into its target when present.
class Fields {
 public:
  Fields(const json& object, std::string path) : object_(object), path_(std::move(path)) {}
  Status text(std::string_view key, std::string& out) const {
    const auto* value = find(key);
    if (!value) return {};
    if (!value->is_string()) return invalid(name(key), "expected a string");
    out = value->get<std::string>();
    return {};
  }
  Status flag(std::string_view key, bool& out) const {
    const auto* value = find(key);
    if (!value) return {};
    if (!value->is_boolean()) return invalid(name(key), "expected true or false");
    out = value->get<bool>();
    return {};
  }
  Status texts(std::string_view key, std::vector<std::string>& out) const {
    const auto* value = find(key);
    if (!value) return {};
    if (!value->is_array()) return invalid(name(key), "expected a list of strings");
    out.clear();
    for (const auto& item : *value) {
      if (!item.is_string()) return invalid(name(key), "expected a list of strings");
      out.push_back(item.get<std::string>());
    }
    return {};
  }
  Status count(std::string_view key, std::uint64_t& out) const {
    const auto* value = find(key);
    if (!value) return {};
    if (!value->is_number_unsigned()) return invalid(name(key), "expected a count");
    out = value->get<std::uint64_t>();
    return {};
  }
  Status duration(std::string_view key, std::chrono::seconds& out) const {
    std::string text_value;
    if (auto read = text(key, text_value); !read) return read;
    if (text_value.empty()) return {};
    auto parsed = config::parse_duration(text_value);
    if (!parsed) return invalid(name(key), parsed.error().message());
    out = *parsed;
    return {};
  }
  // A nested object, or an empty one when absent.
  Result<Fields> object(std::string_view key) const {
    const auto* value = find(key);
    if (!value) return Fields(empty(), name(key));
    if (!value->is_object()) return invalid(name(key), "expected an object");
    return Fields(*value, name(key));
  }

 private:
  static const json& empty() {
    static const json kEmpty = json::object();
    return kEmpty;
  }
  const json* find(std::string_view key) const {
    const auto it = object_.find(key);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }
  std::string name(std::string_view key) const {
    return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
  }
  const json& object_;
  std::string path_;
};

}  // namespace

Result<SatelliteConfig> parse_satellite_config(std::string_view text) {
  const auto document = json::parse(text, nullptr, false);
  if (document.is_discarded() || !document.is_object())
    return invalid("body", "expected a JSON object");
  SatelliteConfig out;
  const Fields top(document, "");
  auto spec = top.object("spec");
  if (!spec) return fail(spec.error());
  auto upstream = spec->object("upstream");
  if (!upstream) return fail(upstream.error());
  auto proxy = spec->object("proxy");
  if (!proxy) return fail(proxy.error());
  auto registry = spec->object("registry");
  if (!registry) return fail(registry.error());
  for (const Status& read :
       {top.text("name", out.name), top.text("digest", out.digest),
        spec->duration("statePollInterval", out.state_poll_interval),
        spec->duration("heartbeatInterval", out.heartbeat_interval),
        upstream->text("url", out.upstream_url), upstream->text("username", out.upstream_username),
        upstream->text("password", out.upstream_password),
        upstream->text("credentialsExpireAt", out.upstream_credentials_expire_at),
        upstream->flag("credentialsUnchanged", out.upstream_credentials_unchanged),
        upstream->flag("insecure", out.upstream_insecure),
        proxy->flag("enabled", out.proxy_enabled),
        proxy->texts("allowedRepositories", out.proxy_repositories),
        spec->texts("runtimes", out.runtimes), spec->count("bandwidthLimit", out.bandwidth_limit),
        spec->text("syncWindow", out.sync_window), spec->duration("gcGrace", out.gc_grace),
        spec->text("logLevel", out.log_level),
        registry->texts("serverNames", out.registry_server_names)}) {
    if (!read) return fail(read.error());
  }
  return out;
}

}  // namespace common::fleet_wire
