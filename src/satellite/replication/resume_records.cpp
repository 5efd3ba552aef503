#include "satellite/replication/resume_records.hpp"

#include <system_error>

#include "common/fs/file_ops.hpp"

namespace satellite::replication {

common::Result<ResumeRecords> ResumeRecords::open(std::filesystem::path dir) {
  if (auto made = common::fs::make_dirs(dir.string()); !made) {
    return common::fail(std::move(made.error()));
  }
  return ResumeRecords(std::move(dir));
}

std::string ResumeRecords::path_of(const common::Digest& digest) const {
  return (dir_ / (std::string(digest.algorithm_name()) + "-" + digest.hex())).string();
}

std::optional<ResumeRecord> ResumeRecords::find(const common::Digest& digest) const {
  auto text = common::fs::read_file(path_of(digest));
  if (!text) return std::nullopt;
  const auto first = text->find('\n');
  if (first == std::string::npos) return std::nullopt;
  const auto second = text->find('\n', first + 1);
  if (second == std::string::npos) return std::nullopt;
  ResumeRecord record{text->substr(0, first), text->substr(first + 1, second - first - 1)};
  if (record.repository.empty() || record.upload_id.empty()) return std::nullopt;
  return record;
}

common::Status ResumeRecords::put(const common::Digest& digest, const ResumeRecord& record) {
  return common::fs::atomic_write_file(path_of(digest),
                                       record.repository + "\n" + record.upload_id + "\n");
}

void ResumeRecords::remove(const common::Digest& digest) {
  std::error_code ignored;  // a record left behind only costs a failed status lookup
  std::filesystem::remove(path_of(digest), ignored);
}

}  // namespace satellite::replication
