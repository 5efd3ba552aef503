#include "groundcontrol/service/certificate_authorities.hpp"

#include <fmt/format.h>

#include "common/time_format.hpp"

namespace groundcontrol::service {
namespace {

using common::ErrorCode;
using common::fail;

constexpr std::size_t kMaxCommonName = 64;

struct StoredPair {
  std::optional<store::StoredSecret> active;
  std::optional<store::StoredSecret> previous;
};

bool same_certificate(const pki::CertificateAuthority* held,
                      const std::optional<store::StoredSecret>& stored) {
  if (held == nullptr || !stored) return held == nullptr && !stored;
  return held->cert_pem() == stored->public_part;
}

}  // namespace

std::string ca_common_name(std::string_view trust_domain, std::string_view made_at) {
  const std::string suffix = made_at.empty() ? std::string(" ground control CA")
                                             : fmt::format(" ground control CA {}", made_at);
  // The suffix tells CAs apart: shorten the trust domain, never the suffix.
  const auto room = kMaxCommonName > suffix.size() ? kMaxCommonName - suffix.size() : 0;
  return std::string(trust_domain.substr(0, room)) + suffix;
}

common::Result<pki::CertificateAuthority> open_stored_ca(const store::StoredSecret& stored,
                                                         const common::crypto::SecretBox& box,
                                                         const common::Clock& clock) {
  auto key = box.open(stored.sealed);
  if (!key)
    return fail(key.error().code(),
                fmt::format("cannot open the key of CA \"{}\": {} (is this the deployment's "
                            "master key?)",
                            stored.name, key.error().message()));
  return pki::CertificateAuthority::load(stored.public_part, *key, clock);
}

common::Status CertificateAuthorities::create_if_absent(std::string_view trust_domain) {
  bool present = false;
  auto read = db_.transact(
      [&](common::sql::Connection& c) -> common::Status {
        auto found = secrets_.get(c, kActiveCaSecret);
        if (!found) return fail(found.error());
        present = found->has_value();
        return {};
      },
      {.read_only = true});
  if (!read || present) return read;
  auto made = pki::CertificateAuthority::create(ca_common_name(trust_domain), kCaValidity, clock_);
  if (!made) return fail(made.error());
  auto key = made->key_pem();
  if (!key) return fail(key.error());
  const store::StoredSecret fresh{std::string(kActiveCaSecret), box_.seal(*key), made->cert_pem()};
  const auto now = common::format_rfc3339(clock_.now());
  return db_.transact([&](common::sql::Connection& c) -> common::Status {
    auto inserted = secrets_.put_if_absent(c, fresh, now);
    if (!inserted) return fail(inserted.error());
    return {};
  });
}

common::Status CertificateAuthorities::refresh() {
  std::shared_ptr<const CaSet> read;
  auto done = db_.transact(
      [&](common::sql::Connection& c) -> common::Status {
        auto cas = current_within(c);
        if (!cas) return fail(cas.error());
        read = std::move(*cas);
        return {};
      },
      {.read_only = true});
  if (!done) return done;
  // Adopted only here, after a read of its own: a transaction's read (current_within) may
  // see an older snapshot or roll back, and must change nothing outside it.
  std::lock_guard lock(mutex_);
  if (read != held_) {
    held_ = std::move(read);
    ++generation_;
  }
  return {};
}

common::Result<std::shared_ptr<const CaSet>> CertificateAuthorities::current_within(
    common::sql::Connection& db) {
  StoredPair stored;
  for (auto [name, slot] : {std::pair{kActiveCaSecret, &stored.active},
                            std::pair{kPreviousCaSecret, &stored.previous}}) {
    auto found = secrets_.get(db, name);
    if (!found) return fail(found.error());
    *slot = std::move(*found);
  }
  if (!stored.active) return fail(ErrorCode::kNotFound, "the database holds no CA");
  if (auto held = current();
      held && same_certificate(&held->active, stored.active) &&
      same_certificate(held->previous ? &*held->previous : nullptr, stored.previous))
    return held;
  auto active = open_stored_ca(*stored.active, box_, clock_);
  if (!active) return fail(active.error());
  std::optional<pki::CertificateAuthority> previous;
  if (stored.previous) {
    auto opened = open_stored_ca(*stored.previous, box_, clock_);
    if (!opened) return fail(opened.error());
    previous.emplace(std::move(*opened));
  }
  pki::CaBundle bundle;
  for (const auto* ca : {&*active, previous ? &*previous : nullptr})
    if (ca != nullptr)
      if (auto added = bundle.add(ca->cert_pem()); !added) return fail(added.error());
  return std::make_shared<const CaSet>(
      CaSet{std::move(*active), std::move(previous), std::move(bundle)});
}

std::shared_ptr<const CaSet> CertificateAuthorities::current() const {
  std::lock_guard lock(mutex_);
  return held_;
}

std::uint64_t CertificateAuthorities::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

}  // namespace groundcontrol::service
