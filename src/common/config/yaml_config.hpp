// YamlConfig: a CLI11 config formatter that reads a YAML file whose keys are long flag
// names, so every flag can live in a config file. Install it on the root App (CLI11 2.1
// reads config files only there); a top-level key names a flag of the root or, failing
// that, of the one subcommand invoked (`satellite serve --config FILE` with `listen:`):
//     listen: 127.0.0.1:5000      # --listen 127.0.0.1:5000
//     gc-grace: 1h                # --gc-grace 1h
//     read-only: true             # a flag: true or false
//     some-list: [a, b]           # an option taking several values
//     serve: {threads: 2}         # a nested map addresses a subcommand's flags
// Flags given on the command line win over the file (CLI11 fills only options still empty).
// Errors are one line naming the key: an unknown key, a key naming a flag that cannot be
// configured, a map or list where a value belongs, YAML that does not parse (with its
// line). A wrong type ("threads: many") is reported by CLI11's conversion of that flag.
// Install with install_yaml_config(); writing a config (to_config) emits the current values
// as YAML. Thread-safety: used only while CLI11 parses, on one thread.
#pragma once

#include <CLI/CLI.hpp>

#include <iosfwd>
#include <string>
#include <vector>

namespace common::config {

class YamlConfig : public CLI::Config {
 public:
  // `app` is the root App whose flags the keys name; it must outlive the formatter.
  explicit YamlConfig(const CLI::App& app) : app_(app) {}

  std::string to_config(const CLI::App* app, bool default_also, bool write_description,
                        std::string prefix) const override;
  // Throws CLI::ConfigError (one line naming the key) for the errors above.
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;

 private:
  const CLI::App& app_;
};

// Adds `--config FILE` (YAML, as above) to the root `app`, with unknown keys an error; with
// app.fallthrough() it may follow the subcommand.
CLI::Option* install_yaml_config(CLI::App& app, const std::string& flag = "--config");

}  // namespace common::config
