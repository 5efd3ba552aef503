// The web UI's shell: hash routing (#/satellites/edge-1, so every address stays under /ui/),
// the session bar, and one page module at a time. A page is render(main, context) returning
// an optional cleanup (it stops the page's watches when the user moves on).
import {session, logout, whenUnauthenticated} from "./api.js";
import {fill, message} from "./dom.js";
import * as login from "./login.js";
import * as overview from "./overview.js";
import * as satellites from "./satellites.js";
import * as satellite from "./satellite.js";
import * as groups from "./groups.js";
import * as group from "./group.js";
import * as enrollment from "./enrollment.js";
import * as events from "./events.js";
import * as users from "./users.js";

const routes = [
  [/^\/login$/, login],
  [/^\/overview$/, overview],
  [/^\/satellites$/, satellites],
  [/^\/satellites\/([^/]+)$/, satellite],
  [/^\/groups$/, groups],
  [/^\/groups\/([^/]+)$/, group],
  [/^\/enrollmentrequests$/, enrollment],
  [/^\/events$/, events],
  [/^\/users$/, users],
];

let cleanup = null;

// The hash as {path, params}: "#/satellites?labelSelector=a%3Db" -> "/satellites", {…}.
function location() {
  const hash = window.location.hash.replace(/^#/, "") || "/overview";
  const [path, search = ""] = hash.split("?");
  return {path, params: new URLSearchParams(search)};
}

// Replaces the hash's query (the page's filters) without adding a history entry.
export function setParams(params) {
  const {path} = location();
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  history.replaceState(null, "", "#" + path + (text ? "?" + text : ""));
}

function showSession() {
  const current = session();
  document.getElementById("nav").hidden = !current;
  document.getElementById("session").hidden = !current;
  document.getElementById("who").textContent =
    current ? `${current.username} (${current.role})` : "";
  for (const a of document.querySelectorAll("#nav a")) {
    const active = window.location.hash.startsWith(a.getAttribute("href"));
    if (active) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

async function render(event) {
  const moved = Boolean(event);
  cleanup?.();
  cleanup = null;
  const main = document.getElementById("main");
  let {path, params} = location();
  if (!session() && path !== "/login") {
    window.location.hash = "#/login";
    return;
  }
  if (session() && path === "/login") path = "/overview";
  showSession();
  const found = routes.find(([pattern]) => pattern.test(path));
  if (!found) {
    fill(main, message(`No page ${path}.`));
    return;
  }
  const [pattern, page] = found;
  const args = pattern.exec(path).slice(1).map(decodeURIComponent);
  const controller = new AbortController();
  cleanup = () => controller.abort();
  main.replaceChildren();
  try {
    await page.render(main, {args, params, signal: controller.signal, setParams});
    // After a move, keyboard and screen reader users start at the new page's content.
    if (moved && !main.contains(document.activeElement)) main.focus({preventScroll: true});
  } catch (error) {
    if (error.name !== "AbortError") fill(main, message(error.message));
  }
}

document.getElementById("logout").addEventListener("click", async () => {
  await logout().catch(() => {});
  window.location.hash = "#/login";
  render();
});
whenUnauthenticated(() => {
  window.location.hash = "#/login";
});
window.addEventListener("hashchange", render);
render();
