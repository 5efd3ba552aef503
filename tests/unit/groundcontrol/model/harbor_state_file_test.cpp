#include "groundcontrol/model/harbor_state_file.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace groundcontrol::model {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(HarborStateFileTest, TheSampleAsHarborSendsIt) {
  const auto file = parse_harbor_state_file(read_file(TEST_DATA_DIR "/harbor-state-sample.json"));
  ASSERT_TRUE(file) << file.error().message();
  ASSERT_EQ(file->entries.size(), 10u);
  std::set<std::string> digests;
  std::set<std::string> repositories;
  for (const auto& entry : file->entries) {
    digests.insert(entry.artifact.digest.str());
    repositories.insert(entry.artifact.repository);
    EXPECT_EQ(entry.artifact.type, "IMAGE");
  }
  EXPECT_EQ(digests.size(), 3u);
  EXPECT_EQ(repositories.size(), 7u);
  EXPECT_EQ(file->entries[0].artifact.repository, "blabla/nginx");  // the source path, as sent
  EXPECT_EQ(file->entries[0].artifact.tags,
            (std::vector<std::string>{"alpine3.18", "mainline-alpine"}));
}

TEST(HarborStateFileTest, LabelsMayBeAbsentNullStringsOrObjectsAndUnknownFieldsAreIgnored) {
  const auto file = parse_harbor_state_file(
      R"({"registry":"harbor","future":1,"artifacts":[
    {"repository":"a/b","digest":"sha256:)" +
      std::string(64, '1') + R"(","tag":[],"type":"CHART","deleted":true,"new":{}},
    {"repository":"a/c","digest":"sha256:)" +
      std::string(64, '2') + R"(","tag":null,"labels":null},
    {"repository":"a/d","digest":"sha256:)" +
      std::string(64, '3') + R"(","labels":["prod",{"name":"edge","id":3}]}]})");
  ASSERT_TRUE(file) << file.error().message();
  EXPECT_EQ(file->registry, "harbor");
  EXPECT_TRUE(file->entries[0].deleted);
  EXPECT_EQ(file->entries[0].artifact.type, "CHART");
  EXPECT_FALSE(file->entries[1].deleted);
  EXPECT_EQ(file->entries[1].artifact.type, "IMAGE");
  EXPECT_EQ(file->entries[2].artifact.labels, (std::vector<std::string>{"edge", "prod"}));
}

TEST(HarborStateFileTest, AnInvalidEntryIsNamed) {
  const std::string good =
      R"({"repository":"a/b","digest":"sha256:)" + std::string(64, '1') + R"("})";
  struct Case {
    std::string entry;
    std::string field;
  };
  for (const auto& c :
       {Case{R"({"digest":"sha256:)" + std::string(64, '1') + R"("})", "artifacts[1].repository"},
        Case{R"({"repository":"A/B","digest":"sha256:)" + std::string(64, '1') + R"("})",
             "artifacts[1].repository"},
        Case{R"({"repository":"a/b","digest":"sha256:xyz"})", "artifacts[1].digest"},
        Case{R"({"repository":"a/b","digest":"sha256:)" + std::string(64, '1') +
                 R"(","tag":["bad tag"]})",
             "artifacts[1].tags"},
        Case{R"({"repository":"a/b","digest":"sha256:)" + std::string(64, '1') + R"(","tag":"x"})",
             "artifacts[1].tag"},
        Case{R"({"repository":"a/b","digest":"sha256:)" + std::string(64, '1') +
                 R"(","deleted":"no"})",
             "artifacts[1].deleted"},
        Case{R"(7)", "artifacts[1]"}}) {
    const auto file = parse_harbor_state_file(R"({"artifacts":[)" + good + "," + c.entry + "]}");
    ASSERT_FALSE(file) << c.entry;
    EXPECT_EQ(file.error().code(), common::ErrorCode::kInvalidArgument);
    EXPECT_TRUE(file.error().message().starts_with(c.field + ":")) << file.error().message();
  }
  for (const char* document : {"", "[]", "{}", R"({"artifacts":{}})", "{\"artifacts\":[", "null"})
    EXPECT_FALSE(parse_harbor_state_file(document)) << document;
}

}  // namespace
}  // namespace groundcontrol::model
