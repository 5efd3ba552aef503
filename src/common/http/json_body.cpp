#include "common/http/json_body.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace common::http {

Result<nlohmann::json> parse_json(std::string_view text) {
  if (text.empty())
    return fail(ErrorCode::kInvalidArgument, "request body is empty; expected a JSON document");
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    // what() reads "[json.exception.parse_error.101] parse error at line 1, column 3: …".
    std::string_view reason = error.what();
    if (const auto colon = reason.find(": "); colon != std::string_view::npos)
      reason.remove_prefix(colon + 2);
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("request body is not valid JSON (at byte {}): {}", error.byte, reason));
  }
}

boost::asio::awaitable<Result<nlohmann::json>> read_json_body(Request& request, std::size_t limit) {
  if (request.body == nullptr) co_return parse_json({});
  if (const auto declared = request.body->content_length(); declared && *declared > limit) {
    co_return fail(
        ErrorCode::kTooLarge,
        fmt::format("request body of {} bytes exceeds the limit of {} bytes", *declared, limit));
  }
  auto body = co_await read_body(*request.body, limit);
  if (!body) {
    if (body.error().code() == ErrorCode::kTooLarge) {
      co_return fail(ErrorCode::kTooLarge,
                     fmt::format("request body exceeds the limit of {} bytes", limit));
    }
    co_return fail(body.error());
  }
  co_return parse_json(*body);
}

}  // namespace common::http
