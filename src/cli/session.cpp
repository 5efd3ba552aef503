#include "cli/session.hpp"

#include <fmt/format.h>

namespace cli {

common::Result<std::unique_ptr<ManagementClient>> Session::client() const {
  auto store = load_store();
  if (!store) return common::fail(store.error());
  auto context = store->select(context_name);
  if (!context) return common::fail(context.error());
  if (context->token.empty())
    return common::fail(common::ErrorCode::kUnauthenticated,
                        fmt::format("not logged in to {} (context \"{}\"): run `gcctl login {}`",
                                    context->server, context->name, context->server));
  return ManagementClient::create(*context);
}

}  // namespace cli
