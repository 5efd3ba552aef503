// UiHandlers: the web UI's files on the management listener, open to anyone (the page logs
// in through the API like any client and keeps its bearer token in sessionStorage):
//   GET/HEAD / and /ui   302 to /ui/
//   GET/HEAD /ui/        index.html
//   GET/HEAD /ui/{file}  one file of ui_assets(); 404 in the JSON error envelope when unknown
// Every file answer carries its ETag (If-None-Match with it answers 304, no body),
// Cache-Control: no-cache (revalidate, so a new build is seen at once),
// X-Content-Type-Options: nosniff, and a Content-Security-Policy allowing only this origin
// (no inline script or style, no framing), so an injected string can never run.
// Ownership: serves static data; the routes hold no state.
#pragma once

#include <span>
#include <vector>

#include "common/http/router.hpp"
#include "groundcontrol/api/ui_assets.hpp"

namespace groundcontrol::api {

// The routes above over `assets` (ui_assets() in the server; a test may pass its own).
std::vector<common::http::Route> ui_routes(std::span<const UiAsset> assets = ui_assets());

}  // namespace groundcontrol::api
