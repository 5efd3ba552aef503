// StoragePaths: the one place that knows the on-disk layout of a registry data directory.
// Nothing else concatenates paths. Every input is a validated value (Digest, UploadId), so
// no name, tag or digest from a request can address anything outside the root.
//
//   <root>/LOCK                          flock held by the running process (common::fs::DirLock)
//   <root>/metadata.db (+ -wal, -shm)    SQLite: repositories, links, manifests, tags
//   <root>/gc-report.json                the last garbage collection's report
//   <root>/admin.sock                    Unix socket of the running process (import/export)
//   <root>/blobs/<alg>/<2 hex>/<hex>     content-addressed blob data, written once, by rename
//   <root>/uploads/<id>/data             bytes received so far for upload <id>
//   <root>/uploads/<id>/info             repository and start time of upload <id>
//
// Immutable after construction; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/digest.hpp"
#include "registry/storage/upload_id.hpp"

namespace registry::storage {

class StoragePaths {
 public:
  explicit StoragePaths(std::string root) : root_(std::move(root)) {}

  const std::string& root() const noexcept { return root_; }
  std::string database() const { return root_ + "/metadata.db"; }
  std::string gc_report() const { return root_ + "/gc-report.json"; }
  std::string admin_socket() const { return root_ + "/admin.sock"; }
  std::string blobs_root() const { return root_ + "/blobs"; }
  // <root>/blobs/<alg>
  std::string blob_algorithm_root(common::DigestAlgorithm algorithm) const;
  // <root>/blobs/<alg>/<prefix>, for a directory name found while walking the tree.
  std::string blob_prefix_dir(common::DigestAlgorithm algorithm, std::string_view prefix) const;
  std::string blob_dir(const common::Digest& digest) const;
  std::string blob(const common::Digest& digest) const;
  std::string uploads_root() const { return root_ + "/uploads"; }
  std::string upload_dir(const UploadId& id) const { return uploads_root() + "/" + id.str(); }
  std::string upload_data(const UploadId& id) const { return upload_dir(id) + "/data"; }
  std::string upload_info(const UploadId& id) const { return upload_dir(id) + "/info"; }

 private:
  std::string root_;
};

}  // namespace registry::storage
