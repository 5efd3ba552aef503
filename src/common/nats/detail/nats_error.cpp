#include "common/nats/detail/nats_error.hpp"

#include <fmt/format.h>

namespace common::nats::detail {
namespace {

ErrorCode code_for_js(jsErrCode js_code) {
  switch (js_code) {
    case JSStreamNotFoundErr:
    case JSConsumerNotFoundErr:
    case JSNoMessageFoundErr:
    case JSSequenceNotFoundErr:
      return ErrorCode::kNotFound;
    case JSStreamNameExistErr:
    case JSConsumerNameExistErr:
    case JSStreamSubjectOverlapErr:
    case JSStreamUpdateErr:
      return ErrorCode::kConflict;
    case JSBadRequestErr:
    case JSInvalidJSONErr:
    case JSStreamInvalidConfig:
    case JSConsumerCreateErr:
      return ErrorCode::kInvalidArgument;
    case JSNotEnabledErr:
    case JSNotEnabledForAccountErr:
      return ErrorCode::kUnavailable;
    case JSAccountResourcesExceededErr:
    case JSInsufficientResourcesErr:
    case JSMaximumConsumersLimitErr:
    case JSMaximumStreamsLimitErr:
    case JSMemoryResourcesExceededErr:
    case JSStorageResourcesExceededErr:
      return ErrorCode::kResourceExhausted;
    default:
      return ErrorCode::kInternal;
  }
}

ErrorCode code_for(natsStatus status) {
  switch (status) {
    case NATS_TIMEOUT:
      return ErrorCode::kTimeout;
    case NATS_NOT_PERMITTED:
      return ErrorCode::kPermissionDenied;
    case NATS_CONNECTION_AUTH_FAILED:
      return ErrorCode::kUnauthenticated;
    case NATS_CONNECTION_CLOSED:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_NO_SERVER:
    case NATS_NOT_YET_CONNECTED:
    case NATS_STALE_CONNECTION:
    case NATS_NO_RESPONDERS:
    case NATS_SSL_ERROR:
    case NATS_IO_ERROR:
    case NATS_DRAINING:
    case NATS_SECURE_CONNECTION_REQUIRED:
    // The server hung up mid-handshake (e.g. it wanted a client certificate under TLS 1.3).
    case NATS_PROTOCOL_ERROR:
      return ErrorCode::kUnavailable;
    case NATS_NOT_FOUND:
      return ErrorCode::kNotFound;
    case NATS_INVALID_ARG:
    case NATS_INVALID_SUBJECT:
    case NATS_INVALID_SUBSCRIPTION:
    case NATS_INVALID_TIMEOUT:
    case NATS_ADDRESS_MISSING:
    case NATS_ILLEGAL_STATE:
      return ErrorCode::kInvalidArgument;
    case NATS_MAX_PAYLOAD:
      return ErrorCode::kTooLarge;
    case NATS_NO_MEMORY:
    case NATS_INSUFFICIENT_BUFFER:
    case NATS_SLOW_CONSUMER:
    case NATS_MAX_DELIVERED_MSGS:
      return ErrorCode::kResourceExhausted;
    default:
      return ErrorCode::kInternal;
  }
}

}  // namespace

Error nats_error(natsStatus status, std::string_view what, jsErrCode js_code) {
  // nats_GetLastError is per thread and describes the last failed call on this thread,
  // which is the one that just returned `status`.
  natsStatus last_status = NATS_OK;
  const char* last = nats_GetLastError(&last_status);
  std::string text = (last != nullptr && *last != '\0') ? last : natsStatus_GetText(status);
  // libnats prefixes its own source location, "(conn.c:1234): ": noise to an operator.
  if (text.starts_with('(')) {
    if (const auto end = text.find("): "); end != std::string::npos) text.erase(0, end + 3);
  }
  ErrorCode code = js_code != 0 ? code_for_js(js_code) : ErrorCode::kInternal;
  if (code == ErrorCode::kInternal) code = code_for(status);
  std::string detail = js_code != 0 ? fmt::format("jetstream error {}", static_cast<int>(js_code))
                                    : std::string(natsStatus_GetText(status));
  return Error(code, fmt::format("{}: {}", what, text), std::move(detail));
}

Status check(natsStatus status, std::string_view what, jsErrCode js_code) {
  if (status == NATS_OK) return {};
  return fail(nats_error(status, what, js_code));
}

}  // namespace common::nats::detail
