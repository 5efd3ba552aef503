#include "groundcontrol/app/nats_server_config.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "common/fs/file_ops.hpp"
#include "groundcontrol/app/server_tls_files.hpp"

namespace groundcontrol::app {

namespace fs = std::filesystem;

common::Status write_nats_server_config(const service::NatsAuthority& authority,
                                        const service::CaSet& cas, const std::string& data_dir,
                                        const std::vector<std::string>& server_names,
                                        const std::string& path) {
  auto text = authority.server_config();
  if (!text) return common::fail(text.error());
  if (!server_names.empty()) {
    ServerTlsFiles files(
        ServerTlsConfig{(fs::path(data_dir) / "nats").string(), "", "", server_names});
    if (auto ok = files.write(cas); !ok) return ok;
    *text += fmt::format("tls {{\n  cert_file: \"{}\"\n  key_file: \"{}\"\n}}\n",
                         fs::absolute(files.cert_file()).string(),
                         fs::absolute(files.key_file()).string());
  }
  return common::fs::atomic_write_file(path, *text);
}

}  // namespace groundcontrol::app
