#include "registry/storage/storage_paths.hpp"

namespace registry::storage {

std::string StoragePaths::blob_dir(const common::Digest& digest) const {
  std::string out = blobs_root();
  out.append("/").append(digest.algorithm_name()).append("/").append(digest.hex().substr(0, 2));
  return out;
}

std::string StoragePaths::blob(const common::Digest& digest) const {
  return blob_dir(digest) + "/" + digest.hex();
}

}  // namespace registry::storage
