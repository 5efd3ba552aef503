// import_command and export_command: open the layout (or the export target) as the
// operator, then run the request here or hand it, with the fd, to the running satellite.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>

#include "common/fs/file_ops.hpp"
#include "common/fs/posix_error.hpp"
#include "registry/registry_service.hpp"
#include "satellite/admin/admin_socket.hpp"
#include "satellite/commands.hpp"

namespace satellite {
namespace {

// Runs `request` on `target` in this process, or in the satellite that holds `data_dir`.
common::Status run(const std::string& data_dir, const admin::LayoutRequest& request,
                   common::fs::UniqueFd target, common::log::Logger logger) {
  registry::RegistryConfig config;
  config.data_dir = data_dir;
  // The socket is found from the caller's working directory, whatever the server's was.
  std::error_code ignored;
  const auto socket =
      registry::storage::StoragePaths(std::filesystem::absolute(data_dir, ignored)).admin_socket();
  auto service = registry::RegistryService::open(config, std::move(logger));
  common::Result<std::string> summary;
  if (!service && service.error().code() == common::ErrorCode::kConflict) {
    summary = admin::send_request(socket, request, target.get());
  } else if (!service) {
    return common::fail(service.error());
  } else {
    summary = admin::execute(**service, request, std::move(target));
  }
  if (!summary) return common::fail(summary.error());
  std::printf("%s\n", summary->c_str());
  return {};
}

}  // namespace

common::Status import_command(const std::string& data_dir, const std::string& path,
                              const std::string& repository, common::log::Logger logger) {
  common::fs::UniqueFd target(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!target) return common::fail(common::fs::posix_error("open", path, errno));
  admin::LayoutRequest request{admin::LayoutRequest::Op::kImport, {}};
  if (!repository.empty()) request.repositories.push_back(repository);
  return run(data_dir, request, std::move(target), std::move(logger));
}

common::Status export_command(const std::string& data_dir, const std::string& path,
                              const std::vector<std::string>& repositories,
                              common::log::Logger logger) {
  const admin::LayoutRequest request{admin::LayoutRequest::Op::kExport, repositories};
  if (path.ends_with(".tar")) {
    // Written beside its name and renamed on success: a failed export leaves no tar.
    const auto partial = path + ".partial";
    common::fs::UniqueFd target(
        ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!target) return common::fail(common::fs::posix_error("create", partial, errno));
    auto status = run(data_dir, request, std::move(target), std::move(logger));
    if (status && ::rename(partial.c_str(), path.c_str()) != 0)
      status = common::fail(common::fs::posix_error("rename", path, errno));
    if (!status) ::unlink(partial.c_str());
    return status;
  }
  if (::mkdir(path.c_str(), 0755) != 0)
    return common::fail(common::fs::posix_error("create directory", path, errno));
  common::fs::UniqueFd target(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!target) return common::fail(common::fs::posix_error("open", path, errno));
  auto status = run(data_dir, request, std::move(target), std::move(logger));
  if (!status) (void)common::fs::remove_tree(path);  // we created it; leave no half layout
  return status;
}

}  // namespace satellite
