// Enrollment requests: devices that asked to join without a token (docs/api.md), pending
// first. Admins approve (optionally adding labels) or deny (with a reason); viewers only
// read. Live: a new request or decision shows without a reload.
import {get, call, query, isAdmin} from "./api.js";
import {h, fill, badge, message, labelsText, when} from "./dom.js";
import {follow, debounce} from "./watch.js";
import {parseLabels} from "./labels.js";

export async function render(main, {signal}) {
  const status = h("div");
  const body = h("div", {id: "requests", class: "scroll"});
  main.append(h("h1", {}, "Enrollment requests"), status, body);

  function decide(request, approved, labels, reason) {
    const body = approved ? {approved: true, labels: parseLabels(labels.value)}
                          : {approved: false, reason: reason.value};
    return call("POST", `/api/v1/enrollmentrequests/${encodeURIComponent(request.metadata.name)}/approval`,
                {body});
  }

  function actions(request) {
    if (!isAdmin() || request.status?.phase !== "Pending") {
      const approval = request.status?.approval;
      return approval ? `${approval.decidedBy}${approval.reason ? ": " + approval.reason : ""}` : "";
    }
    const id = request.metadata.name;
    const labels = h("input", {id: `labels-${id}`, placeholder: "site=berlin", spellcheck: "false"});
    const reason = h("input", {id: `reason-${id}`, placeholder: "reason"});
    const out = h("div");
    const approve = h("button", {type: "button", class: "approve", "data-name": id}, "Approve");
    const deny = h("button", {type: "button", class: "danger deny", "data-name": id}, "Deny");
    for (const [button, approved] of [[approve, true], [deny, false]]) {
      button.addEventListener("click", async () => {
        try {
          await decide(request, approved, labels, reason);
          load();
        } catch (error) {
          fill(out, message(error.message));
        }
      });
    }
    return h("div", {class: "actions"},
      h("label", {for: `labels-${id}`}, "Labels"), labels, approve,
      h("label", {for: `reason-${id}`}, "Reason"), reason, deny, out);
  }

  async function load() {
    try {
      const list = await get("/api/v1/enrollmentrequests" + query({sortBy: "-status.phase", limit: 500}),
                             {signal});
      const order = {Pending: 0, Approved: 1, Denied: 2};
      const items = [...list.items].sort((a, b) => (order[a.status?.phase] ?? 3) - (order[b.status?.phase] ?? 3));
      fill(body, h("table", {},
        h("thead", {}, h("tr", {}, ["name", "phase", "labels asked", "device", "asked", "decision"]
          .map((t) => h("th", {scope: "col"}, t)))),
        h("tbody", {}, items.length ? items.map((r) => h("tr", {"data-name": r.metadata.name},
          h("td", {}, r.metadata.name),
          h("td", {class: "phase"}, badge(r.status?.phase)),
          h("td", {}, labelsText(r.spec?.labels)),
          h("td", {}, h("code", {}, JSON.stringify(r.spec?.deviceInfo || {}))),
          h("td", {}, when(r.metadata.creationTimestamp)),
          h("td", {}, actions(r))))
          : h("tr", {}, h("td", {colspan: 6, class: "empty"}, "No enrollment requests.")))));
      status.replaceChildren();
    } catch (error) {
      if (error.name !== "AbortError") fill(status, message(error.message));
    }
  }

  await load();
  follow("enrollmentrequests", {signal, onChange: debounce(load, 300)});
}
