#include "cli/document_reader.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "testutil/temp_dir.hpp"

namespace cli {
namespace {

using common::ErrorCode;

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(DocumentReader, ReadsEveryDocumentOfAFileAndSkipsEmptyOnes) {
  const auto documents = parse_documents(
      "kind: Group\nmetadata: {name: a}\n---\n---\n"
      "{\"kind\": \"Satellite\", \"metadata\": {\"name\": \"b\", \"labels\": {\"n\": \"1\"}}}\n",
      "fleet.yaml");
  ASSERT_TRUE(documents) << documents.error().message();
  ASSERT_EQ(documents->size(), 2u);
  EXPECT_EQ((*documents)[0].body["metadata"]["name"], "a");
  EXPECT_EQ((*documents)[1].body["kind"], "Satellite");
  // A quoted scalar stays a string, a plain number is a number.
  EXPECT_EQ((*documents)[1].body["metadata"]["labels"]["n"], "1");
  EXPECT_EQ((*documents)[1].source, "fleet.yaml (document 3)");
}

TEST(DocumentReader, TypesPlainScalarsAndKeepsQuotedOnesStrings) {
  const auto documents = parse_documents(
      "kind: Group\nmetadata: {name: a, labels: {v: '42', w: \"true\"}}\n"
      "spec: {n: 42, f: 1.5, t: true, z: null, s: 60s, d: sha256:ab}\n",
      "x");
  ASSERT_TRUE(documents);
  const auto& body = documents->front().body;
  EXPECT_EQ(body["metadata"]["labels"]["v"], "42");
  EXPECT_EQ(body["metadata"]["labels"]["w"], "true");
  EXPECT_EQ(body["spec"]["n"], 42);
  EXPECT_EQ(body["spec"]["f"], 1.5);
  EXPECT_EQ(body["spec"]["t"], true);
  EXPECT_TRUE(body["spec"]["z"].is_null());
  EXPECT_EQ(body["spec"]["s"], "60s");
  EXPECT_EQ(body["spec"]["d"], "sha256:ab");
}

TEST(DocumentReader, ExpandsAListIntoItsItems) {
  const auto documents = parse_documents(
      "kind: List\nitems:\n- {kind: Group, metadata: {name: a}}\n- {kind: Group, metadata: {name: "
      "b}}\n",
      "list.yaml");
  ASSERT_TRUE(documents);
  ASSERT_EQ(documents->size(), 2u);
  EXPECT_EQ((*documents)[1].body["metadata"]["name"], "b");
}

TEST(DocumentReader, BadYamlNamesTheFileLineAndColumn) {
  const auto documents = parse_documents("kind: Group\nmetadata: {name: a\n", "bad.yaml");
  ASSERT_FALSE(documents);
  EXPECT_EQ(documents.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(documents.error().message().starts_with("bad.yaml: line "))
      << documents.error().message();
}

TEST(DocumentReader, RefusesADocumentThatIsNoResource) {
  auto documents = parse_documents("- just\n- a list\n", "x.yaml");
  ASSERT_FALSE(documents);
  EXPECT_EQ(documents.error().message(), "x.yaml: not a resource document");
  documents = parse_documents("kind: Group\nmetadata: {}\n", "x.yaml");
  ASSERT_FALSE(documents);
  EXPECT_EQ(documents.error().message(), "x.yaml: no metadata.name");
  documents =
      parse_documents("kind: Group\nmetadata: {name: a}\n---\nmetadata: {name: b}\n", "x.yaml");
  ASSERT_FALSE(documents);
  EXPECT_EQ(documents.error().message(), "x.yaml (document 2): no kind");
}

TEST(DocumentReader, ReadsADirectoryInNameOrderAndStdin) {
  testutil::TempDir dir;
  write(dir.path() / "b.yaml", "kind: Group\nmetadata: {name: second}\n");
  write(dir.path() / "a.json", R"({"kind": "Group", "metadata": {"name": "first"}})");
  write(dir.path() / "notes.txt", "not a document");
  std::istringstream none;
  const auto documents = read_documents(dir.str(), none);
  ASSERT_TRUE(documents) << documents.error().message();
  ASSERT_EQ(documents->size(), 2u);
  EXPECT_EQ((*documents)[0].body["metadata"]["name"], "first");
  EXPECT_EQ((*documents)[1].body["metadata"]["name"], "second");

  std::istringstream in("kind: Satellite\nmetadata: {name: s}\n");
  const auto piped = read_documents("-", in);
  ASSERT_TRUE(piped);
  EXPECT_EQ(piped->front().source, "<stdin>");

  const auto missing = read_documents(dir.str() + "/nope.yaml", none);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), dir.str() + "/nope.yaml: no such file or directory");
}

}  // namespace
}  // namespace cli
