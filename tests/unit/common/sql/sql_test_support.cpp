#include "sql_test_support.hpp"

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <stdexcept>

namespace common::sql::test {
namespace {

// Owns the cluster for the binary's lifetime; gtest calls TearDown once after the last test.
class PostgresEnvironment : public ::testing::Environment {
 public:
  static testutil::PostgresInstance& get() {
    if (failure_) throw std::runtime_error(*failure_);  // do not retry a failed start per test
    if (instance_ == nullptr) {
      try {
        instance_ = testutil::PostgresInstance::start();
      } catch (const std::exception& error) {
        failure_ = error.what();
        throw;
      }
    }
    return *instance_;
  }
  void TearDown() override { instance_.reset(); }

 private:
  static inline std::unique_ptr<testutil::PostgresInstance> instance_;
  static inline std::optional<std::string> failure_;
};

[[maybe_unused]] ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);

}  // namespace

testutil::PostgresInstance& postgres() {
  return PostgresEnvironment::get();
}

std::string fresh_database(Backend backend, const std::filesystem::path& dir) {
  static std::atomic<int> counter{0};
  const int n = ++counter;
  if (backend == Backend::kSqlite) return (dir / ("test" + std::to_string(n) + ".db")).string();
  return postgres().create_database("test" + std::to_string(n));
}

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

::testing::AssertionResult ok(const Status& status) {
  if (status) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "error " << info(status.error().code()).name << ": " << status.error().message() << " ["
         << status.error().detail() << "]";
}

::testing::AssertionResult fails_with(const Status& status, ErrorCode code) {
  if (!status && status.error().code() == code) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure() << "expected " << info(code).name << ", got ";
  if (status) return failure << "success";
  return failure << info(status.error().code()).name << ": " << status.error().message() << " ["
                 << status.error().detail() << "]";
}

void Inbox::push(std::string item) {
  {
    std::lock_guard lock(mu_);
    items_.push_back(std::move(item));
  }
  arrived_.notify_all();
}

bool Inbox::wait_for(const std::string& item, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return arrived_.wait_for(
      lock, timeout, [&] { return std::find(items_.begin(), items_.end(), item) != items_.end(); });
}

std::vector<std::string> Inbox::items() const {
  std::lock_guard lock(mu_);
  return items_;
}

}  // namespace common::sql::test
