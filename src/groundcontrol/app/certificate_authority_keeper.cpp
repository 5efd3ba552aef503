#include "groundcontrol/app/certificate_authority_keeper.hpp"

#include <fmt/format.h>

#include "common/time_format.hpp"
#include "groundcontrol/store/secret_store.hpp"

namespace groundcontrol::app {
namespace {

constexpr std::string_view kCaSecret = "ca";
constexpr auto kCaValidity = std::chrono::hours(24 * 365 * 10);

}  // namespace

common::Result<pki::CertificateAuthority> load_or_create_ca(common::sql::Database& db,
                                                            const common::crypto::SecretBox& box,
                                                            const common::Clock& clock,
                                                            std::string_view trust_domain) {
  using common::fail;
  store::SecretStore secrets;
  std::optional<store::StoredSecret> stored;
  const auto read = [&]() {
    return db.transact(
        [&](common::sql::Connection& c) -> common::Status {
          auto found = secrets.get(c, kCaSecret);
          if (!found) return fail(found.error());
          stored = std::move(*found);
          return {};
        },
        {.read_only = true});
  };
  if (auto ok = read(); !ok) return fail(ok.error());
  if (!stored) {
    auto made = pki::CertificateAuthority::create(
        fmt::format("{} ground control CA", trust_domain).substr(0, 64), kCaValidity, clock);
    if (!made) return fail(made.error());
    auto key = made->key_pem();
    if (!key) return fail(key.error());
    auto put = db.transact([&](common::sql::Connection& c) -> common::Status {
      auto inserted =
          secrets.put_if_absent(c, {std::string(kCaSecret), box.seal(*key), made->cert_pem()},
                                common::format_rfc3339(clock.now()));
      if (!inserted) return fail(inserted.error());
      return {};
    });
    if (!put) return fail(put.error());
    if (auto ok = read(); !ok) return fail(ok.error());
  }
  auto key = box.open(stored->sealed);
  if (!key)
    return fail(key.error().code(),
                fmt::format("cannot open the CA key: {} (is this the deployment's master key?)",
                            key.error().message()));
  return pki::CertificateAuthority::load(stored->public_part, *key, clock);
}

}  // namespace groundcontrol::app
