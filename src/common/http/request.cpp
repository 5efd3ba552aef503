#include "common/http/request.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace common::http {
namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::string_view method_name(Method method) noexcept {
  static constexpr std::array<std::string_view, 8> kNames = {"GET",   "HEAD",   "POST",    "PUT",
                                                             "PATCH", "DELETE", "OPTIONS", "OTHER"};
  return kNames[static_cast<std::size_t>(method)];
}

std::string_view Request::header(std::string_view name) const noexcept {
  for (const auto& h : headers) {
    if (iequals(h.name, name)) return h.value;
  }
  return {};
}

std::optional<std::string> Request::query_param(std::string_view key) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    const auto name = pair.substr(0, eq);
    if (name != key) continue;
    if (eq == std::string_view::npos) return std::string();
    return percent_decode(pair.substr(eq + 1));
  }
  return std::nullopt;
}

boost::asio::awaitable<Result<std::string>> read_body(BodyReader& body, std::size_t limit,
                                                      MemoryBudget::Reservation* reservation) {
  std::string out;
  // Grows `out` to hold `needed` bytes, counting its capacity against the reservation.
  auto make_room = [&](std::size_t needed) -> Status {
    if (needed > limit) return fail(ErrorCode::kTooLarge, "request body too large");
    if (needed <= out.capacity()) return {};
    const auto capacity = std::min(limit, std::max(needed, 2 * out.capacity()));
    if (reservation != nullptr && !reservation->grow_to(capacity))
      return fail(ErrorCode::kTooManyRequests, "too many large requests in flight");
    out.reserve(capacity);
    return {};
  };
  if (const auto length = body.content_length()) {
    if (*length > limit) co_return fail(ErrorCode::kTooLarge, "request body too large");
    if (auto room = make_room(static_cast<std::size_t>(*length)); !room)
      co_return fail(room.error());
  }
  // On the heap and no larger than a declared body: a std::array here put 64 KiB into every
  // call's coroutine frame, one fresh allocation per heartbeat to read 300 bytes.
  constexpr std::size_t kMaxChunk = 64 * 1024;
  const auto declared = body.content_length();
  std::vector<char> chunk(declared ? std::clamp<std::size_t>(*declared, 1, kMaxChunk) : kMaxChunk);
  while (!body.done()) {
    auto n = co_await body.read_some(chunk);
    if (!n) co_return fail(n.error());
    if (*n == 0) break;
    if (auto room = make_room(out.size() + *n); !room) co_return fail(room.error());
    out.append(chunk.data(), *n);
  }
  co_return out;
}

}  // namespace common::http
