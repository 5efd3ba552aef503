#include "common/config/yaml_config.hpp"

#include <yaml-cpp/yaml.h>

#include <istream>
#include <sstream>

namespace common::config {
namespace {

std::string key_path(const std::vector<std::string>& parents, const std::string& name) {
  std::string path;
  for (const auto& parent : parents) path += parent + ".";
  return path + name;
}

// The App a key with these parents addresses; nullptr when a parent is no subcommand.
const CLI::App* section(const CLI::App& root, const std::vector<std::string>& parents) {
  const CLI::App* app = &root;
  for (const auto& name : parents) {
    const CLI::App* next = nullptr;
    for (const CLI::App* sub : app->get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->get_name() == name) next = sub;
    }
    if (next == nullptr) return nullptr;
    app = next;
  }
  return app;
}

const CLI::Option* flag(const CLI::App& app, const std::string& name) {
  if (const auto* option = app.get_option_no_throw("--" + name)) return option;
  return name.size() == 1 ? app.get_option_no_throw("-" + name) : nullptr;
}

void collect(const CLI::App& root, const YAML::Node& map, std::vector<std::string>& parents,
             std::vector<CLI::ConfigItem>& items) {
  for (const auto& entry : map) {
    if (!entry.first.IsScalar()) {
      throw CLI::ConfigError("config: line " + std::to_string(entry.first.Mark().line + 1) +
                             ": a key must be a plain name");
    }
    const std::string name = entry.first.Scalar();
    const std::string path = key_path(parents, name);
    const YAML::Node& value = entry.second;
    std::vector<std::string> where = parents;
    if (where.empty() && flag(root, name) == nullptr) {
      // A top-level key that is no flag of the root: the invoked subcommand's flag.
      const auto invoked = root.get_subcommands();
      if (invoked.size() == 1 && flag(*invoked.front(), name) != nullptr) {
        where.push_back(invoked.front()->get_name());
      }
    }
    const CLI::App* app = section(root, where);
    if (value.IsMap()) {
      if (app == nullptr || section(*app, {name}) == nullptr) {
        throw CLI::ConfigError("config: unknown section '" + path + "' (no such subcommand)");
      }
      parents.push_back(name);
      collect(root, value, parents, items);
      parents.pop_back();
      continue;
    }
    const CLI::Option* option = app == nullptr ? nullptr : flag(*app, name);
    if (option == nullptr) {
      throw CLI::ConfigError("config: unknown key '" + path + "' (no flag --" + name + ")");
    }
    if (!option->get_configurable()) {
      throw CLI::ConfigError("config: key '" + path + "' cannot be set in a config file");
    }
    CLI::ConfigItem item;
    item.parents = where;
    item.name = name;
    if (value.IsScalar()) {
      item.inputs.push_back(value.Scalar());
    } else if (value.IsSequence()) {
      for (const auto& element : value) {
        if (!element.IsScalar()) {
          throw CLI::ConfigError("config: key '" + path + "' takes a list of plain values");
        }
        item.inputs.push_back(element.Scalar());
      }
    } else {
      throw CLI::ConfigError("config: key '" + path + "' has no value");
    }
    items.push_back(std::move(item));
  }
}

}  // namespace

std::vector<CLI::ConfigItem> YamlConfig::from_config(std::istream& input) const {
  YAML::Node root;
  try {
    root = YAML::Load(input);
  } catch (const YAML::Exception& error) {
    throw CLI::ConfigError("config: line " + std::to_string(error.mark.line + 1) +
                           ": not valid YAML: " + error.msg);
  }
  std::vector<CLI::ConfigItem> items;
  if (root.IsNull()) return items;  // an empty file sets nothing
  if (!root.IsMap()) throw CLI::ConfigError("config: the file must be a map of flag names");
  std::vector<std::string> parents;
  collect(app_, root, parents, items);
  return items;
}

std::string YamlConfig::to_config(const CLI::App* app, bool default_also, bool, std::string) const {
  YAML::Emitter out;
  out << YAML::BeginMap;
  for (const CLI::Option* option : app->get_options()) {
    if (!option->get_configurable() || option->get_lnames().empty()) continue;
    std::string value = option->as<std::string>();
    if (value.empty() && default_also) value = option->get_default_str();
    if (value.empty()) continue;
    out << YAML::Key << option->get_lnames().front() << YAML::Value << value;
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

CLI::Option* install_yaml_config(CLI::App& app, const std::string& flag) {
  app.config_formatter(std::make_shared<YamlConfig>(app));
  app.allow_config_extras(CLI::config_extras_mode::error);
  return app.set_config(flag, "", "YAML file of flag values (keys are flag names without --)");
}

}  // namespace common::config
