#include "satellite/fleet/nats_user_key.hpp"

#include <sodium.h>

#include "common/fs/secret_file.hpp"

namespace satellite::fleet {
namespace {

using common::ErrorCode;

// Wipes the seed's text copy when it goes out of scope: it is the whole secret.
struct WipedString {
  std::string text;
  ~WipedString() { sodium_memzero(text.data(), text.size()); }
};

}  // namespace

std::string nats_user_key_file(const std::string& identity_dir) {
  return identity_dir + "/nats-user.nk";
}

common::Result<common::nats::Nkey> load_or_make_nats_user_key(const std::string& identity_dir,
                                                              common::fs::FileSystem& fs) {
  const std::string path = nats_user_key_file(identity_dir);
  auto stored = common::fs::read_secret_file(path, 4096, fs);
  if (stored) {
    WipedString seed{std::move(*stored)};
    while (!seed.text.empty() && (seed.text.back() == '\n' || seed.text.back() == '\r'))
      seed.text.pop_back();
    auto key = common::nats::Nkey::from_seed(seed.text);
    if (!key) return common::fail(ErrorCode::kInvalidArgument, path + ": " + key.error().message());
    if (key->type() != common::nats::NkeyType::kUser)
      return common::fail(ErrorCode::kInvalidArgument, path + ": not a NATS user seed");
    return std::move(*key);
  }
  if (stored.error().code() != ErrorCode::kNotFound) return common::fail(stored.error());
  auto key = common::nats::Nkey::generate(common::nats::NkeyType::kUser);
  const WipedString seed{key.seed() + "\n"};
  if (auto written = common::fs::write_secret_file(path, seed.text, fs); !written)
    return common::fail(written.error());
  return key;
}

}  // namespace satellite::fleet
