// ResourceLister: every resource of a kind that matches the selectors, read page by page
// (`limit` and `continue`) until the list is complete, and the revision it was read at
// (where a watch starts). Uses the caller's client; thread-safety as the client's.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/management_client.hpp"
#include "cli/resource_kind.hpp"

namespace cli {

struct ListOptions {
  std::string label_selector;  // -l, Kubernetes' text form
  std::string field_selector;  // --field-selector
  std::string sort_by;         // --sort-by: metadata.name, -status.heartbeat.time, …
  int page_size = 500;         // --limit: items per request (1 to 10000)
};

struct ListResult {
  std::vector<nlohmann::json> items;
  std::string resource_version;  // of the first page
};

// The query of one list request (without paging).
[[nodiscard]] Query list_query(const ListOptions& options);

// Every matching resource. Errors as ManagementClient::call (a bad selector is 400).
[[nodiscard]] common::Result<ListResult> list_resources(ManagementClient& client,
                                                        const ResourceKind& kind,
                                                        const ListOptions& options);

}  // namespace cli
