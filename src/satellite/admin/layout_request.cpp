#include "satellite/admin/layout_request.hpp"

#include "common/oci/repository_name.hpp"
#include "satellite/oci_layout/layout_exporter.hpp"
#include "satellite/oci_layout/layout_importer.hpp"

namespace satellite::admin {

std::string LayoutRequest::encode() const {
  std::string line = op == Op::kImport ? "import" : "export";
  for (const auto& repository : repositories) line += " " + repository;
  return line + "\n";
}

common::Result<LayoutRequest> LayoutRequest::parse(std::string_view line) {
  if (line.ends_with('\n')) line.remove_suffix(1);
  std::vector<std::string> words;
  while (!line.empty()) {
    const auto space = line.find(' ');
    words.emplace_back(line.substr(0, space));
    line = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
  }
  LayoutRequest request;
  if (words.empty() || (words[0] != "import" && words[0] != "export"))
    return common::fail(common::ErrorCode::kInvalidArgument, "unknown admin request");
  request.op = words[0] == "import" ? Op::kImport : Op::kExport;
  request.repositories.assign(words.begin() + 1, words.end());
  if (request.op == Op::kImport && request.repositories.size() > 1)
    return common::fail(common::ErrorCode::kInvalidArgument, "import takes one repository");
  for (const auto& repository : request.repositories) {
    if (auto status = common::oci::validate_repository_name(repository); !status)
      return common::fail(common::ErrorCode::kInvalidArgument, "invalid repository name",
                          repository);
  }
  return request;
}

common::Result<std::string> execute(registry::RegistryService& service,
                                    const LayoutRequest& request, common::fs::UniqueFd target) {
  if (request.op == LayoutRequest::Op::kImport) {
    auto source = oci_layout::LayoutSource::open(std::move(target));
    if (!source) return common::fail(source.error());
    auto report = oci_layout::LayoutImporter(service).import(
        **source, request.repositories.empty() ? "" : request.repositories.front());
    if (!report) return common::fail(report.error());
    return report->summary();
  }
  auto sink = oci_layout::LayoutSink::open(std::move(target));
  if (!sink) return common::fail(sink.error());
  auto report = oci_layout::LayoutExporter(service).write(**sink, request.repositories);
  if (!report) return common::fail(report.error());
  return report->summary();
}

}  // namespace satellite::admin
