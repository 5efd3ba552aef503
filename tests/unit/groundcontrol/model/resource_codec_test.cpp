// The codecs of the management API's resources: strict (an unknown or mistyped field is
// refused, naming it), canonical, and able to read back what they write.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "groundcontrol/model/group.hpp"
#include "groundcontrol/model/object_meta.hpp"
#include "groundcontrol/model/satellite.hpp"
#include "groundcontrol/model/satellite_config.hpp"

namespace groundcontrol::model {
namespace {

using nlohmann::json;

const std::string kDigest = "sha256:" + std::string(64, 'a');

std::string host_name(int i) {
  return "host-" + std::to_string(i) + ".example";
}

// The error message of a parse that must fail.
template <class Result>
std::string refusal(const Result& result) {
  EXPECT_FALSE(result);
  if (result) return {};
  EXPECT_EQ(result.error().code(), common::ErrorCode::kInvalidArgument);
  return result.error().message();
}

TEST(ResourceCodecTest, MetadataTakesNameLabelsAndTheServerFieldsOfAReadBack) {
  auto meta = parse_object_meta(json::parse(R"({"name":"sat-1","labels":{"site":"berlin"},
      "uid":"x","resourceVersion":"17","generation":3,"creationTimestamp":"2026-12-01T00:00:00Z"})"));
  ASSERT_TRUE(meta) << meta.error().message();
  EXPECT_EQ(meta->name, "sat-1");
  EXPECT_EQ(meta->labels.at("site"), "berlin");
  EXPECT_EQ(meta->resource_version, 17);
  EXPECT_TRUE(meta->uid.empty());  // the server's to set
}

TEST(ResourceCodecTest, MetadataRefusalsNameTheField) {
  EXPECT_EQ(refusal(parse_object_meta(json::parse(R"({"name":"Sat_1"})"))).substr(0, 14),
            "metadata.name:");
  EXPECT_EQ(refusal(parse_object_meta(json::parse(R"({})"))), "metadata.name: required");
  EXPECT_EQ(refusal(parse_object_meta(json::parse(R"({"name":"a","labels":{"site":"-x"}})")))
                .substr(0, 25),
            "metadata.labels.site: \"-x");
  EXPECT_EQ(refusal(parse_object_meta(json::parse(R"({"name":"a","lables":{}})"))),
            "metadata.lables: unknown field");
  EXPECT_EQ(refusal(parse_object_meta(json::parse(R"({"name":"a","resourceVersion":"x1"})")))
                .substr(0, 25),
            "metadata.resourceVersion:");
  EXPECT_EQ(refusal(parse_object_meta(json::parse(R"({"name":"a","labels":{"k":5}})"))),
            "metadata.labels.k: expected a string");
}

TEST(ResourceCodecTest, AGroupSpecRoundTrips) {
  const auto text = R"({"artifacts":[{"repository":"library/nginx","digest":")" + kDigest +
                    R"(","tags":["b","a","a"]}],
      "selector":{"matchLabels":{"tier":"edge"},"matchExpressions":[{"key":"region","operator":"In","values":["eu","us"]}]},
      "satellites":["sat-2","sat-1"]})";
  auto spec = parse_group_spec(json::parse(text));
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->artifacts.at(0).tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(spec->artifacts.at(0).type, "IMAGE");
  EXPECT_EQ(spec->satellites, (std::vector<std::string>{"sat-1", "sat-2"}));
  EXPECT_TRUE(spec->has_member("sat-1", {}));
  EXPECT_TRUE(spec->has_member("other", {{"tier", "edge"}, {"region", "eu"}}));
  EXPECT_FALSE(spec->has_member("other", {{"tier", "edge"}, {"region", "ap"}}));
  auto again = parse_group_spec(to_json(*spec));
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(to_json(*again), to_json(*spec));
  EXPECT_EQ(again->selector, spec->selector);
}

TEST(ResourceCodecTest, GroupSpecRefusalsNameTheField) {
  struct Case {
    std::string spec;
    std::string message_start;
  };
  for (const auto& c :
       {Case{R"({"artifact":[]})", "spec.artifact: unknown field"},
        Case{R"({"artifacts":[{"repository":"x","digest":"sha256:1"}]})",
             "spec.artifacts[0].digest:"},
        Case{R"({"artifacts":[{"repository":"x","digest":")" + kDigest + R"(","tag":["a"]}]})",
             "spec.artifacts[0].tag: unknown field"},
        Case{R"({"artifacts":[{"repository":"x","digest":")" + kDigest +
                 R"("},{"repository":"x","digest":")" + kDigest + R"("}]})",
             "spec.artifacts: x@sha256:"},
        Case{R"({"selector":{"matchExpressions":[{"key":"a","operator":"Is"}]}})",
             "spec.selector.matchExpressions[0].operator:"},
        Case{R"({"selector":{"matchExpressions":[{"key":"a","operator":"In"}]}})",
             "spec.selector:"},
        Case{R"({"selector":{"matchLabel":{}}})", "spec.selector.matchLabel: unknown field"},
        Case{R"({"satellites":["ok","Not_OK"]})", "spec.satellites[1]:"},
        Case{R"({"satellites":"one"})", "spec.satellites: expected a list"},
        Case{R"([])", "spec: expected an object"}}) {
    const auto message = refusal(parse_group_spec(json::parse(c.spec)));
    EXPECT_TRUE(message.starts_with(c.message_start)) << c.spec << " → " << message;
  }
}

TEST(ResourceCodecTest, ASatelliteConfigKeepsItsPasswordOutOfResponses) {
  const json request = json::parse(R"({"statePollInterval":"2m",
      "upstream":{"url":"https://harbor.example","username":"robot","password":"s3cret"},
      "proxy":{"enabled":true,"allowedRepositories":["library/nginx"]},
      "runtimes":["containerd","k3s"],"bandwidthLimit":1000000,"syncWindow":"01:00-05:00"})");
  auto spec = parse_satellite_config_spec(&request);
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->state_poll_interval, std::chrono::seconds(120));
  EXPECT_EQ(spec->upstream_password, "s3cret");
  spec->upstream_password_set = true;
  const auto shown = to_json(*spec);
  EXPECT_EQ(shown.dump().find("s3cret"), std::string::npos);
  EXPECT_TRUE(shown["upstream"]["passwordSet"].get<bool>());
  const json again_text = shown;
  auto again = parse_satellite_config_spec(&again_text);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_FALSE(again->upstream_password);  // reading a response back sets no password
  EXPECT_EQ(to_json(*again)["syncWindow"], "01:00-05:00");
}

TEST(ResourceCodecTest, SatelliteConfigRefusalsNameTheField) {
  for (const auto& [text, start] : std::vector<std::pair<std::string, std::string>>{
           {R"({"statePollInterval":"1s"})", "spec.statePollInterval:"},
           {R"({"statePollInterval":5})", "spec.statePollInterval: expected a string"},
           {R"({"syncWindow":"25:00-01:00"})", "spec.syncWindow:"},
           {R"({"runtimes":["rkt"]})", "spec.runtimes:"},
           {R"({"upstream":{"url":"ftp://x"}})", "spec.upstream.url:"},
           {R"({"upstream":{"user":"x"}})", "spec.upstream.user: unknown field"},
           {R"({"bandwidthLimit":-1})", "spec.bandwidthLimit:"},
           {R"({"logLevel":"loud"})", "spec.logLevel:"}}) {
    const json value = json::parse(text);
    const auto message = refusal(parse_satellite_config_spec(&value));
    EXPECT_TRUE(message.starts_with(start)) << text << " → " << message;
  }
}

TEST(ResourceCodecTest, ASatelliteConfigListsItsRegistrysServerNames) {
  const json request = json::parse(R"({"registry":{"serverNames":
      ["registry.site-1.example","site-1","10.0.0.5","fd00::5","127.0.0.1","A-1.Example"]}})");
  auto spec = parse_satellite_config_spec(&request);
  ASSERT_TRUE(spec) << spec.error().message();
  const std::vector<std::string> names = {
      "registry.site-1.example", "site-1", "10.0.0.5", "fd00::5", "127.0.0.1", "A-1.Example"};
  EXPECT_EQ(spec->registry_server_names, names);
  const json shown = to_json(*spec);
  EXPECT_EQ(shown["registry"]["serverNames"], json(names));
  auto again = parse_satellite_config_spec(&shown);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(again->registry_server_names, names);
  // None by default, and a response says so.
  auto none = parse_satellite_config_spec(nullptr);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->registry_server_names.empty());
  EXPECT_EQ(to_json(*none)["registry"]["serverNames"], json::array());
}

TEST(ResourceCodecTest, ServerNameRefusalsNameTheEntry) {
  json too_many = {{"registry", {{"serverNames", json::array()}}}};
  for (int i = 0; i < 33; ++i) too_many["registry"]["serverNames"].push_back(host_name(i));
  EXPECT_EQ(refusal(parse_satellite_config_spec(&too_many)),
            "spec.registry.serverNames: at most 32 names");
  for (const auto& [names, start] : std::vector<std::pair<std::string, std::string>>{
           {R"(["ok.example","fine","bad_name"])", "spec.registry.serverNames[2]: \"bad_name\""},
           {R"(["*.site.example"])", "spec.registry.serverNames[0]:"},
           {R"(["-lead.example"])", "spec.registry.serverNames[0]:"},
           {R"(["trail-.example"])", "spec.registry.serverNames[0]:"},
           {R"(["a..example"])", "spec.registry.serverNames[0]:"},
           {R"(["10.0.0.300"])", "spec.registry.serverNames[0]:"},
           {R"(["[::1]"])", "spec.registry.serverNames[0]:"},
           {R"(["10.0.0.5:5000"])", "spec.registry.serverNames[0]:"},
           {R"(["https://x.example"])", "spec.registry.serverNames[0]:"},
           {R"([""])", "spec.registry.serverNames[0]:"},
           {R"(["x.example","x.example"])",
            "spec.registry.serverNames[1]: \"x.example\" is listed twice"},
           {R"([5])", "spec.registry.serverNames: expected a list of strings"}}) {
    const json value = {{"registry", {{"serverNames", json::parse(names)}}}};
    const auto message = refusal(parse_satellite_config_spec(&value));
    EXPECT_TRUE(message.starts_with(start)) << names << " → " << message;
  }
  const std::string label(64, 'a');
  const json long_label = {{"registry", {{"serverNames", {label + ".example"}}}}};
  EXPECT_TRUE(refusal(parse_satellite_config_spec(&long_label))
                  .starts_with("spec.registry.serverNames[0]:"));
  const json unknown = json::parse(R"({"registry":{"names":["x"]}})");
  EXPECT_EQ(refusal(parse_satellite_config_spec(&unknown)), "spec.registry.names: unknown field");
}

TEST(ResourceCodecTest, ASatelliteSpecDefaultsToTheDefaultConfig) {
  auto spec = parse_satellite_spec(nullptr);
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->config, "default");
  const json bad = json::parse(R"({"config":"x","groups":["a"]})");
  EXPECT_EQ(refusal(parse_satellite_spec(&bad)), "spec.groups: unknown field");
}

}  // namespace
}  // namespace groundcontrol::model
