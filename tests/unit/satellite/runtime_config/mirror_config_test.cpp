#include "satellite/runtime_config/mirror_config.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/fs/file_ops.hpp"
#include "testutil/temp_dir.hpp"

namespace satellite::runtime_config {
namespace {

using What = FileChange::What;

class MirrorConfigTest : public ::testing::Test {
 protected:
  std::string path(const std::string& relative) const { return dir_.str() + relative; }
  void write(const std::string& relative, const std::string& text) {
    ASSERT_TRUE(common::fs::make_dirs(common::fs::parent_dir(path(relative))));
    ASSERT_TRUE(common::fs::atomic_write_file(path(relative), text));
  }
  std::string read(const std::string& relative) const {
    return common::fs::read_file(path(relative)).value_or("<absent>");
  }
  ApplyReport apply_ok(Runtime runtime) {
    auto report = apply(runtime, plan_, dir_.str());
    EXPECT_TRUE(report.has_value()) << report.error().message();
    return report.value_or(ApplyReport{});
  }
  static What what_of(const ApplyReport& report, std::string_view suffix) {
    for (const auto& file : report.files)
      if (file.path.ends_with(suffix)) return file.what;
    ADD_FAILURE() << "no change reported for " << suffix;
    return What::kUnchanged;
  }

  testutil::TempDir dir_;
  MirrorPlan plan_{"10.0.0.5:5050", false, "harbor.example", ""};
};

TEST_F(MirrorConfigTest, ContainerdGetsHostsTomlAndConfigPathKeepingItsOtherSettings) {
  const std::string config =
      "version = 2\nroot = \"/data/containerd\"\n\n"
      "[plugins.\"io.containerd.grpc.v1.cri\".registry]\n"
      "  [plugins.\"io.containerd.grpc.v1.cri\".registry.auths]\n";
  write("/etc/containerd/config.toml", config);
  auto report = apply_ok(Runtime::kContainerd);
  EXPECT_EQ(what_of(report, "hosts.toml"), What::kCreated);
  EXPECT_EQ(what_of(report, "config.toml"), What::kChanged);
  const auto hosts = read("/etc/containerd/certs.d/harbor.example/hosts.toml");
  EXPECT_NE(hosts.find("server = \"https://harbor.example\""), std::string::npos) << hosts;
  EXPECT_NE(hosts.find("[host.\"http://10.0.0.5:5050\"]"), std::string::npos) << hosts;
  EXPECT_NE(hosts.find("capabilities = [\"pull\", \"resolve\"]"), std::string::npos) << hosts;
  const auto edited = read("/etc/containerd/config.toml");
  EXPECT_NE(edited.find("root = \"/data/containerd\""), std::string::npos);
  EXPECT_NE(edited.find("registry.auths]"), std::string::npos);
  EXPECT_NE(edited.find("config_path = \"/etc/containerd/certs.d\""), std::string::npos) << edited;

  // Idempotent, and undo gives back exactly what was there.
  auto again = apply_ok(Runtime::kContainerd);
  EXPECT_EQ(what_of(again, "hosts.toml"), What::kUnchanged);
  EXPECT_EQ(what_of(again, "config.toml"), What::kUnchanged);
  ASSERT_TRUE(undo(Runtime::kContainerd, plan_, dir_.str()));
  EXPECT_EQ(read("/etc/containerd/config.toml"), config);
  EXPECT_FALSE(std::filesystem::exists(path("/etc/containerd/certs.d/harbor.example/hosts.toml")));
}

TEST_F(MirrorConfigTest, AConfigPathAlreadySetIsWhereHostsTomlGoes) {
  write("/etc/containerd/config.toml",
        "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".registry]\n"
        "  config_path = \"/etc/containerd/registries\"\n");
  auto report = apply_ok(Runtime::kContainerd);
  EXPECT_EQ(what_of(report, "config.toml"), What::kUnchanged);
  EXPECT_TRUE(
      std::filesystem::exists(path("/etc/containerd/registries/harbor.example/hosts.toml")));
}

TEST_F(MirrorConfigTest, AnUpstreamUrlSaysHowTheRuntimeFallsBackToIt) {
  plan_.upstream = "http://127.0.0.1:5000";
  apply_ok(Runtime::kContainerd);
  const auto hosts = read("/etc/containerd/certs.d/127.0.0.1:5000/hosts.toml");
  EXPECT_NE(hosts.find("server = \"http://127.0.0.1:5000\""), std::string::npos) << hosts;
  EXPECT_EQ(read("/etc/containerd/config.toml").find("version = 2"), 0u);  // made fresh
}

TEST_F(MirrorConfigTest, DockerMergesItsMirrorAndWarnsThatOnlyHubNamesUseIt) {
  write("/etc/docker/daemon.json", R"({"log-level": "warn", "registry-mirrors": ["https://m"]})");
  auto report = apply_ok(Runtime::kDocker);
  const auto json = read("/etc/docker/daemon.json");
  EXPECT_NE(json.find("\"log-level\": \"warn\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"https://m\""), std::string::npos);
  EXPECT_NE(json.find("\"http://10.0.0.5:5050\""), std::string::npos);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_NE(report.warnings[0].find("Docker Hub"), std::string::npos);
  plan_.upstream = "docker.io";
  EXPECT_TRUE(apply_ok(Runtime::kDocker).warnings.empty());
}

TEST_F(MirrorConfigTest, AMalformedFileIsRefusedAndLeftAlone) {
  write("/etc/docker/daemon.json", "{not json");
  auto report = apply(Runtime::kDocker, plan_, dir_.str());
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code(), common::ErrorCode::kInvalidArgument);
  EXPECT_NE(report.error().message().find("daemon.json"), std::string::npos);
  EXPECT_EQ(read("/etc/docker/daemon.json"), "{not json");
  EXPECT_FALSE(std::filesystem::exists(path("/etc/docker/daemon.json.satellite-backup")));
}

TEST_F(MirrorConfigTest, AFileThatCannotBeReadIsAnErrorNotAnAbsentFile) {
  // A directory where daemon.json belongs: not "no file" to be written over.
  ASSERT_TRUE(common::fs::make_dirs(path("/etc/docker/daemon.json")));
  auto report = apply(Runtime::kDocker, plan_, dir_.str());
  ASSERT_FALSE(report.has_value());
  EXPECT_TRUE(std::filesystem::is_directory(path("/etc/docker/daemon.json")));
  EXPECT_FALSE(std::filesystem::exists(path("/etc/docker/daemon.json.satellite-created")));
}

TEST_F(MirrorConfigTest, PodmanAndCrioGetARegistriesConfDropIn) {
  apply_ok(Runtime::kPodman);
  const auto conf = read("/etc/containers/registries.conf.d/50-satellite.conf");
  EXPECT_NE(conf.find("location = \"harbor.example\""), std::string::npos) << conf;
  EXPECT_NE(conf.find("[[registry.mirror]]\nlocation = \"10.0.0.5:5050\"\ninsecure = true"),
            std::string::npos)
      << conf;
  ASSERT_TRUE(undo(Runtime::kCrio, plan_, dir_.str()));
  EXPECT_FALSE(
      std::filesystem::exists(path("/etc/containers/registries.conf.d/50-satellite.conf")));
}

TEST_F(MirrorConfigTest, K3sKeepsTheMirrorsItHadAndGainsOurs) {
  write("/etc/rancher/k3s/registries.yaml",
        "mirrors:\n  docker.io:\n    endpoint:\n      - https://other.example\n");
  plan_.ca_file = "/etc/satellite/ca.pem";
  apply_ok(Runtime::kK3s);
  const auto yaml = read("/etc/rancher/k3s/registries.yaml");
  EXPECT_NE(yaml.find("https://other.example"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("harbor.example"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("ca_file: /etc/satellite/ca.pem"), std::string::npos) << yaml;
}

TEST_F(MirrorConfigTest, ACaFileMakesEveryRuntimeTrustTheMirrorOverHttps) {
  write("/ca/serving-ca.pem", "-----BEGIN CERTIFICATE-----\nCA\n");
  plan_.ca_file = path("/ca/serving-ca.pem");
  for (const auto runtime :
       {Runtime::kContainerd, Runtime::kPodman, Runtime::kDocker, Runtime::kK3s})
    apply_ok(runtime);
  const auto hosts = read("/etc/containerd/certs.d/harbor.example/hosts.toml");
  EXPECT_NE(hosts.find("[host.\"https://10.0.0.5:5050\"]"), std::string::npos) << hosts;
  EXPECT_NE(hosts.find("ca = \"" + plan_.ca_file + "\""), std::string::npos) << hosts;
  const auto conf = read("/etc/containers/registries.conf.d/50-satellite.conf");
  EXPECT_EQ(conf.find("insecure"), std::string::npos) << conf;
  EXPECT_EQ(read("/etc/containers/certs.d/10.0.0.5:5050/ca.crt"), read("/ca/serving-ca.pem"));
  EXPECT_EQ(read("/etc/docker/certs.d/10.0.0.5:5050/ca.crt"), read("/ca/serving-ca.pem"));
  const auto json = read("/etc/docker/daemon.json");
  EXPECT_NE(json.find("\"https://10.0.0.5:5050\""), std::string::npos) << json;
  EXPECT_EQ(json.find("insecure-registries"), std::string::npos) << json;
  const auto yaml = read("/etc/rancher/k3s/registries.yaml");
  EXPECT_NE(yaml.find("https://10.0.0.5:5050"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("ca_file: " + plan_.ca_file), std::string::npos) << yaml;

  // Again: nothing changes. A renewed CA: the copies follow.
  for (const auto runtime : {Runtime::kPodman, Runtime::kDocker})
    for (const auto& file : apply_ok(runtime).files)
      EXPECT_EQ(file.what, What::kUnchanged) << file.path;
  write("/ca/serving-ca.pem", "-----BEGIN CERTIFICATE-----\nCA2\n");
  EXPECT_EQ(what_of(apply_ok(Runtime::kDocker), "/ca.crt"), What::kChanged);
  EXPECT_EQ(read("/etc/docker/certs.d/10.0.0.5:5050/ca.crt"), read("/ca/serving-ca.pem"));

  // Undo, even without --ca-file, removes the copies.
  plan_.ca_file.clear();
  auto undone = undo(Runtime::kDocker, plan_, dir_.str());
  ASSERT_TRUE(undone);
  // dockerd's reload keeps mirrors the file no longer names: the user is told to restart it.
  ASSERT_EQ(undone->warnings.size(), 1u);
  EXPECT_NE(undone->warnings[0].find("restarts"), std::string::npos);
  ASSERT_TRUE(undo(Runtime::kPodman, plan_, dir_.str()));
  EXPECT_FALSE(std::filesystem::exists(path("/etc/docker/certs.d/10.0.0.5:5050")));
  EXPECT_FALSE(std::filesystem::exists(path("/etc/containers/certs.d/10.0.0.5:5050")));
  EXPECT_FALSE(std::filesystem::exists(path("/etc/docker/daemon.json")));
}

TEST_F(MirrorConfigTest, AMissingCaFileIsAnErrorForRuntimesThatCopyIt) {
  plan_.ca_file = path("/nowhere/ca.pem");
  const auto report = apply(Runtime::kDocker, plan_, dir_.str());
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code(), common::ErrorCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(path("/etc/docker/daemon.json")));
}

TEST_F(MirrorConfigTest, DetectFindsWhatIsInstalledUnderTheRoot) {
  EXPECT_TRUE(detect(dir_.str()).empty());
  write("/usr/bin/podman", "");
  write("/etc/containerd/config.toml", "");
  const auto found = detect(dir_.str());
  EXPECT_EQ(found, (std::vector<Runtime>{Runtime::kContainerd, Runtime::kPodman}));
}

}  // namespace
}  // namespace satellite::runtime_config
