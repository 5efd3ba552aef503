#include "registry/http/authenticator.hpp"

#include <crypt.h>
#include <gtest/gtest.h>
#include <sodium.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <cstring>
#include <future>

#include "testutil/fake_clock.hpp"

namespace registry::http {
namespace {

using Verdict = Authenticator::Verdict;

std::string basic(const std::string& user_password) {
  std::string out(sodium_base64_ENCODED_LEN(user_password.size(), sodium_base64_VARIANT_ORIGINAL),
                  '\0');
  sodium_bin2base64(out.data(), out.size(),
                    reinterpret_cast<const unsigned char*>(user_password.data()),
                    user_password.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return "Basic " + out;
}

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    char salt[64];
    crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof salt);
    crypt_data data{};
    auth_ = HtpasswdAuth::parse(
                std::string("alice:") + crypt_rn("s3cret", salt, &data, sizeof data), "test")
                .value();
  }

  // Starts a check on io_ and returns where its outcome will land.
  std::shared_ptr<std::optional<Authenticator::Outcome>> start(Authenticator& authenticator,
                                                               std::string header,
                                                               std::string address) {
    auto result = std::make_shared<std::optional<Authenticator::Outcome>>();
    boost::asio::co_spawn(
        io_,
        [&authenticator, header = std::move(header), address = std::move(address),
         result]() -> boost::asio::awaitable<void> {
          *result = co_await authenticator.check(header, address);
        },
        boost::asio::detached);
    return result;
  }

  Authenticator::Outcome check(Authenticator& authenticator, std::string header,
                               std::string address = "10.0.0.1") {
    auto result = start(authenticator, std::move(header), std::move(address));
    io_.restart();
    io_.run();
    return result->value();
  }

  boost::asio::io_context io_;
  boost::asio::thread_pool pool_{1};
  testutil::FakeClock clock_;
  std::unique_ptr<HtpasswdAuth> auth_;
};

TEST_F(AuthenticatorTest, FailuresFromOneAddressAreThrottledButVerifiedCredentialsPass) {
  LoginRateLimiter limiter({.burst = 3, .refill = std::chrono::seconds(2)}, clock_);
  Authenticator authenticator(*auth_, limiter, pool_, {});
  EXPECT_EQ(check(authenticator, "").verdict, Verdict::kDenied);  // takes no token
  EXPECT_EQ(check(authenticator, basic("alice:s3cret")).verdict, Verdict::kAllowed);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(check(authenticator, basic("alice:wrong")).verdict, Verdict::kDenied) << i;
  }
  const auto throttled = check(authenticator, basic("alice:wrong"));
  EXPECT_EQ(throttled.verdict, Verdict::kThrottled);
  EXPECT_EQ(throttled.retry_after, std::chrono::seconds(2));
  // Unknown users are throttled the same way: the limit does not tell them apart.
  EXPECT_EQ(check(authenticator, basic("mallory:x")).verdict, Verdict::kThrottled);
  // Credentials verified before cost no hash and still pass; others from here wait.
  EXPECT_EQ(check(authenticator, basic("alice:s3cret")).verdict, Verdict::kAllowed);
  // Another address is not affected.
  EXPECT_EQ(check(authenticator, basic("alice:wrong"), "10.0.0.2").verdict, Verdict::kDenied);
  clock_.advance(std::chrono::seconds(2));
  EXPECT_EQ(check(authenticator, basic("alice:wrong")).verdict, Verdict::kDenied);
  EXPECT_EQ(check(authenticator, basic("alice:wrong")).verdict, Verdict::kThrottled);
}

TEST_F(AuthenticatorTest, RefusesAtOnceWhenTooManyChecksAreQueued) {
  LoginRateLimiter limiter({.burst = 10}, clock_);
  Authenticator authenticator(*auth_, limiter, pool_, {.max_pending = 1});
  std::promise<void> release;
  boost::asio::post(pool_, [gate = release.get_future().share()] { gate.wait(); });
  auto queued = start(authenticator, basic("alice:s3cret"), "10.0.0.1");
  io_.poll();  // the first check now waits behind the blocked pool thread
  auto busy = start(authenticator, basic("alice:s3cret"), "10.0.0.2");
  io_.poll();
  ASSERT_TRUE(busy->has_value());
  EXPECT_EQ((*busy)->verdict, Verdict::kBusy);
  EXPECT_EQ((*busy)->retry_after, std::chrono::seconds(1));
  EXPECT_FALSE(queued->has_value());
  release.set_value();
  io_.run();
  EXPECT_EQ(queued->value().verdict, Verdict::kAllowed);
  EXPECT_EQ(limiter.tracked(), 0u);  // both tokens given back
}

}  // namespace
}  // namespace registry::http
