// HarborTest: a fixture with a fresh fake Harbor (tests/testutil/fake_harbor.hpp) whose
// swagger violations must stay empty in every test, and the clients made on it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "groundcontrol/registry/harbor_api_client.hpp"
#include "groundcontrol/registry/harbor_registry_adapter.hpp"
#include "testutil/fake_clock.hpp"
#include "testutil/fake_harbor.hpp"
#include "testutil/temp_dir.hpp"

namespace groundcontrol::registry {

class HarborTest : public ::testing::Test {
 protected:
  void TearDown() override {
    EXPECT_EQ(harbor_.violations(), nlohmann::json::array())
        << "requests or answers outside Harbor's swagger";
  }

  common::oci::RegistryEndpoint endpoint(std::string password = testutil::FakeHarbor::kPassword) {
    return {harbor_.url(), testutil::FakeHarbor::kAdmin, std::move(password)};
  }
  HarborApiClientOptions options(std::size_t page_size = 2) {
    HarborApiClientOptions out;
    out.page_size = page_size;
    return out;
  }
  std::unique_ptr<HarborRegistryAdapter> adapter(
      std::string password = testutil::FakeHarbor::kPassword) {
    auto made = HarborRegistryAdapter::create(endpoint(std::move(password)), options(), clock_);
    EXPECT_TRUE(made.has_value()) << made.error().message();
    return std::move(*made);
  }
  std::unique_ptr<HarborApiClient> api() {
    auto made = HarborApiClient::create(endpoint(), options());
    EXPECT_TRUE(made.has_value()) << made.error().message();
    return std::move(*made);
  }
  // The recorded Harbor calls of `method` whose path is `path`.
  nlohmann::json calls_of(const std::string& method, const std::string& path) {
    auto out = nlohmann::json::array();
    for (const auto& call : harbor_.calls()) {
      if (call["method"] == method && call["path"] == path) out.push_back(call);
    }
    return out;
  }

  testutil::TempDir dir_;
  testutil::FakeClock clock_;
  testutil::FakeHarbor harbor_{dir_.path() / "harbor"};
};

}  // namespace groundcontrol::registry
