#include "groundcontrol/pki/spiffe_id.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace groundcontrol::pki {
namespace {

TEST(SpiffeIdTest, AcceptsWorkloadIds) {
  for (const std::string& id : std::vector<std::string>{
           "spiffe://gc.example/satellite/a", "spiffe://trust-domain_1.org/A/b.c/d-e_f",
           "spiffe://x/y", "spiffe://" + std::string(255, 'd') + "/p"})
    EXPECT_TRUE(validate_spiffe_id(id)) << id;
}

TEST(SpiffeIdTest, RefusesWhatTheSpecRefuses) {
  for (const std::string& id :
       std::vector<std::string>{"",
                                "spiffe://",
                                "spiffe:///path",
                                "SPIFFE://gc.example/a",
                                "https://gc.example/a",
                                "spiffe://gc.example",
                                "spiffe://gc.example/",
                                "spiffe://gc.example/a/",
                                "spiffe://gc.example//a",
                                "spiffe://gc.example/./a",
                                "spiffe://gc.example/a/..",
                                "spiffe://GC.example/a",
                                "spiffe://gc.example:443/a",
                                "spiffe://user@gc.example/a",
                                "spiffe://gc.example/a?q=1",
                                "spiffe://gc.example/a#f",
                                "spiffe://gc.example/a b",
                                "spiffe://gc.example/a%20b",
                                "spiffe://gc.example/a,DNS:evil",
                                "spiffe://" + std::string(256, 'd') + "/p",
                                "spiffe://d/" + std::string(2040, 'p'),
                                std::string("spiffe://gc.example/a\0b", 24)}) {
    auto valid = validate_spiffe_id(id);
    ASSERT_FALSE(valid) << id;
    EXPECT_EQ(valid.error().code(), common::ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace groundcontrol::pki
