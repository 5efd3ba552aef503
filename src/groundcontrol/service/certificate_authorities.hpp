// CertificateAuthorities: the CAs ground control holds, as the database keeps them in
// `secrets` (certificate in clear, key sealed under the master key): the active one, which
// signs every certificate (secret "ca"), and after a rotation, until it is retired, the
// previous one, trusted only (secret "ca-previous"). Each replica holds them in memory and
// refresh() re-reads them (the app's periodic check); current_within() reads them inside a
// signing transaction (loading them when they differ from those held, without adopting
// them), so a certificate is always signed by the CA the database calls active at that
// moment, whichever replica rotated. generation() grows each time refresh() adopts a
// change, so that the app knows to re-write its TLS files.
// Ownership: borrows the database, the box and the clock. Thread-safety: any thread; a
// CaSet snapshot is immutable and outlives any change.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/crypto/secret_box.hpp"
#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/pki/ca_bundle.hpp"
#include "groundcontrol/pki/certificate_authority.hpp"
#include "groundcontrol/store/secret_store.hpp"

namespace groundcontrol::service {

inline constexpr std::string_view kActiveCaSecret = "ca";
inline constexpr std::string_view kPreviousCaSecret = "ca-previous";
// How long a CA ground control makes (at first start, at a rotation) is valid.
inline constexpr std::chrono::hours kCaValidity{24 * 365 * 10};

// The CAs at one moment.
struct CaSet {
  pki::CertificateAuthority active;
  std::optional<pki::CertificateAuthority> previous;
  pki::CaBundle bundle;  // active, then previous: what listeners and satellites trust

  // The CA the listeners' server certificate comes from: the previous one while there is
  // one (a satellite that has not fetched the new bundle yet trusts only that one), else
  // the active one.
  const pki::CertificateAuthority& server_issuer() const noexcept {
    return previous ? *previous : active;
  }
};

// The name of a CA ground control makes for `trust_domain` (at most 64 bytes); `made_at`
// (RFC 3339), when given, tells a rotated CA from its predecessor.
std::string ca_common_name(std::string_view trust_domain, std::string_view made_at = {});

// The CA `stored` holds, its key opened with `box`. kPermissionDenied when the key was
// sealed under another master key (the message says so), kCorruption when it does not
// open, kInvalidArgument when the certificate or key does not load.
[[nodiscard]] common::Result<pki::CertificateAuthority> open_stored_ca(
    const store::StoredSecret& stored, const common::crypto::SecretBox& box,
    const common::Clock& clock);

class CertificateAuthorities {
 public:
  CertificateAuthorities(common::sql::Database& db, const common::crypto::SecretBox& box,
                         const common::Clock& clock)
      : db_(db), box_(box), clock_(clock) {}

  // Makes the first CA for `trust_domain` when the database holds none (at first start;
  // replicas starting together all end up with the one whose insert won). kInternal when
  // OpenSSL fails; the database's errors.
  [[nodiscard]] common::Status create_if_absent(std::string_view trust_domain);
  // Reads the stored CAs and holds them when they differ from those held. kNotFound when the
  // database holds no active CA; errors of open_stored_ca; the database's.
  [[nodiscard]] common::Status refresh();
  // The CAs as the caller's transaction sees them (those held when the same); changes
  // nothing held, so it is safe in a transaction that may run again. Errors as refresh().
  [[nodiscard]] common::Result<std::shared_ptr<const CaSet>> current_within(
      common::sql::Connection& db);
  // The CAs held; null before the first successful refresh().
  std::shared_ptr<const CaSet> current() const;
  // Grows by one each time refresh() holds other CAs (0 before the first).
  std::uint64_t generation() const;

 private:
  common::sql::Database& db_;
  const common::crypto::SecretBox& box_;
  const common::Clock& clock_;
  store::SecretStore secrets_;
  mutable std::mutex mutex_;  // guards held_ and generation_
  std::shared_ptr<const CaSet> held_;
  std::uint64_t generation_ = 0;
};

}  // namespace groundcontrol::service
