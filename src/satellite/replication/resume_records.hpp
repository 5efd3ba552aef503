// ResumeRecords: which registry upload session holds the bytes of each blob being
// downloaded, one small file per digest under the state dir (`<alg>-<hex>`: repository and
// upload id on two lines, written atomically). The registry's upload sessions survive a
// restart, so after a crash (even SIGKILL) the next download of that digest finds the
// session, asks it for its offset and continues with a Range request.
// Thread-safety: calls for different digests from any thread; one digest is handled by one
// caller at a time (the BlobFetcher's single flight ensures it).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "common/digest.hpp"
#include "common/result.hpp"

namespace satellite::replication {

struct ResumeRecord {
  std::string repository;
  std::string upload_id;
};

class ResumeRecords {
 public:
  // Creates `dir` when missing; the error of make_dirs otherwise.
  [[nodiscard]] static common::Result<ResumeRecords> open(std::filesystem::path dir);

  // The record for `digest`; nullopt when none (or it is unreadable: start afresh).
  [[nodiscard]] std::optional<ResumeRecord> find(const common::Digest& digest) const;
  // Records (replacing) the session holding `digest`'s bytes; error of the durable write.
  [[nodiscard]] common::Status put(const common::Digest& digest, const ResumeRecord& record);
  // Forgets `digest`'s record; a missing one is fine.
  void remove(const common::Digest& digest);

 private:
  explicit ResumeRecords(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::string path_of(const common::Digest& digest) const;
  std::filesystem::path dir_;
};

}  // namespace satellite::replication
