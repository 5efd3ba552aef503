#include "common/crypto/openssl_error.hpp"

#include <openssl/err.h>

namespace common::crypto {

Error openssl_error(ErrorCode code, std::string message) {
  std::string detail;
  while (const unsigned long err = ERR_get_error()) {
    char reason[256];
    ERR_error_string_n(err, reason, sizeof reason);
    if (!detail.empty()) detail += "; ";
    detail += reason;
  }
  return Error(code, std::move(message), std::move(detail));
}

void clear_openssl_errors() noexcept {
  ERR_clear_error();
}

}  // namespace common::crypto
