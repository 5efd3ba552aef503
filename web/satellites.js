// Satellites: filtered by a label selector, sorted by a column (sortBy, click again for
// descending), paged by limit/continue so 10,000 satellites cost one page at a time. Admins
// create a satellite here and see its one-time enrollment token. Live: a change to any
// satellite reloads the current page.
import {get, call, query, isAdmin} from "./api.js";
import {h, fill, badge, link, message, labelsText, when} from "./dom.js";
import {follow, debounce} from "./watch.js";
import {parseLabels} from "./labels.js";

const PAGE = 50;
const COLUMNS = [
  ["name", "metadata.name"],
  ["labels", null],
  ["connectivity", "status.connectivity"],
  ["sync", "status.sync"],
  ["last heartbeat", "status.heartbeat.time"],
  ["created", "metadata.creationTimestamp"],
];

function createForm(onCreated) {
  const name = h("input", {id: "new-name", required: true,
                           spellcheck: "false"});
  const labels = h("input", {id: "new-labels", placeholder: "site=berlin,region=eu",
                             spellcheck: "false"});
  const out = h("div", {id: "create-result"});
  const form = h("form", {class: "card inline", id: "create-satellite"},
    h("h2", {}, "New satellite"),
    h("label", {for: "new-name"}, "Name"), name,
    h("label", {for: "new-labels"}, "Labels"), labels,
    h("button", {type: "submit"}, "Create"), out);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const parsed = parseLabels(labels.value);
    try {
      const created = await call("POST", "/api/v1/satellites",
                                 {body: {metadata: {name: name.value, labels: parsed}}});
      fill(out, message(`Created ${created.metadata.name}. Its one-time enrollment token:`, "info"),
           h("code", {id: "enrollment-token", class: "token"}, created.enrollment?.token || ""));
      onCreated();
    } catch (error) {
      fill(out, message(error.message));
    }
  });
  return form;
}

export async function render(main, {params, signal, setParams}) {
  let selector = params.get("labelSelector") || "";
  let sortBy = params.get("sortBy") || "metadata.name";
  let pages = [""];  // continue tokens of the pages seen; the last is the current one
  const input = h("input", {id: "selector", value: selector, spellcheck: "false",
                            placeholder: "region=eu,site in (a,b),!canary"});
  const status = h("div");
  const body = h("div", {id: "satellite-table", class: "scroll"});
  const pager = h("div", {class: "pager"});
  const filter = h("form", {class: "inline", role: "search"},
    h("label", {for: "selector"}, "Label selector"), input,
    h("button", {type: "submit"}, "Filter"));
  filter.addEventListener("submit", (event) => {
    event.preventDefault();
    selector = input.value.trim();
    pages = [""];
    setParams({labelSelector: selector, sortBy: sortBy === "metadata.name" ? "" : sortBy});
    load();
    restart();
  });
  main.append(h("h1", {}, "Satellites"), filter, status, body, pager);
  if (isAdmin()) main.append(createForm(() => load()));

  function header(text, field) {
    if (!field) return text;
    const active = sortBy.replace(/^-/, "") === field;
    const descending = active && sortBy.startsWith("-");
    const button = h("button", {type: "button", class: "sort", "data-sort": field,
                                "aria-label": `sort by ${text}`},
                     text, active ? (descending ? " ▼" : " ▲") : "");
    button.addEventListener("click", () => {
      sortBy = active && !descending ? "-" + field : field;
      pages = [""];
      setParams({labelSelector: selector, sortBy: sortBy === "metadata.name" ? "" : sortBy});
      load();
    });
    return h("span", {"aria-sort": active ? (descending ? "descending" : "ascending") : null}, button);
  }

  async function load() {
    try {
      const list = await get("/api/v1/satellites" + query({
        labelSelector: selector, sortBy, limit: PAGE, continue: pages[pages.length - 1]}), {signal});
      const rows = list.items.map((s) => h("tr", {"data-name": s.metadata.name},
        h("td", {}, link(s.metadata.name, "satellites", s.metadata.name)),
        h("td", {}, labelsText(s.metadata.labels)),
        h("td", {class: "connectivity"}, badge(s.status.connectivity)),
        h("td", {class: "sync"}, badge(s.status.sync)),
        h("td", {}, when(s.status.heartbeat?.time)),
        h("td", {}, when(s.metadata.creationTimestamp))));
      fill(body, h("table", {},
        h("thead", {}, h("tr", {}, COLUMNS.map(([text, field]) =>
          h("th", {scope: "col"}, header(text, field))))),
        h("tbody", {}, rows.length ? rows
          : h("tr", {}, h("td", {colspan: COLUMNS.length, class: "empty"}, "No satellites match.")))));
      const previous = h("button", {type: "button", id: "previous", disabled: pages.length === 1},
                         "Previous page");
      const next = h("button", {type: "button", id: "next", disabled: !list.metadata.continue},
                     "Next page");
      previous.addEventListener("click", () => { pages.pop(); load(); });
      next.addEventListener("click", () => { pages.push(list.metadata.continue); load(); });
      fill(pager, previous, h("span", {}, ` page ${pages.length} `), next);
      status.replaceChildren();
    } catch (error) {
      if (error.name !== "AbortError") fill(status, message(error.message));
    }
  }

  let stop = null;
  function restart() {
    stop?.();
    stop = follow("satellites", {labelSelector: selector, signal, onChange: debounce(load, 500),
                                 onError: (error) => fill(status, message(error.message))});
  }
  await load();
  restart();
}
