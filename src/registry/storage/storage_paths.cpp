#include "registry/storage/storage_paths.hpp"

namespace registry::storage {

std::string StoragePaths::blob_algorithm_root(common::DigestAlgorithm algorithm) const {
  return blobs_root() + "/" + std::string(common::algorithm_name(algorithm));
}

std::string StoragePaths::blob_prefix_dir(common::DigestAlgorithm algorithm,
                                          std::string_view prefix) const {
  return blob_algorithm_root(algorithm) + "/" + std::string(prefix);
}

std::string StoragePaths::blob_dir(const common::Digest& digest) const {
  return blob_prefix_dir(digest.algorithm(), std::string_view(digest.hex()).substr(0, 2));
}

std::string StoragePaths::blob(const common::Digest& digest) const {
  return blob_dir(digest) + "/" + digest.hex();
}

}  // namespace registry::storage
