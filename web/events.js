// Events: the audit trail (GET /api/v1/events), newest first, filtered by kind and name.
// The API pages the trail oldest first by revision (`after`), so the page starts a window of
// revisions back from the current one (a list's metadata.resourceVersion) and "Older" widens
// it. The trail cannot be watched: the page asks for what came after its newest event every
// few seconds.
import {get, query} from "./api.js";
import {h, fill, table, message, when} from "./dom.js";

const PAGE = 500;
const WINDOW = 1000;  // revisions shown at first, and added by each "Older"
const KINDS = ["", "Satellite", "Group", "SatelliteConfig", "EnrollmentRequest", "RegistryEndpoint",
               "User", "CertificateAuthority"];

export async function render(main, {params, signal, setParams}) {
  let kind = params.get("kind") || "", name = params.get("name") || "";
  let events = [];  // oldest first, as the API pages them
  let from = 0;     // the window starts after this revision
  const kindSelect = h("select", {id: "event-kind"},
    KINDS.map((k) => h("option", {value: k, selected: k === kind}, k || "any kind")));
  const nameInput = h("input", {id: "event-name", value: name, spellcheck: "false"});
  const status = h("div");
  const body = h("div", {id: "events", class: "scroll"});
  const older = h("button", {type: "button", id: "older", class: "secondary"}, "Older events");
  const form = h("form", {class: "inline", role: "search"},
    h("label", {for: "event-kind"}, "Kind"), kindSelect,
    h("label", {for: "event-name"}, "Name"), nameInput,
    h("button", {type: "submit"}, "Filter"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    kind = kindSelect.value;
    name = nameInput.value.trim();
    setParams({kind, name});
    start();
  });
  older.addEventListener("click", async () => {
    const until = from;
    from = Math.max(0, from - WINDOW);
    const earlier = await range(from, until).catch(show);
    if (earlier) events = [...earlier, ...events];
    draw();
  });
  main.append(h("h1", {}, "Events"), form, status, body, older);

  function show(error) {
    if (error.name !== "AbortError") fill(status, message(error.message));
  }

  function draw() {
    older.disabled = from === 0;
    fill(body, table(null, ["time", "actor", "verb", "kind", "name", "message"],
      [...events].reverse().map((e) => [when(e.time), e.actor, e.verb, e.kind, e.name, e.message]),
      "No events."));
  }

  // The events with revisions in (after, until] (until null: up to now), oldest first.
  async function range(after, until = null) {
    const out = [];
    for (;;) {
      const page = await get("/api/v1/events" + query({kind, name, after, limit: PAGE}), {signal});
      for (const e of page.items) {
        if (until !== null && Number(e.resourceVersion) > until) return out;
        out.push(e);
      }
      if (page.items.length < PAGE) return out;
      after = page.items[page.items.length - 1].resourceVersion;
    }
  }

  async function start() {
    try {
      const now = await get("/api/v1/satelliteconfigs" + query({limit: 1}), {signal});
      from = Math.max(0, Number(now.metadata.resourceVersion) - WINDOW);
      events = await range(from);
      draw();
      status.replaceChildren();
    } catch (error) {
      show(error);
    }
  }

  async function newer() {
    try {
      const after = events.length ? events[events.length - 1].resourceVersion : from;
      const added = await range(after);
      if (added.length) {
        events.push(...added);
        draw();
      }
    } catch (error) {
      show(error);
    }
  }

  await start();
  const timer = setInterval(newer, 3000);
  signal.addEventListener("abort", () => clearInterval(timer));
}
