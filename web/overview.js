// Fleet overview: counts by connectivity and sync state (GET /api/v1/fleet/summary), the
// breakdown by a label key the user picks (?labelKey=), and the satellites needing attention
// first (fieldSelector status.connectivity=offline, status.sync=failed / out-of-sync, the
// longest silent first). Live: any satellite change redraws it.
import {get, query} from "./api.js";
import {h, fill, badge, link, table, message, when} from "./dom.js";
import {follow, debounce} from "./watch.js";

const CONNECTIVITY = ["online", "stale", "offline"];
const SYNC = ["in-sync", "syncing", "out-of-sync", "failed", "unknown"];
const ATTENTION = [
  ["Offline", "status.connectivity=offline"],
  ["Failed", "status.sync=failed"],
  ["Out of sync", "status.sync=out-of-sync"],
];

function counts(title, c, id) {
  return h("section", {class: "card", id},
    h("h2", {}, title),
    h("p", {class: "total"}, h("span", {class: "count", "data-count": "satellites"}, c.satellites),
      " satellites"),
    h("div", {class: "count-columns"},
      h("dl", {class: "counts", "aria-label": "by connectivity"},
        CONNECTIVITY.map((s) => [h("dt", {}, badge(s)), h("dd", {"data-count": s}, c.connectivity[s])])),
      h("dl", {class: "counts", "aria-label": "by sync state"},
        SYNC.map((s) => [h("dt", {}, badge(s)), h("dd", {"data-count": s}, c.sync[s])]))));
}

function breakdown(title, values) {
  const rows = Object.entries(values).map(([value, c]) => [
    value === "" ? h("em", {}, "(not set)") : value, String(c.satellites),
    ...CONNECTIVITY.map((s) => String(c.connectivity[s])),
    ...SYNC.map((s) => String(c.sync[s]))]);
  return table(title, ["", "satellites", ...CONNECTIVITY, ...SYNC], rows);
}

export async function render(main, {params, signal, setParams}) {
  let labelKey = params.get("labelKey") || "";
  const keyInput = h("input", {id: "label-key", value: labelKey, placeholder: "site",
                               spellcheck: "false"});
  const summaryBox = h("div", {id: "summary", class: "grid"});
  const labelBox = h("div", {id: "by-label", class: "scroll"});
  const groupBox = h("div", {id: "by-group", class: "scroll"});
  const attentionBox = h("div", {id: "attention"});
  const status = h("div");
  const form = h("form", {class: "inline"},
    h("label", {for: "label-key"}, "Break down by label"), keyInput,
    h("button", {type: "submit"}, "Show"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    labelKey = keyInput.value.trim();
    setParams({labelKey});
    refresh();
  });
  main.append(h("h1", {}, "Fleet overview"), status, summaryBox,
    h("section", {}, h("h2", {}, "Needing attention"), attentionBox),
    h("section", {}, h("h2", {}, "By label"), form, labelBox),
    h("section", {}, h("h2", {}, "By group"), groupBox));

  async function refresh() {
    try {
      const summary = await get("/api/v1/fleet/summary" + query({labelKey}), {signal});
      fill(summaryBox, counts("Fleet", summary.fleet, "fleet-counts"));
      fill(groupBox, breakdown("Satellites per group", summary.groups));
      fill(labelBox, summary.label ? breakdown(`Satellites per value of ${summary.label.key}`,
                                               summary.label.values)
                                   : h("p", {class: "hint"}, "Pick a label key, e.g. site or region."));
      const lists = await Promise.all(ATTENTION.map(([, fieldSelector]) =>
        get("/api/v1/satellites" + query({fieldSelector, limit: 20,
                                          sortBy: "status.heartbeat.time"}), {signal})));
      const rows = [];
      const seen = new Set();
      lists.forEach((list, i) => {
        for (const s of list.items) {
          if (seen.has(s.metadata.name)) continue;
          seen.add(s.metadata.name);
          rows.push([link(s.metadata.name, "satellites", s.metadata.name), ATTENTION[i][0],
                     badge(s.status.connectivity), badge(s.status.sync),
                     when(s.status.heartbeat?.time)]);
        }
      });
      fill(attentionBox, table(null, ["satellite", "why", "connectivity", "sync", "last heartbeat"],
                               rows, "Every satellite is fine."));
      status.replaceChildren();
    } catch (error) {
      if (error.name !== "AbortError") fill(status, message(error.message));
    }
  }
  await refresh();
  follow("satellites", {signal, onChange: debounce(refresh, 500)});
}
