#include "cli/resource_lister.hpp"

namespace cli {

Query list_query(const ListOptions& options) {
  Query query;
  if (!options.label_selector.empty()) query.emplace_back("labelSelector", options.label_selector);
  if (!options.field_selector.empty()) query.emplace_back("fieldSelector", options.field_selector);
  if (!options.sort_by.empty()) {
    // kubectl writes `.metadata.name` or `{.metadata.name}`; the API takes `metadata.name`.
    auto sort = options.sort_by;
    if (sort.starts_with("{") && sort.ends_with("}")) sort = sort.substr(1, sort.size() - 2);
    const bool descending = sort.starts_with("-");
    if (descending) sort.erase(0, 1);
    if (sort.starts_with(".")) sort.erase(0, 1);
    query.emplace_back("sortBy", (descending ? "-" : "") + sort);
  }
  return query;
}

common::Result<ListResult> list_resources(ManagementClient& client, const ResourceKind& kind,
                                          const ListOptions& options) {
  ListResult out;
  std::string next;
  do {
    auto query = list_query(options);
    query.emplace_back("limit", std::to_string(options.page_size));
    if (!next.empty()) query.emplace_back("continue", next);
    auto page = client.get(kind.collection_path(), query);
    if (!page) return common::fail(page.error());
    if (out.resource_version.empty())
      out.resource_version = (*page)["metadata"].value("resourceVersion", "");
    for (auto& item : (*page)["items"]) out.items.push_back(std::move(item));
    next = (*page)["metadata"].value("continue", "");
  } while (!next.empty());
  return out;
}

}  // namespace cli
