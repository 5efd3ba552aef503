#include "satellite/admin/admin_socket.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "testutil/temp_dir.hpp"

namespace satellite::admin {
namespace {

using common::ErrorCode;

class AdminSocketTest : public ::testing::Test {
 protected:
  testutil::TempDir dir_;
  std::string socket_ = (dir_.path() / "admin.sock").string();
};

TEST_F(AdminSocketTest, RequestArrivesWithTheCallersFileAndTheAnswerComesBack) {
  std::ofstream(dir_.path() / "layout.tar") << "tar bytes";
  auto server = AdminServer::start(
      socket_,
      [](const LayoutRequest& request, common::fs::UniqueFd target) -> common::Result<std::string> {
        char buffer[64] = {};
        const auto got = ::read(target.get(), buffer, sizeof(buffer) - 1);
        return "op=" + std::string(request.op == LayoutRequest::Op::kImport ? "import" : "export") +
               " repo=" + request.repositories.at(0) + " read=" + std::string(buffer, got);
      },
      common::log::null_logger());
  ASSERT_TRUE(server) << server.error().message();
  struct stat st {};
  ASSERT_EQ(::stat(socket_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  common::fs::UniqueFd file(::open((dir_.path() / "layout.tar").c_str(), O_RDONLY | O_CLOEXEC));
  auto answer = send_request(socket_, {LayoutRequest::Op::kImport, {"demo/app"}}, file.get());
  ASSERT_TRUE(answer) << answer.error().message();
  EXPECT_EQ(*answer, "op=import repo=demo/app read=tar bytes");
}

TEST_F(AdminSocketTest, HandlerErrorReachesTheClientAsOneLine) {
  auto server = AdminServer::start(
      socket_,
      [](const LayoutRequest&, common::fs::UniqueFd) -> common::Result<std::string> {
        return common::fail(ErrorCode::kDigestInvalid, "blob sha256:ab does not match",
                            "line one\nline two");
      },
      common::log::null_logger());
  ASSERT_TRUE(server);
  common::fs::UniqueFd file(::open(dir_.path().c_str(), O_RDONLY | O_CLOEXEC));
  auto answer = send_request(socket_, {LayoutRequest::Op::kExport, {}}, file.get());
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().message(), "blob sha256:ab does not match: line one line two");
}

TEST_F(AdminSocketTest, StoppingRemovesTheSocketAndClientsAreToldNobodyListens) {
  {
    auto server = AdminServer::start(
        socket_,
        [](const LayoutRequest&, common::fs::UniqueFd) {
          return common::Result<std::string>("ok");
        },
        common::log::null_logger());
    ASSERT_TRUE(server);
  }
  EXPECT_FALSE(std::filesystem::exists(socket_));
  common::fs::UniqueFd file(::open(dir_.path().c_str(), O_RDONLY | O_CLOEXEC));
  auto answer = send_request(socket_, {LayoutRequest::Op::kExport, {}}, file.get());
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code(), ErrorCode::kUnavailable);
}

TEST_F(AdminSocketTest, StaleSocketFileIsReplaced) {
  std::ofstream(socket_) << "left by a killed satellite";
  auto server = AdminServer::start(
      socket_,
      [](const LayoutRequest&, common::fs::UniqueFd) {
        return common::Result<std::string>("fine");
      },
      common::log::null_logger());
  ASSERT_TRUE(server) << server.error().message();
  common::fs::UniqueFd file(::open(dir_.path().c_str(), O_RDONLY | O_CLOEXEC));
  EXPECT_EQ(send_request(socket_, {LayoutRequest::Op::kExport, {}}, file.get()).value_or(""),
            "fine");
}

TEST_F(AdminSocketTest, DeepDataDirPathBeyondSunPathStillWorks) {
  const auto deep = dir_.path() / std::string(90, 'd') / std::string(90, 'e');
  std::filesystem::create_directories(deep);
  const auto path = (deep / "admin.sock").string();
  ASSERT_GT(path.size(), 108u);
  auto server = AdminServer::start(
      path,
      [](const LayoutRequest&, common::fs::UniqueFd) {
        return common::Result<std::string>("deep");
      },
      common::log::null_logger());
  ASSERT_TRUE(server) << server.error().message() << " " << server.error().detail();
  EXPECT_TRUE(std::filesystem::exists(path));
  common::fs::UniqueFd file(::open(dir_.path().c_str(), O_RDONLY | O_CLOEXEC));
  EXPECT_EQ(send_request(path, {LayoutRequest::Op::kExport, {}}, file.get()).value_or(""), "deep");
}

TEST(LayoutRequestTest, EncodesAndParsesBack) {
  const LayoutRequest request{LayoutRequest::Op::kExport, {"a/b", "c"}};
  auto parsed = LayoutRequest::parse(request.encode());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->op, LayoutRequest::Op::kExport);
  EXPECT_EQ(parsed->repositories, request.repositories);
  EXPECT_FALSE(LayoutRequest::parse("import a b\n"));
  EXPECT_FALSE(LayoutRequest::parse("import ../x\n"));
  EXPECT_FALSE(LayoutRequest::parse("delete everything\n"));
}

}  // namespace
}  // namespace satellite::admin
