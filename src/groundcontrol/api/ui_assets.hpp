// UiAsset: one file of the web UI (web/ in the source tree), compiled into ground control by
// cmake/embed_web_assets.cmake, so the UI needs no files, CDN or internet access at run time.
// Thread-safety: immutable static data; read from any thread.
#pragma once

#include <span>
#include <string_view>

namespace groundcontrol::api {

struct UiAsset {
  std::string_view name;          // the file name under /ui/, e.g. "app.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view etag;          // a strong ETag: the SHA-256 of the bytes, quoted
  std::string_view bytes;
};

// Every file of the UI, sorted by name (the generated ui_assets.cpp).
std::span<const UiAsset> ui_assets() noexcept;

}  // namespace groundcontrol::api
