#include "groundcontrol/app/certificate_authority_keeper.hpp"

#include "groundcontrol/service/certificate_authorities.hpp"
#include "groundcontrol/store/secret_store.hpp"

namespace groundcontrol::app {

common::Result<pki::CertificateAuthority> load_ca(common::sql::Database& db,
                                                  const common::crypto::SecretBox& box,
                                                  const common::Clock& clock) {
  using common::fail;
  std::optional<store::StoredSecret> stored;
  auto read = db.transact(
      [&](common::sql::Connection& c) -> common::Status {
        auto found = store::SecretStore{}.get(c, service::kActiveCaSecret);
        if (!found) return fail(found.error());
        stored = std::move(*found);
        return {};
      },
      {.read_only = true});
  if (!read) return fail(read.error());
  if (!stored) return fail(common::ErrorCode::kNotFound, "the database holds no CA");
  return service::open_stored_ca(*stored, box, clock);
}

common::Result<pki::CertificateAuthority> load_or_create_ca(common::sql::Database& db,
                                                            const common::crypto::SecretBox& box,
                                                            const common::Clock& clock,
                                                            std::string_view trust_domain) {
  if (auto made = service::CertificateAuthorities(db, box, clock).create_if_absent(trust_domain);
      !made)
    return common::fail(made.error());
  return load_ca(db, box, clock);
}

}  // namespace groundcontrol::app
