#include "satellite/oci_layout/image_name.hpp"

#include <gtest/gtest.h>

namespace satellite::oci_layout {
namespace {

void expect_name(std::string_view text, std::string_view repository, std::string_view tag) {
  auto name = ImageName::parse(text);
  ASSERT_TRUE(name) << text << ": " << name.error().detail();
  EXPECT_EQ(name->repository, repository) << text;
  EXPECT_EQ(name->tag, tag) << text;
}

TEST(ImageNameTest, BareTagNamesNoRepository) {
  expect_name("v1.2", "", "v1.2");
}

TEST(ImageNameTest, FullNamesGiveRepositoryAndTag) {
  expect_name("demo/app:v1", "demo/app", "v1");
  expect_name("app:v1", "app", "v1");
  expect_name("demo/app", "demo/app", "latest");
}

TEST(ImageNameTest, RegistryHostIsStripped) {
  expect_name("localhost:5000/demo/app:v1", "demo/app", "v1");
  expect_name("registry.example.com/team/app:2", "team/app", "2");
  expect_name("localhost/app:3", "app", "3");
}

TEST(ImageNameTest, DockerHubGetsItsLibraryPrefix) {
  expect_name("docker.io/library/alpine:3.19", "library/alpine", "3.19");
  expect_name("docker.io/alpine:3.19", "library/alpine", "3.19");
}

TEST(ImageNameTest, DigestSuffixIsDropped) {
  expect_name("demo/app:v1@sha256:" + std::string(64, 'a'), "demo/app", "v1");
  expect_name("demo/app@sha256:" + std::string(64, 'a'), "demo/app", "");
}

TEST(ImageNameTest, InvalidNamesAreRefused) {
  for (const auto* text : {"Demo/App:v1", "demo//app:v1", "demo/app:", "-bad", "demo/app:t@g"}) {
    auto name = ImageName::parse(text);
    EXPECT_FALSE(name) << text;
    if (!name) {
      EXPECT_EQ(name.error().code(), common::ErrorCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace satellite::oci_layout
