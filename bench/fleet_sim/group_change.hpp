// The change the longpoll and change phases make: a group's Harbor-sourced artifacts
// replaced by one new image with a random digest, so that every member's desired state
// moves; and the small list parsing both kinds of phases share.
#pragma once

#include <nlohmann/json.hpp>

#include <random>
#include <string>
#include <vector>

#include "common/crypto/base64.hpp"

namespace fleet_sim {

// The body of PUT /api/v1/groups/{name}/state?full=true.
inline nlohmann::json changed_state() {
  std::random_device random;
  std::string bytes(32, '\0');
  for (auto& b : bytes) b = static_cast<char>(random());
  return {{"registry", "fleet-sim"},
          {"artifacts",
           {{{"repository", "bench/app"},
             {"digest", "sha256:" + common::crypto::hex_encode(bytes)},
             {"tag", {"latest"}},
             {"type", "IMAGE"},
             {"deleted", false}}}}};
}

// "a,b,c" → {"a", "b", "c"} (empty items dropped).
inline std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    const auto end = std::min(text.find(',', begin), text.size());
    if (end > begin) items.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return items;
}

}  // namespace fleet_sim
