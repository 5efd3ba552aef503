// Groups: every group with its selector, named members and artifact count; admins create
// one here. Live: a change to any group redraws the list.
import {get, call, query, isAdmin} from "./api.js";
import {h, fill, link, table, message} from "./dom.js";
import {follow, debounce} from "./watch.js";
import {selectorText} from "./labels.js";

export async function render(main, {signal}) {
  const status = h("div");
  const body = h("div", {id: "group-table", class: "scroll"});
  main.append(h("h1", {}, "Groups"), status, body);
  if (isAdmin()) main.append(createForm());

  async function load() {
    try {
      const list = await get("/api/v1/groups" + query({limit: 10000}), {signal});
      fill(body, table(null, ["name", "selector", "members", "named satellites", "artifacts", "rules"],
        list.items.map((g) => h("tr", {"data-name": g.metadata.name},
          h("td", {}, link(g.metadata.name, "groups", g.metadata.name)),
          h("td", {}, selectorText(g.spec.selector) ?? "none"),
          h("td", {class: "members"}, String(g.status?.satellites ?? 0)),
          h("td", {}, (g.spec.satellites || []).join(", ")),
          h("td", {}, String((g.spec.artifacts || []).length)),
          h("td", {}, String((g.spec.rules || []).length)))),
        "No groups yet."));
      status.replaceChildren();
    } catch (error) {
      if (error.name !== "AbortError") fill(status, message(error.message));
    }
  }

  function createForm() {
    const name = h("input", {id: "new-group", required: true, spellcheck: "false"});
    const selector = h("input", {id: "new-group-selector", placeholder: "site=berlin",
                                 spellcheck: "false"});
    const out = h("div");
    const form = h("form", {class: "card inline", id: "create-group"},
      h("h2", {}, "New group"),
      h("label", {for: "new-group"}, "Name"), name,
      h("label", {for: "new-group-selector"}, "Match labels"), selector,
      h("button", {type: "submit"}, "Create"), out);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const spec = {};
      const labels = Object.fromEntries(selector.value.split(",").map((p) => p.trim())
        .filter(Boolean).map((p) => p.split("=").map((x) => x.trim())));
      if (Object.keys(labels).length) spec.selector = {matchLabels: labels};
      try {
        await call("POST", "/api/v1/groups", {body: {metadata: {name: name.value}, spec}});
        window.location.hash = `#/groups/${encodeURIComponent(name.value)}`;
      } catch (error) {
        fill(out, message(error.message));
      }
    });
    return form;
  }

  await load();
  follow("groups", {signal, onChange: debounce(load, 300)});
}
