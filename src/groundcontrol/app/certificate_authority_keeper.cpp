#include "groundcontrol/app/certificate_authority_keeper.hpp"

#include <fmt/format.h>

#include "common/time_format.hpp"
#include "groundcontrol/store/secret_store.hpp"

namespace groundcontrol::app {
namespace {

constexpr std::string_view kCaSecret = "ca";
constexpr auto kCaValidity = std::chrono::hours(24 * 365 * 10);

}  // namespace

common::Result<pki::CertificateAuthority> load_ca(common::sql::Database& db,
                                                  const common::crypto::SecretBox& box,
                                                  const common::Clock& clock) {
  using common::fail;
  std::optional<store::StoredSecret> stored;
  auto read = db.transact(
      [&](common::sql::Connection& c) -> common::Status {
        auto found = store::SecretStore{}.get(c, kCaSecret);
        if (!found) return fail(found.error());
        stored = std::move(*found);
        return {};
      },
      {.read_only = true});
  if (!read) return fail(read.error());
  if (!stored) return fail(common::ErrorCode::kNotFound, "the database holds no CA");
  auto key = box.open(stored->sealed);
  if (!key)
    return fail(key.error().code(),
                fmt::format("cannot open the CA key: {} (is this the deployment's master key?)",
                            key.error().message()));
  return pki::CertificateAuthority::load(stored->public_part, *key, clock);
}

common::Result<pki::CertificateAuthority> load_or_create_ca(common::sql::Database& db,
                                                            const common::crypto::SecretBox& box,
                                                            const common::Clock& clock,
                                                            std::string_view trust_domain) {
  using common::fail;
  auto loaded = load_ca(db, box, clock);
  if (loaded || loaded.error().code() != common::ErrorCode::kNotFound) return loaded;
  auto made = pki::CertificateAuthority::create(
      fmt::format("{} ground control CA", trust_domain).substr(0, 64), kCaValidity, clock);
  if (!made) return fail(made.error());
  auto key = made->key_pem();
  if (!key) return fail(key.error());
  auto put = db.transact([&](common::sql::Connection& c) -> common::Status {
    auto inserted = store::SecretStore{}.put_if_absent(
        c, {std::string(kCaSecret), box.seal(*key), made->cert_pem()},
        common::format_rfc3339(clock.now()));
    if (!inserted) return fail(inserted.error());
    return {};
  });
  if (!put) return fail(put.error());
  return load_ca(db, box, clock);
}

}  // namespace groundcontrol::app
