#include "common/fleet_wire/state_artifact.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "common/crypto/cosign_key.hpp"

namespace common::fleet_wire {
namespace {

Digest digest_of_char(char c) {
  return Digest::from_hex(DigestAlgorithm::kSha256, std::string(64, c));
}

GroupState group() {
  GroupState state;
  state.group = "edge";
  state.version = 7;
  state.artifacts = {{"library/nginx", digest_of_char('b'), {"1.25", "latest", "1.25"}, "IMAGE"},
                     {"library/alpine", digest_of_char('a'), {"3.19"}, "IMAGE"}};
  return state;
}

SatelliteStateRef satellite() {
  SatelliteStateRef state;
  state.satellite = "edge-01";
  state.version = 3;
  state.groups = {{"west", group_state_repository(kDefaultStateProject, "west")},
                  {"edge", group_state_repository(kDefaultStateProject, "edge")}};
  state.config_name = "default";
  state.config_repository = config_state_repository(kDefaultStateProject, "default");
  state.config_digest = digest_of_char('c').str();
  return state;
}

ConfigState config() {
  ConfigState state;
  state.version = 2;
  state.config.name = "default";
  state.config.digest = digest_of_char('d').str();
  state.config.state_poll_interval = std::chrono::seconds(30);
  state.config.upstream_url = "https://harbor.example";
  state.config.upstream_username = "robot$edge";
  state.config.upstream_password = "s3cret";
  state.config.proxy_enabled = true;
  state.config.proxy_repositories = {"library/*"};
  state.config.bandwidth_limit = 1000;
  state.config.sync_window = "01:00-05:00";
  state.config.registry_server_names = {"registry.site"};
  return state;
}

TEST(StateArtifactTest, RepositoriesFollowHarborSatellitesLayout) {
  EXPECT_EQ(group_state_repository("satellite", "edge"), "satellite/group-state/edge/state");
  EXPECT_EQ(satellite_state_repository("satellite", "edge-01"),
            "satellite/satellite-state/edge-01/state");
  EXPECT_EQ(config_state_repository("fleet", "default"), "fleet/config-state/default/state");
}

TEST(StateArtifactTest, GroupStateIsSortedCompactAndRoundTrips) {
  const auto text = to_json(group());
  EXPECT_EQ(text,
            "{\"apiVersion\":\"satellite/v1\",\"artifacts\":[{\"digest\":\"sha256:" +
                std::string(64, 'a') +
                "\",\"repository\":\"library/alpine\",\"tags\":[\"3.19\"],\"type\":\"IMAGE\"},"
                "{\"digest\":\"sha256:" +
                std::string(64, 'b') +
                "\",\"repository\":\"library/nginx\",\"tags\":[\"1.25\",\"latest\"],\"type\":"
                "\"IMAGE\"}],\"group\":\"edge\",\"kind\":\"GroupState\",\"version\":7}");
  auto parsed = parse_group_state(text);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->group, "edge");
  EXPECT_EQ(parsed->version, 7u);
  ASSERT_EQ(parsed->artifacts.size(), 2u);
  EXPECT_EQ(parsed->artifacts[0].repository, "library/alpine");
  EXPECT_EQ(parsed->artifacts[1].tags, (std::vector<std::string>{"1.25", "latest"}));
  EXPECT_EQ(to_json(*parsed), text);
}

TEST(StateArtifactTest, SameStateInAnotherOrderHasTheSameBytes) {
  auto shuffled = group();
  std::swap(shuffled.artifacts[0], shuffled.artifacts[1]);
  shuffled.artifacts[1].tags = {"latest", "1.25"};
  EXPECT_EQ(to_json(shuffled), to_json(group()));
  auto other = satellite();
  std::swap(other.groups[0], other.groups[1]);
  EXPECT_EQ(to_json(other), to_json(satellite()));
}

TEST(StateArtifactTest, GroupStateCarriesItsSignaturePolicyOnlyWhenNotOff) {
  auto state = group();
  const auto plain = to_json(state);
  state.signature_policy = SignaturePolicy{SignatureMode::kOff, {}};
  EXPECT_EQ(to_json(state), plain);  // off: the same bytes, the same digest
  EXPECT_EQ(plain.find("signaturePolicy"), std::string::npos);

  auto key = crypto::CosignKey::generate();
  ASSERT_TRUE(key);
  const auto pem = key->public_key_pem();
  ASSERT_TRUE(pem);
  state.signature_policy = SignaturePolicy{SignatureMode::kEnforce, {*pem}};
  auto parsed = parse_group_state(to_json(state));
  ASSERT_TRUE(parsed) << parsed.error().message();
  ASSERT_TRUE(parsed->signature_policy);
  EXPECT_EQ(*parsed->signature_policy, *state.signature_policy);

  auto bad = nlohmann::json::parse(to_json(state));
  bad["signaturePolicy"]["mode"] = "strict";
  const auto refused = parse_group_state(bad.dump());
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("signaturePolicy.mode"), std::string::npos);
}

TEST(StateArtifactTest, SatelliteStateNamesGroupsAndConfigByRepository) {
  auto parsed = parse_satellite_state_ref(to_json(satellite()));
  ASSERT_TRUE(parsed) << parsed.error().message();
  auto expected = satellite();
  std::swap(expected.groups[0], expected.groups[1]);  // sorted by name
  EXPECT_EQ(*parsed, expected);

  auto without_config = satellite();
  without_config.config_name = without_config.config_repository = without_config.config_digest = "";
  const auto text = to_json(without_config);
  EXPECT_NE(text.find("\"config\":null"), std::string::npos) << text;
  auto reread = parse_satellite_state_ref(text);
  ASSERT_TRUE(reread) << reread.error().message();
  EXPECT_TRUE(reread->config_name.empty());
}

TEST(StateArtifactTest, ConfigStateDropsTheCredentialsAndKeepsTheRest) {
  const auto text = to_json(config());
  EXPECT_EQ(text.find("robot$edge"), std::string::npos) << text;
  EXPECT_EQ(text.find("s3cret"), std::string::npos) << text;
  EXPECT_EQ(text.find("username"), std::string::npos) << text;
  EXPECT_EQ(text.find("password"), std::string::npos) << text;
  auto parsed = parse_config_state(text);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->version, 2u);
  const auto& c = parsed->config;
  EXPECT_EQ(c.name, "default");
  EXPECT_EQ(c.digest, digest_of_char('d').str());
  EXPECT_EQ(c.state_poll_interval, std::chrono::seconds(30));
  EXPECT_EQ(c.upstream_url, "https://harbor.example");
  EXPECT_TRUE(c.upstream_username.empty());
  EXPECT_TRUE(c.upstream_password.empty());
  EXPECT_TRUE(c.proxy_enabled);
  EXPECT_EQ(c.proxy_repositories, (std::vector<std::string>{"library/*"}));
  EXPECT_EQ(c.bandwidth_limit, 1000u);
  EXPECT_EQ(c.sync_window, "01:00-05:00");
  EXPECT_EQ(c.registry_server_names, (std::vector<std::string>{"registry.site"}));
}

TEST(StateArtifactTest, ConfigStateCarryingCredentialsIsRefused) {
  auto text = to_json(config());
  const auto at = text.find("\"url\":");
  ASSERT_NE(at, std::string::npos);
  text.insert(at, "\"password\":\"leaked\",");
  auto parsed = parse_config_state(text);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(parsed.error().message().find("spec.upstream.password"), std::string::npos)
      << parsed.error().message();
}

TEST(StateArtifactTest, BadDocumentsNameWhatIsWrong) {
  const auto message = [](Result<GroupState> parsed) {
    EXPECT_FALSE(parsed);
    return parsed ? std::string() : parsed.error().message();
  };
  EXPECT_NE(message(parse_group_state("[]")).find("not a JSON object"), std::string::npos);
  EXPECT_NE(message(parse_group_state(to_json(satellite()))).find("kind"), std::string::npos);
  auto zero = group();
  zero.version = 0;
  EXPECT_NE(message(parse_group_state(to_json(zero))).find("version"), std::string::npos);
  auto bad_repository = group();
  bad_repository.artifacts[0].repository = "Library/UPPER";
  EXPECT_NE(message(parse_group_state(to_json(bad_repository))).find("artifacts[0].repository"),
            std::string::npos);
  std::string bad_digest = to_json(group());
  bad_digest.replace(bad_digest.find("sha256:"), 7, "md5:");
  EXPECT_NE(message(parse_group_state(bad_digest)).find("digest"), std::string::npos);
  EXPECT_NE(
      message(parse_group_state(std::string(kMaxStateDocumentBytes + 1, ' '))).find("larger than"),
      std::string::npos);
}

TEST(StateArtifactTest, UnknownFieldsAreIgnored) {
  auto text = to_json(group());
  text.insert(1, "\"addedLater\":{\"x\":1},");
  auto parsed = parse_group_state(text);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->artifacts.size(), 2u);
}

}  // namespace
}  // namespace common::fleet_wire
