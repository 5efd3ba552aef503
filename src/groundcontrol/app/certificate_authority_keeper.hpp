// load_or_create_ca(): ground control's CA as the deployment keeps it: the certificate in
// clear and the key sealed under the master key, in the database's `secrets`, so every
// replica serves one CA. On first start one replica makes it; replicas starting at the same
// moment all end up with the one whose insert won.
#pragma once

#include "common/clock.hpp"
#include "common/crypto/secret_box.hpp"
#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/pki/certificate_authority.hpp"

namespace groundcontrol::app {

// The stored CA: kNotFound when the database holds none yet; otherwise as below.
[[nodiscard]] common::Result<pki::CertificateAuthority> load_ca(
    common::sql::Database& db, const common::crypto::SecretBox& box, const common::Clock& clock);

// The CA; kPermissionDenied when the stored key was sealed under another master key (the
// message says so), kCorruption when it does not open, the database's error otherwise.
[[nodiscard]] common::Result<pki::CertificateAuthority> load_or_create_ca(
    common::sql::Database& db, const common::crypto::SecretBox& box, const common::Clock& clock,
    std::string_view trust_domain);

}  // namespace groundcontrol::app
