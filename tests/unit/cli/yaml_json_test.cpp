#include "cli/yaml_json.hpp"

#include <gtest/gtest.h>

namespace cli {
namespace {

using nlohmann::json;

TEST(YamlJson, WritesYamlThatReadsBackAsTheSameDocument) {
  const auto document = json::parse(R"({
    "strings": ["42", "1.27", "true", "yes", "off", "null", "", "~", "60s", "a: b", "#x",
                "-dash", " padded ", "sha256:abc", "plain text", "ünïcode"],
    "numbers": [0, -3, 2.5, 12345678901234],
    "flags": [true, false], "nothing": null, "empty": {}, "none": [],
    "pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"})");
  const auto text = yaml_from_json(document);
  EXPECT_EQ(json_from_yaml(YAML::Load(text)), document) << text;
  EXPECT_NE(text.find("pem: |\n"), std::string::npos) << text;     // a literal block
  EXPECT_NE(text.find("- \"yes\"\n"), std::string::npos) << text;  // YAML 1.1 readers too
  EXPECT_NE(text.find("- plain text\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace cli
