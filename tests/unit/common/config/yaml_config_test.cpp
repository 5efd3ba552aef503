#include "common/config/yaml_config.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "testutil/temp_dir.hpp"

namespace common::config {
namespace {

struct Flags {
  std::string log_level = "info";
  std::string data_dir;
  std::string listen = "127.0.0.1:5050";
  unsigned threads = 0;
  bool read_only = false;
  std::vector<std::string> tags;
  std::string gc_grace = "1h";
};

// Parses `args` (after the program name) with a config file holding `yaml`; the error
// message, or "" on success.
std::string parse(Flags& flags, const std::string& yaml, std::vector<std::string> args) {
  testutil::TempDir dir;
  const std::string path = dir.str() + "/config.yaml";
  std::ofstream(path) << yaml;
  CLI::App app{"test"};
  app.require_subcommand(1);
  app.fallthrough();
  app.add_option("--log-level", flags.log_level);
  auto* serve = app.add_subcommand("serve");
  serve->add_option("--data-dir", flags.data_dir)->required();
  serve->add_option("--listen", flags.listen);
  serve->add_option("--threads", flags.threads);
  serve->add_flag("--read-only", flags.read_only);
  serve->add_option("--tag", flags.tags);
  auto* gc = app.add_subcommand("gc");
  gc->add_option("--gc-grace", flags.gc_grace);
  install_yaml_config(app);
  args.insert(args.begin(), "test");
  args.push_back("--config");
  args.push_back(path);
  std::vector<const char*> argv;
  for (auto& arg : args) argv.push_back(arg.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& error) {
    return error.what();
  }
  return "";
}

TEST(YamlConfigTest, KeysAreFlagNamesOfTheInvokedSubcommandAndTheRoot) {
  Flags flags;
  EXPECT_EQ(parse(flags,
                  "data-dir: /srv/data\nlisten: 0.0.0.0:5000\nthreads: 3\nread-only: true\n"
                  "tag: [a, b]\nlog-level: debug\n",
                  {"serve"}),
            "");
  EXPECT_EQ(flags.data_dir, "/srv/data");
  EXPECT_EQ(flags.listen, "0.0.0.0:5000");
  EXPECT_EQ(flags.threads, 3u);
  EXPECT_TRUE(flags.read_only);
  EXPECT_EQ(flags.tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(flags.log_level, "debug");
}

TEST(YamlConfigTest, TheCommandLineWins) {
  Flags flags;
  EXPECT_EQ(parse(flags, "data-dir: /srv/data\nlisten: 0.0.0.0:5000\n",
                  {"serve", "--listen", "127.0.0.1:0"}),
            "");
  EXPECT_EQ(flags.listen, "127.0.0.1:0");
  EXPECT_EQ(flags.data_dir, "/srv/data");
}

TEST(YamlConfigTest, NestedMapsAddressSubcommands) {
  Flags flags;
  EXPECT_EQ(parse(flags, "serve:\n  data-dir: /d\ngc:\n  gc-grace: 2h\n", {"serve"}), "");
  EXPECT_EQ(flags.data_dir, "/d");
  EXPECT_EQ(flags.gc_grace, "2h");
}

TEST(YamlConfigTest, AnEmptyFileSetsNothing) {
  Flags flags;
  EXPECT_EQ(parse(flags, "", {"serve", "--data-dir", "/x"}), "");
  EXPECT_EQ(flags.listen, "127.0.0.1:5050");
}

TEST(YamlConfigTest, ErrorsAreOneLineNamingTheKey) {
  Flags flags;
  EXPECT_EQ(parse(flags, "data-dir: /d\nlisen: x\n", {"serve"}),
            "config: unknown key 'lisen' (no flag --lisen)");
  EXPECT_EQ(parse(flags, "data-dir: /d\nserve:\n  bogus: 1\n", {"serve"}),
            "config: unknown key 'serve.bogus' (no flag --bogus)");
  EXPECT_EQ(parse(flags, "data-dir: /d\nnope:\n  a: 1\n", {"serve"}),
            "config: unknown section 'nope' (no such subcommand)");
  EXPECT_EQ(parse(flags, "data-dir: /d\nlisten:\n  - [a]\n", {"serve"}),
            "config: key 'listen' takes a list of plain values");
  EXPECT_EQ(parse(flags, "data-dir: /d\nlisten:\n", {"serve"}),
            "config: key 'listen' has no value");
  EXPECT_NE(parse(flags, "data-dir: /d\nthreads: many\n", {"serve"}).find("--threads"),
            std::string::npos);
  EXPECT_EQ(parse(flags, "data-dir: [/d\n", {"serve"}).rfind("config: line ", 0), 0u);
  EXPECT_EQ(parse(flags, "- a\n", {"serve"}), "config: the file must be a map of flag names");
}

}  // namespace
}  // namespace common::config
