#include "cli/resource_diff.hpp"

#include <gtest/gtest.h>

namespace cli {
namespace {

using nlohmann::json;

const json kLive = json::parse(R"({
  "metadata": {"name": "g", "labels": {"tier": "edge"}, "resourceVersion": "7"},
  "spec": {"artifacts": [{"repository": "a", "digest": "sha256:1", "tags": [], "type": "IMAGE"},
                         {"repository": "b", "digest": "sha256:2", "tags": ["v1"], "type": "IMAGE"}],
           "satellites": [], "selector": {"matchLabels": {"region": "eu"}}},
  "status": {"rules": {"selected": 0}}})");

TEST(ResourceDiff, FieldsTheDocumentLeavesOutAndListOrderAreNoChange) {
  const auto desired = json::parse(R"({
    "metadata": {"name": "g", "labels": {"tier": "edge"}},
    "spec": {"artifacts": [{"repository": "b", "digest": "sha256:2", "tags": ["v1"]},
                           {"repository": "a", "digest": "sha256:1"}],
             "selector": {"matchLabels": {"region": "eu"}}}})");
  EXPECT_TRUE(resource_changes(desired, kLive).empty());
  EXPECT_TRUE(resource_changes(kLive, kLive).empty());  // what `get -o yaml` printed
}

TEST(ResourceDiff, NamesEachChange) {
  const auto desired = json::parse(R"({
    "metadata": {"name": "g", "labels": {"env": "prod"}},
    "spec": {"artifacts": [{"repository": "a", "digest": "sha256:1"}],
             "selector": {"matchLabels": {"region": "us"}}}})");
  const auto changes = resource_changes(desired, kLive);
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(changes[0], "+ metadata.labels.env: \"prod\"");
  EXPECT_EQ(changes[1], "- metadata.labels.tier");
  EXPECT_TRUE(changes[2].starts_with("~ spec.artifacts: [")) << changes[2];
  EXPECT_EQ(changes[3], "~ spec.selector.matchLabels.region: \"eu\" -> \"us\"");
}

}  // namespace
}  // namespace cli
