#include "cli/context_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "testutil/temp_dir.hpp"

namespace cli {
namespace {

using common::ErrorCode;

TEST(ContextStore, RoundTripsContextsInAFileOnlyItsOwnerCanRead) {
  testutil::TempDir dir;
  const auto path = dir.str() + "/gcctl/config.yaml";
  auto store = ContextStore::load(path).value();
  EXPECT_TRUE(store.contexts().empty());
  store.put({"prod", "https://gc:8443", "admin", "gcs_secret", "/etc/ca.crt", "", false});
  store.put({"lab", "https://lab:8443", "ops", "gcs_other", "",
             "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", false});
  store.put({"prod", "https://gc:9443", "admin", "gcs_new", "", "", true});  // replaces
  ASSERT_TRUE(store.use("lab"));
  ASSERT_TRUE(store.save());

  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  ASSERT_EQ(::stat((dir.str() + "/gcctl").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700);

  const auto loaded = ContextStore::load(path).value();
  ASSERT_EQ(loaded.contexts().size(), 2u);
  EXPECT_EQ(loaded.current(), "lab");
  const auto lab = loaded.select("").value();
  EXPECT_EQ(lab.token, "gcs_other");
  EXPECT_EQ(lab.ca_pem, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  const auto prod = loaded.select("prod").value();
  EXPECT_EQ(prod.server, "https://gc:9443");
  EXPECT_TRUE(prod.insecure_skip_tls_verify);
  EXPECT_TRUE(prod.ca_file.empty());
}

TEST(ContextStore, SaysNotLoggedInWithoutAContext) {
  testutil::TempDir dir;
  const auto store = ContextStore::load(dir.str() + "/none.yaml").value();
  EXPECT_EQ(store.select("").error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(store.select("prod").error().code(), ErrorCode::kNotFound);
  auto copy = store;
  EXPECT_EQ(copy.use("prod").error().code(), ErrorCode::kNotFound);
}

TEST(ContextStore, RefusesAFileOthersCanReadOrThatIsNoConfig) {
  testutil::TempDir dir;
  const auto path = dir.str() + "/config.yaml";
  std::ofstream(path) << "current-context: a\ncontexts: [{server: x}]\n";
  ::chmod(path.c_str(), 0644);
  EXPECT_EQ(ContextStore::load(path).error().code(), ErrorCode::kPermissionDenied);
  ::chmod(path.c_str(), 0600);
  const auto unnamed = ContextStore::load(path);
  ASSERT_FALSE(unnamed);
  EXPECT_EQ(unnamed.error().message(), path + ": a context without a name");
}

TEST(ContextStore, FindsItsFileFromTheEnvironment) {
  EXPECT_EQ(ContextStore::default_path("/x/c.yaml", "/xdg", "/home/u"), "/x/c.yaml");
  EXPECT_EQ(ContextStore::default_path(nullptr, "/xdg", "/home/u"), "/xdg/gcctl/config.yaml");
  EXPECT_EQ(ContextStore::default_path("", "", "/home/u"), "/home/u/.config/gcctl/config.yaml");
}

}  // namespace
}  // namespace cli
