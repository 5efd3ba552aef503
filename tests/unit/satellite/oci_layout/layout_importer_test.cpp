#include "satellite/oci_layout/layout_importer.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/crypto/hasher.hpp"
#include "satellite/oci_layout/layout_exporter.hpp"
#include "testutil/oci_image_gen/oci_layout_writer.hpp"
#include "testutil/temp_dir.hpp"

namespace satellite::oci_layout {
namespace {

using common::ErrorCode;
namespace gen = testutil::oci_image_gen;

std::unique_ptr<registry::RegistryService> open_registry(const std::filesystem::path& dir) {
  registry::RegistryConfig config;
  config.data_dir = dir.string();
  auto service = registry::RegistryService::open(config, common::log::null_logger());
  EXPECT_TRUE(service) << service.error().message();
  return std::move(*service);
}

std::unique_ptr<LayoutSource> source_of(const std::filesystem::path& path) {
  auto source =
      LayoutSource::open(common::fs::UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)));
  EXPECT_TRUE(source) << source.error().message();
  return std::move(*source);
}

common::Digest make_layout(const std::filesystem::path& dir, const std::string& tag,
                           std::vector<gen::Platform> platforms = {}, std::uint64_t seed = 1) {
  gen::OciLayoutOptions options;
  options.out_dir = dir;
  options.tag = tag;
  options.layers = 2;
  options.layer_size = 4096;
  options.seed = seed;
  options.platforms = std::move(platforms);
  auto digest = gen::write_oci_layout(options);
  EXPECT_TRUE(digest) << digest.error().message();
  return *digest;
}

std::vector<std::string> repositories(registry::RegistryService& service) {
  return service.list_repositories(100, "").value_or(std::vector<std::string>{});
}

std::vector<common::Digest> blobs_in(const std::filesystem::path& layout) {
  std::vector<common::Digest> digests;
  for (const auto& file : std::filesystem::directory_iterator(layout / "blobs" / "sha256"))
    digests.push_back(common::Digest::parse("sha256:" + file.path().filename().string()).value());
  return digests;
}

class LayoutImporterTest : public ::testing::Test {
 protected:
  testutil::TempDir dir_;
  std::unique_ptr<registry::RegistryService> service_ = open_registry(dir_.path() / "data");
};

TEST_F(LayoutImporterTest, ImportsAnImageUnderItsTagWithEveryBlob) {
  const auto digest = make_layout(dir_.path() / "layout", "v1");
  auto report = LayoutImporter(*service_).import(*source_of(dir_.path() / "layout"), "demo/app");
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->images, 1u);
  EXPECT_EQ(report->blobs_uploaded, 3u);  // config and two layers
  auto manifest = service_->get_manifest("demo/app", "v1");
  ASSERT_TRUE(manifest);
  EXPECT_EQ((*manifest)->digest, digest);
  for (const auto& blob : blobs_in(dir_.path() / "layout")) {
    if (blob == digest) continue;
    EXPECT_TRUE(service_->stat_blob("demo/app", blob)) << blob.str();
  }
}

TEST_F(LayoutImporterTest, ReimportStoresNothingAgain) {
  make_layout(dir_.path() / "layout", "v1");
  ASSERT_TRUE(LayoutImporter(*service_).import(*source_of(dir_.path() / "layout"), "demo/app"));
  const auto before = service_->storage_stats();
  auto again = LayoutImporter(*service_).import(*source_of(dir_.path() / "layout"), "demo/app");
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(again->blobs_uploaded, 0u);
  EXPECT_EQ(again->blobs_held, 3u);
  auto other = LayoutImporter(*service_).import(*source_of(dir_.path() / "layout"), "other/app");
  ASSERT_TRUE(other) << other.error().message();
  EXPECT_EQ(other->blobs_uploaded, 0u);
  EXPECT_EQ(other->blobs_linked, 3u);
  EXPECT_EQ(service_->storage_stats().bytes, before.bytes);
  EXPECT_EQ(service_->storage_stats().blobs, before.blobs);
}

TEST_F(LayoutImporterTest, CorruptBlobIsRefusedNamingItAndNothingBecomesVisible) {
  const auto top = make_layout(dir_.path() / "layout", "v1");
  // Damage the last layer (so other blobs would have verified first).
  auto manifest =
      nlohmann::json::parse(std::ifstream(dir_.path() / "layout" / "blobs" / "sha256" / top.hex()));
  const std::string victim = manifest["layers"].back()["digest"];
  const auto path = dir_.path() / "layout" / "blobs" / "sha256" / victim.substr(7);
  std::filesystem::resize_file(path, std::filesystem::file_size(path));
  { std::fstream(path, std::ios::in | std::ios::out | std::ios::binary).put('Z'); }

  auto report = LayoutImporter(*service_).import(*source_of(dir_.path() / "layout"), "demo/app");
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code(), ErrorCode::kDigestInvalid);
  EXPECT_NE(report.error().message().find(victim), std::string::npos) << report.error().message();
  EXPECT_TRUE(repositories(*service_).empty());
  EXPECT_EQ(service_->storage_stats().blobs, 0u);
  EXPECT_FALSE(service_->get_manifest("demo/app", "v1"));
}

TEST_F(LayoutImporterTest, MissingBlobIsRefusedAndNothingBecomesVisible) {
  const auto top = make_layout(dir_.path() / "layout", "v1");
  for (const auto& blob : blobs_in(dir_.path() / "layout")) {
    if (blob != top) {
      std::filesystem::remove(dir_.path() / "layout" / "blobs" / "sha256" / blob.hex());
      break;
    }
  }
  auto report = LayoutImporter(*service_).import(*source_of(dir_.path() / "layout"), "demo/app");
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(repositories(*service_).empty());
}

TEST_F(LayoutImporterTest, MultiArchIndexIsImportedWholeChildrenFirst) {
  const auto index = make_layout(dir_.path() / "layout", "multi",
                                 {{"linux", "amd64", ""}, {"linux", "arm64", "v8"}});
  auto report = LayoutImporter(*service_).import(*source_of(dir_.path() / "layout"), "demo/multi");
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->manifests, 3u);
  auto top = service_->get_manifest("demo/multi", "multi");
  ASSERT_TRUE(top);
  EXPECT_EQ((*top)->digest, index);
  auto parsed = common::oci::parse_manifest((*top)->content, (*top)->media_type);
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->manifests.size(), 2u);
  for (const auto& child : parsed->manifests)
    EXPECT_TRUE(service_->get_manifest("demo/multi", child.digest.str())) << child.digest.str();
}

TEST_F(LayoutImporterTest, BareTagWithoutRepositoryAsksForOne) {
  make_layout(dir_.path() / "layout", "v1");
  auto report = LayoutImporter(*service_).import(*source_of(dir_.path() / "layout"), "");
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(report.error().message().find("--repository"), std::string::npos);
}

// What `ctr image export` and skopeo with a full reference write: the name in annotations.
TEST_F(LayoutImporterTest, RepositoryComesFromTheNamesInIndexJson) {
  const auto digest = make_layout(dir_.path() / "layout", "1.0");
  const auto index_path = dir_.path() / "layout" / "index.json";
  auto index = nlohmann::json::parse(std::ifstream(index_path));
  index["manifests"][0]["annotations"]["io.containerd.image.name"] = "docker.io/library/app:1.0";
  std::ofstream(index_path) << index.dump();
  auto report = LayoutImporter(*service_).import(*source_of(dir_.path() / "layout"), "");
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->repositories, std::vector<std::string>{"library/app"});
  auto manifest = service_->get_manifest("library/app", "1.0");
  ASSERT_TRUE(manifest);
  EXPECT_EQ((*manifest)->digest, digest);
}

TEST_F(LayoutImporterTest, BlobThatIsASymlinkIsRefused) {
  const auto top = make_layout(dir_.path() / "layout", "v1");
  for (const auto& blob : blobs_in(dir_.path() / "layout")) {
    if (blob == top) continue;
    // The right bytes, but outside the layout: a link could point anywhere.
    const auto path = dir_.path() / "layout" / "blobs" / "sha256" / blob.hex();
    std::filesystem::rename(path, dir_.path() / "outside");
    std::filesystem::create_symlink(dir_.path() / "outside", path);
    break;
  }
  auto report = LayoutImporter(*service_).import(*source_of(dir_.path() / "layout"), "demo/app");
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code(), ErrorCode::kCorruption);
  EXPECT_TRUE(repositories(*service_).empty());
}

TEST_F(LayoutImporterTest, NotALayoutIsRefused) {
  std::filesystem::create_directories(dir_.path() / "empty");
  auto report = LayoutImporter(*service_).import(*source_of(dir_.path() / "empty"), "demo/app");
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code(), ErrorCode::kInvalidArgument);
}

// Export as a tar, then import that tar into a fresh registry by the names it carries.
TEST_F(LayoutImporterTest, ExportedTarImportsBackWithTheSameDigests) {
  const auto single = make_layout(dir_.path() / "one", "v1");
  const auto multi =
      make_layout(dir_.path() / "two", "m", {{"linux", "amd64", ""}, {"linux", "arm", "v7"}}, 9);
  ASSERT_TRUE(LayoutImporter(*service_).import(*source_of(dir_.path() / "one"), "demo/one"));
  ASSERT_TRUE(LayoutImporter(*service_).import(*source_of(dir_.path() / "two"), "demo/two"));
  const auto tar = dir_.path() / "export.tar";
  {
    auto sink = LayoutSink::open(
        common::fs::UniqueFd(::open(tar.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644)));
    ASSERT_TRUE(sink);
    auto exported = LayoutExporter(*service_).write(**sink, {});
    ASSERT_TRUE(exported) << exported.error().message();
    EXPECT_EQ(exported->tags, 2u);
  }
  auto fresh = open_registry(dir_.path() / "fresh");
  auto report = LayoutImporter(*fresh).import(*source_of(tar), "");
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->repositories, (std::vector<std::string>{"demo/one", "demo/two"}));
  EXPECT_EQ((*fresh->get_manifest("demo/one", "v1"))->digest, single);
  EXPECT_EQ((*fresh->get_manifest("demo/two", "m"))->digest, multi);
}

}  // namespace
}  // namespace satellite::oci_layout
