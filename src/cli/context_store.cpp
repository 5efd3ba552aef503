#include "cli/context_store.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>

#include "cli/yaml_json.hpp"
#include "common/fs/secret_file.hpp"

namespace cli {
namespace {

using common::ErrorCode;
using common::fail;
using nlohmann::json;

constexpr std::size_t kMaxConfigBytes = 4 * 1024 * 1024;

std::string text_of(const json& object, const char* key) {
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

}  // namespace

std::string ContextStore::default_path(const char* gcctl_config, const char* xdg_config_home,
                                       const char* home) {
  if (gcctl_config != nullptr && *gcctl_config != '\0') return gcctl_config;
  if (xdg_config_home != nullptr && *xdg_config_home != '\0')
    return std::string(xdg_config_home) + "/gcctl/config.yaml";
  return std::string(home != nullptr ? home : ".") + "/.config/gcctl/config.yaml";
}

common::Result<ContextStore> ContextStore::load(const std::string& path) {
  ContextStore store;
  store.path_ = path;
  auto text = common::fs::read_secret_file(path, kMaxConfigBytes);
  if (!text) {
    if (text.error().code() == ErrorCode::kNotFound) return store;
    return fail(text.error().code(), fmt::format("{}: {}", path, text.error().message()));
  }
  json document;
  try {
    document = json_from_yaml(YAML::Load(*text));
  } catch (const YAML::Exception& error) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: line {}: {}", path, error.mark.line + 1, error.msg));
  }
  if (document.is_null()) return store;
  if (!document.is_object())
    return fail(ErrorCode::kInvalidArgument, fmt::format("{}: not a gcctl config", path));
  store.current_ = text_of(document, "current-context");
  for (const auto& entry : document.value("contexts", json::array())) {
    if (!entry.is_object() || text_of(entry, "name").empty())
      return fail(ErrorCode::kInvalidArgument, fmt::format("{}: a context without a name", path));
    const auto insecure = entry.find("insecure-skip-tls-verify");
    store.contexts_.push_back(
        Context{text_of(entry, "name"), text_of(entry, "server"), text_of(entry, "user"),
                text_of(entry, "token"), text_of(entry, "certificate-authority"),
                text_of(entry, "certificate-authority-data"),
                insecure != entry.end() && insecure->is_boolean() && insecure->get<bool>()});
  }
  return store;
}

common::Status ContextStore::save() const {
  json contexts = json::array();
  for (const auto& context : contexts_) {
    json entry = {{"name", context.name}, {"server", context.server}};
    if (!context.user.empty()) entry["user"] = context.user;
    if (!context.token.empty()) entry["token"] = context.token;
    if (!context.ca_file.empty()) entry["certificate-authority"] = context.ca_file;
    if (!context.ca_pem.empty()) entry["certificate-authority-data"] = context.ca_pem;
    if (context.insecure_skip_tls_verify) entry["insecure-skip-tls-verify"] = true;
    contexts.push_back(std::move(entry));
  }
  json document = json::object();
  document["current-context"] = current_;
  document["contexts"] = std::move(contexts);
  const auto directory = std::filesystem::path(path_).parent_path();
  if (!directory.empty() && !std::filesystem::exists(directory)) {
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    if (error)
      return fail(ErrorCode::kPermissionDenied,
                  fmt::format("{}: {}", directory.string(), error.message()));
    ::chmod(directory.c_str(), 0700);
  }
  auto written = common::fs::write_secret_file(path_, yaml_from_json(document));
  if (!written)
    return fail(written.error().code(), fmt::format("{}: {}", path_, written.error().message()));
  return {};
}

common::Result<Context> ContextStore::select(const std::string& name) const {
  const auto& wanted = name.empty() ? current_ : name;
  if (wanted.empty())
    return fail(ErrorCode::kUnauthenticated, "not logged in: run `gcctl login SERVER` first");
  const auto found = std::find_if(contexts_.begin(), contexts_.end(),
                                  [&](const Context& context) { return context.name == wanted; });
  if (found == contexts_.end())
    return fail(name.empty() ? ErrorCode::kUnauthenticated : ErrorCode::kNotFound,
                fmt::format("no context \"{}\" in {}", wanted, path_));
  return *found;
}

void ContextStore::put(Context context) {
  const auto found = std::find_if(contexts_.begin(), contexts_.end(),
                                  [&](const Context& c) { return c.name == context.name; });
  if (found != contexts_.end())
    *found = std::move(context);
  else
    contexts_.push_back(std::move(context));
}

common::Status ContextStore::use(const std::string& name) {
  const auto found = std::find_if(contexts_.begin(), contexts_.end(),
                                  [&](const Context& c) { return c.name == name; });
  if (found == contexts_.end())
    return fail(ErrorCode::kNotFound, fmt::format("no context \"{}\" in {}", name, path_));
  current_ = name;
  return {};
}

}  // namespace cli
