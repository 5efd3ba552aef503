// SecretStore: the SQL of `secrets`: key material sealed under the master key (the CA's
// key, later the state-signing key), each with its public part in clear. put_if_absent
// lets replicas that start together agree on one: the first insert wins and every one of
// them reads that back. Stateless; calls run in the caller's transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/sql/connection.hpp"

namespace groundcontrol::store {

struct StoredSecret {
  std::string name;
  std::string sealed;       // SecretBox output (bytes)
  std::string public_part;  // e.g. the CA certificate, PEM
};

class SecretStore {
 public:
  // Inserts unless `name` exists; returns whether it did.
  [[nodiscard]] common::Result<bool> put_if_absent(common::sql::Connection& db,
                                                   const StoredSecret& secret,
                                                   std::string_view now) const;
  // Inserts or replaces (a rotation).
  [[nodiscard]] common::Status put(common::sql::Connection& db, const StoredSecret& secret,
                                   std::string_view now) const;
  [[nodiscard]] common::Result<std::optional<StoredSecret>> get(common::sql::Connection& db,
                                                                std::string_view name) const;
  // Removes `name`; absent is fine.
  [[nodiscard]] common::Status remove(common::sql::Connection& db, std::string_view name) const;
};

}  // namespace groundcontrol::store
