// oci-image-gen: writes a synthetic OCI image layout for tests and the demo and prints the
// digest of the tagged manifest (or image index) as one line "sha256:...". On failure it
// prints one line to stderr and exits 1. Flags only; the work is in write_oci_layout.
#include <charconv>
#include <cstdint>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "oci_layout_writer.hpp"

namespace {

int fail_with(std::string message) {
  for (char& c : message) {
    if (c == '\n') c = ' ';
  }
  std::cerr << "oci-image-gen: " << message << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  namespace gen = testutil::oci_image_gen;
  CLI::App app{"Writes a synthetic OCI image layout and prints its top digest."};
  gen::OciLayoutOptions options;
  std::string out_dir;
  std::vector<std::string> platforms;
  app.add_option("--out", out_dir, "Layout directory (created if missing)")->required();
  app.add_option("--tag", options.tag, "Tag (org.opencontainers.image.ref.name)")
      ->capture_default_str();
  app.add_option("--layers", options.layers, "Layers per image")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  app.add_option("--layer-size", options.layer_size,
                 "Uncompressed payload per layer: bytes or K/M/G suffix (1024-based)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  std::string seed = std::to_string(options.seed);
  app.add_option("--seed", seed, "Content seed (unsigned 64-bit)")->capture_default_str();
  app.add_option("--platforms", platforms,
                 "Comma-separated os/arch[/variant] list; writes an OCI image index")
      ->delimiter(',');

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    return fail_with(e.what());
  }

  try {
    options.out_dir = out_dir;
    const char* seed_end = seed.data() + seed.size();
    const auto [end, ec] = std::from_chars(seed.data(), seed_end, options.seed);
    if (ec != std::errc() || end != seed_end || seed.empty()) {
      return fail_with("--seed must be an unsigned 64-bit integer: '" + seed + "'");
    }
    for (const auto& text : platforms) {
      auto platform = gen::Platform::parse(text);
      if (!platform) {
        return fail_with(platform.error().message() + ": '" + platform.error().detail() + "'");
      }
      options.platforms.push_back(std::move(*platform));
    }
    auto digest = gen::write_oci_layout(options);
    if (!digest) {
      const auto& error = digest.error();
      return fail_with(error.message() + (error.detail().empty() ? "" : ": " + error.detail()));
    }
    std::cout << digest->str() << "\n";
    return 0;
  } catch (const std::exception& e) {
    return fail_with(e.what());
  }
}
