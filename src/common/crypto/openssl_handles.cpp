#include "common/crypto/openssl_handles.hpp"

#include <climits>

namespace common::crypto {

BioPtr memory_bio(std::string_view text) {
  if (text.size() > INT_MAX) return nullptr;
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

BioPtr memory_bio() {
  return BioPtr(BIO_new(BIO_s_mem()));
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  if (size <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace common::crypto
