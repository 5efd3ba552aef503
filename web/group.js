// One group: its artifacts (the operator's list and the Harbor set), its members (the
// satellites its selector matches plus those it names, with their sync state), its rules and
// their last evaluation. Admins edit the group as JSON: a PUT carrying the resourceVersion
// that was read, so a concurrent change answers 409, shown as a message (read it again).
// Live: changes to the group or to any satellite redraw it (an open edit is kept).
import {get, call, query, isAdmin} from "./api.js";
import {h, fill, badge, link, table, message, when} from "./dom.js";
import {follow, debounce} from "./watch.js";
import {selectorText} from "./labels.js";

// The document an operator edits: what the client writes (docs/api.md, "who sets what").
function editable(group) {
  return {apiVersion: group.apiVersion, kind: group.kind,
          metadata: {name: group.metadata.name, labels: group.metadata.labels || {},
                     annotations: group.metadata.annotations,
                     resourceVersion: group.metadata.resourceVersion},
          spec: group.spec};
}

export async function render(main, {args: [name], signal}) {
  const path = `/api/v1/groups/${encodeURIComponent(name)}`;
  const status = h("div");
  const body = h("div", {id: "group"});
  const editor = h("div", {id: "editor"});
  const out = h("div", {id: "save-result"});  // outlives the redraws of the editor
  main.append(h("h1", {}, "Group ", h("span", {id: "group-name"}, name)), status, body, editor, out);
  let editing = false;

  async function members(group) {
    const selector = selectorText(group.spec.selector);
    const selected = selector === null ? {items: []}
      : await get("/api/v1/satellites" + query({labelSelector: selector, limit: 500}), {signal});
    const named = await Promise.all((group.spec.satellites || [])
      .filter((n) => !selected.items.some((s) => s.metadata.name === n))
      .map((n) => get(`/api/v1/satellites/${encodeURIComponent(n)}`, {signal})
        .catch(() => ({metadata: {name: n}, status: {}}))));
    return {items: [...selected.items, ...named], more: Boolean(selected.metadata?.continue)};
  }

  async function load() {
    try {
      const group = await get(path, {signal});
      const [harbor, who] = await Promise.all([
        get(`${path}/harborartifacts`, {signal}).catch(() => ({artifacts: []})), members(group)]);
      const artifactRow = (source) => (a) => [a.repository, h("code", {}, a.digest),
                                              (a.tags || []).join(", "), a.type || "", source];
      const rules = group.status?.rules;
      fill(body,
        h("p", {}, "Selector: ", h("code", {id: "selector"}, selectorText(group.spec.selector) ?? "none"),
          "; resourceVersion ", h("code", {id: "resource-version"}, group.metadata.resourceVersion)),
        h("section", {}, h("h2", {}, "Artifacts"), h("div", {class: "scroll", id: "artifacts"},
          table(null, ["repository", "digest", "tags", "type", "from"],
                [...(group.spec.artifacts || []).map(artifactRow("spec")),
                 ...harbor.artifacts.map(artifactRow("Harbor"))], "No artifacts."))),
        h("section", {}, h("h2", {}, "Members"), h("div", {class: "scroll", id: "members"},
          table(null, ["satellite", "connectivity", "sync", "last heartbeat"],
                who.items.map((s) => [link(s.metadata.name, "satellites", s.metadata.name),
                                      badge(s.status.connectivity), badge(s.status.sync),
                                      when(s.status.heartbeat?.time)]), "No members.")),
          who.more ? h("p", {class: "hint"}, "The first 500 selected satellites are shown.") : null),
        h("section", {}, h("h2", {}, "Rules"),
          table(null, ["endpoint", "repository", "tags / semver", "label", "newest"],
                (group.spec.rules || []).map((r) => [r.endpoint, r.repository, r.tags || r.semver || "",
                                                     r.label || "", r.newest ?? ""]), "No rules."),
          rules ? h("p", {}, `Selected ${rules.selected}; last change `, when(rules.lastChange),
                    rules.error ? message(`Last evaluation failed: ${rules.error.message}`) : null) : null));
      if (isAdmin() && !editing) showEditor(group);
      status.replaceChildren();
    } catch (error) {
      if (error.name !== "AbortError") fill(status, message(error.message));
    }
  }

  function showEditor(group) {
    const text = h("textarea", {id: "group-json", spellcheck: "false", "aria-label": "group as JSON"});
    text.value = JSON.stringify(editable(group), null, 2);
    text.addEventListener("input", () => { editing = true; });
    const save = h("button", {type: "submit", id: "save"}, "Save");
    const reset = h("button", {type: "button", class: "secondary", id: "reload"}, "Read it again");
    const remove = h("button", {type: "button", class: "danger", id: "delete"}, "Delete group");
    const form = h("form", {class: "card"}, h("h2", {}, "Edit (JSON)"),
      h("p", {class: "hint"}, "The resourceVersion you read is sent back: if someone changed the group " +
                              "meanwhile, the save is refused and nothing is lost."),
      text, h("div", {class: "actions"}, save, reset, remove));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      let edited;
      try {
        edited = JSON.parse(text.value);
      } catch (error) {
        fill(out, message(`Not valid JSON: ${error.message}`));
        return;
      }
      try {
        const saved = await call("PUT", path, {body: edited});
        editing = false;
        fill(out, message(`Saved (resourceVersion ${saved.metadata.resourceVersion}).`, "info"));
        await load();
      } catch (error) {
        fill(out, message(error.status === 409
          ? `Conflict: ${error.message}. Read it again, reapply your change and save.` : error.message));
      }
    });
    reset.addEventListener("click", async () => {
      editing = false;
      out.replaceChildren();
      showEditor(await get(path, {signal}));
    });
    remove.addEventListener("click", async () => {
      if (!window.confirm(`Delete group ${name}?`)) return;
      try {
        await call("DELETE", path + query({resourceVersion: group.metadata.resourceVersion}));
        window.location.hash = "#/groups";
      } catch (error) {
        fill(out, message(error.message));
      }
    });
    fill(editor, form);
  }

  await load();
  const reload = debounce(load, 300);
  follow("groups", {signal, onChange: (events) => {
    if (events.some((e) => e.object?.metadata?.name === name)) reload();
  }});
  follow("satellites", {signal, onChange: reload});
}
