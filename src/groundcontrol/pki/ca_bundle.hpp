// CaBundle: the set of CA certificates a peer trusts, as one PEM text (a server's client CA
// bundle, a satellite's trust file). It exists for CA rotation: while satellites move to
// certificates from a new CA, servers trust old and new, so the bundle holds both, in the
// order added, each certificate once (by SHA-256 fingerprint); the old CA is removed when no
// certificate it signed is in use. Holds only CA certificates (basicConstraints CA:TRUE).
// Value type (PEM text and fingerprints). Thread-safety: const calls from any thread; one
// writer at a time.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace groundcontrol::pki {

class CaBundle {
 public:
  CaBundle() = default;

  // The certificates in `pem`, duplicates dropped; text outside PEM blocks is ignored.
  // kInvalidArgument when it holds no certificate, a block is malformed, a certificate is
  // not a CA, or it is over 1 MiB.
  [[nodiscard]] static common::Result<CaBundle> parse(std::string_view pem);

  // Appends every certificate of `pem` not already held; kInvalidArgument as parse() (and
  // then nothing is added).
  [[nodiscard]] common::Status add(std::string_view pem);
  // Appends every certificate of `other` not already held.
  void merge(const CaBundle& other);
  // Removes the certificate with SHA-256 fingerprint `fingerprint` (lowercase hex); false
  // when there was none.
  bool remove(std::string_view fingerprint);

  bool contains(std::string_view fingerprint) const noexcept;
  // Fingerprints (lowercase hex SHA-256 of the DER), in order.
  std::vector<std::string> fingerprints() const;
  // Every certificate as PEM, in order, concatenated: the text a TLS trust file holds.
  std::string pem() const;
  std::size_t size() const noexcept { return entries_.size(); }
  bool empty() const noexcept { return entries_.empty(); }

 private:
  struct Entry {
    std::string pem;
    std::string fingerprint;
  };
  std::vector<Entry> entries_;
};

}  // namespace groundcontrol::pki
