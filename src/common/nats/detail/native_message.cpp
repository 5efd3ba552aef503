#include "common/nats/detail/native_message.hpp"

#include <cstdlib>
#include <string>

#include "common/nats/detail/nats_error.hpp"

namespace common::nats::detail {

Headers copy_headers(natsMsg* msg) {
  Headers headers;
  const char** keys = nullptr;
  int key_count = 0;
  if (natsMsgHeader_Keys(msg, &keys, &key_count) != NATS_OK) return headers;  // none
  for (int i = 0; i < key_count; ++i) {
    const char** values = nullptr;
    int value_count = 0;
    if (natsMsgHeader_Values(msg, keys[i], &values, &value_count) != NATS_OK) continue;
    for (int j = 0; j < value_count; ++j) headers.emplace(keys[i], values[j]);
    std::free(static_cast<void*>(values));  // the array is ours, the strings libnats's
  }
  std::free(static_cast<void*>(keys));
  return headers;
}

Message copy_message(natsMsg* msg) {
  Message out;
  out.subject = natsMsg_GetSubject(msg);
  if (const char* reply = natsMsg_GetReply(msg); reply != nullptr) out.reply = reply;
  if (const char* data = natsMsg_GetData(msg); data != nullptr) {
    out.data.assign(data, static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
  }
  out.headers = copy_headers(msg);
  return out;
}

Status add_headers(natsMsg* msg, const Headers& headers) {
  for (const auto& [name, value] : headers) {
    if (auto ok = check(natsMsgHeader_Add(msg, name.c_str(), value.c_str()), "add header " + name);
        !ok) {
      return ok;
    }
  }
  return {};
}

}  // namespace common::nats::detail
