// One satellite: its health, last heartbeat (version, uptime, disk, bytes transferred,
// clock offset), certificate, config, the groups it belongs to, and per artifact its desired
// state (GET …/state) against what it reports (status.report.artifacts), with the server's drift
// counts. Live: a watch event on the satellite or a group redraws it, and so does a read
// every 5 s (new reports and heartbeats are watch events only when they move its state).
// Also the commands sent to it over NATS (GET …/commands, docs/nats.md) with their answers.
import {get, call, isAdmin} from "./api.js";
import {h, fill, badge, link, table, message, labelsText, when, bytes} from "./dom.js";
import {follow, debounce} from "./watch.js";

function facts(pairs) {
  return h("dl", {class: "facts"}, pairs.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}

function uptime(seconds) {
  if (seconds === undefined) return "–";
  const d = Math.floor(seconds / 86400), hh = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d ? `${d} d ${hh} h` : hh ? `${hh} h ${m} min` : `${m} min ${seconds % 60} s`;
}

// The desired state ground control renders for the satellite (GET …/satellites/{name}/state:
// listed, Harbor's and rule-selected artifacts of its groups) against what it reports.
function artifactRows(satellite, desired) {
  const wanted = new Map(desired.artifacts.map((a) => [`${a.repository}@${a.digest}`, a]));
  const reported = new Map((satellite.status.report?.artifacts || []).map(
    (a) => [`${a.repository}@${a.digest}`, a]));
  const keys = [...new Set([...wanted.keys(), ...reported.keys()])].sort();
  return keys.map((key) => {
    const want = wanted.get(key), have = reported.get(key);
    const [repository, digest] = [want?.repository || have.repository, want?.digest || have.digest];
    const progress = have?.state === "pulling" && have.bytesTotal
      ? ` ${bytes(have.bytesDone)} of ${bytes(have.bytesTotal)}` : "";
    return h("tr", {"data-artifact": key},
      h("td", {}, repository), h("td", {}, h("code", {}, digest)),
      h("td", {}, want ? want.tags.join(", ") : ""),
      h("td", {class: "desired"}, want ? badge("yes") : badge("no")),
      h("td", {class: "actual"}, have ? badge(have.state) : badge("missing"), progress,
        have?.reason ? h("div", {class: "hint"}, have.reason) : null),
      h("td", {}, want ? want.groups.join(", ") : ""));
  });
}

export async function render(main, {args: [name], signal}) {
  const status = h("div");
  const body = h("div", {id: "satellite"});
  main.append(h("h1", {}, "Satellite ", h("span", {id: "satellite-name"}, name)), status, body);
  const path = `/api/v1/satellites/${encodeURIComponent(name)}`;

  async function load() {
    try {
      const [satellite, desired, sent] = await Promise.all([
        get(path, {signal}), get(`${path}/state`, {signal}),
        get(`${path}/commands?limit=20`, {signal})]);
      const s = satellite.status || {}, beat = s.heartbeat || {}, report = s.report || {};
      const member = desired.groups;
      const config = satellite.spec?.config || "default";
      const configDoc = await get(`/api/v1/satelliteconfigs/${encodeURIComponent(config)}`,
                                  {signal}).catch(() => null);
      const rows = artifactRows(satellite, desired);
      const drift = s.drift;
      const parts = [
        h("div", {class: "grid"},
          h("section", {class: "card"}, h("h2", {}, "Health"), facts([
            ["connectivity", h("span", {id: "connectivity"}, badge(s.connectivity))],
            ["sync", h("span", {id: "sync"}, badge(s.sync))],
            ["labels", labelsText(satellite.metadata.labels) || "none"],
            ["created", when(satellite.metadata.creationTimestamp)],
            ["revoked", s.revokedAt ? when(s.revokedAt) : "no"],
          ])),
          h("section", {class: "card", id: "heartbeat"}, h("h2", {}, "Last heartbeat"), facts([
            ["time", h("span", {id: "heartbeat-time"}, when(beat.time))],
            ["version", beat.version || "–"],
            ["uptime", uptime(beat.uptimeSeconds)],
            ["bytes transferred", h("span", {id: "bytes-transferred"}, bytes(beat.bytesTransferred))],
            ["disk used / free", `${bytes(beat.diskUsedBytes)} / ${bytes(beat.diskFreeBytes)}`],
            ["clock offset", beat.clockOffsetMs === undefined ? "–" : `${beat.clockOffsetMs} ms`],
          ])),
          h("section", {class: "card"}, h("h2", {}, "Certificate"), facts([
            ["expires", s.certificate ? h("span", {id: "cert-expiry"}, s.certificate.notAfter, " (",
                                          when(s.certificate.notAfter), ")") : "not enrolled"],
            ["serial", s.certificate ? h("code", {}, s.certificate.serial) : "–"],
            ["last report", when(report.time)],
            ["last sync", report.lastSync ? when(report.lastSync.time) : "never"],
          ]))),
        h("section", {}, h("h2", {}, "Groups"),
          h("p", {id: "groups"}, member.length
            ? member.map((g, i) => [i ? ", " : "", link(g, "groups", g)])
            : "none")),
        h("section", {}, h("h2", {}, "Artifacts: desired against actual"),
          drift ? h("p", {id: "drift"}, `${drift.missing.count} missing, ${drift.unwanted.count} unwanted`,
                    ` (present ${report.artifactCounts?.present ?? 0}, pulling `,
                    `${report.artifactCounts?.pulling ?? 0}, failed ${report.artifactCounts?.failed ?? 0})`)
                : null,
          h("div", {class: "scroll"}, table(null,
            ["repository", "digest", "tags", "desired", "actual", "groups"], rows, "No artifacts."))),
        h("section", {}, h("h2", {}, "Commands (NATS)"),
          h("div", {class: "scroll", id: "commands"}, table(null,
            ["type", "phase", "sent", "answered", "reason", "by"],
            sent.items.map((c) => h("tr", {"data-command": c.id},
              h("td", {}, c.type), h("td", {class: "phase"}, badge(c.phase)),
              h("td", {}, c.sentAt ? when(c.sentAt) : "–"),
              h("td", {}, c.answeredAt ? when(c.answeredAt) : "–"),
              h("td", {}, c.reason || ""), h("td", {}, c.actor))),
            "No commands sent."))),
        h("section", {}, h("h2", {}, "Config ", h("code", {}, config)),
          h("pre", {class: "card mono", id: "config"},
            configDoc ? JSON.stringify(configDoc.spec, null, 2) : `${config} (not readable)`)),
      ];
      fill(body, parts);
      status.replaceChildren();
    } catch (error) {
      if (error.name !== "AbortError") fill(status, message(error.message));
    }
  }

  function tokenSection() {
    const out = h("div");
    const button = h("button", {type: "button", id: "issue-token"}, "Issue an enrollment token");
    button.addEventListener("click", async () => {
      try {
        const issued = await call("POST", `${path}/token`);
        fill(out, message("One-time enrollment token:", "info"),
             h("code", {class: "token", id: "enrollment-token"}, issued.token));
      } catch (error) {
        fill(out, message(error.message));
      }
    });
    return h("section", {}, h("h2", {}, "Enrollment"), button, out);
  }

  // Outside the part load() redraws: a token just issued stays on screen to be copied.
  if (isAdmin()) main.append(tokenSection());
  await load();
  const reload = debounce(load, 300);
  follow("satellites", {signal, onChange: (events) => {
    if (events.some((e) => e.object?.metadata?.name === name)) reload();
  }});
  follow("groups", {signal, onChange: reload});
  // A report or heartbeat that moves neither connectivity nor sync is no watch event: the
  // page also reads the satellite again at the roll-up's pace.
  const timer = setInterval(load, 5000);
  signal.addEventListener("abort", () => clearInterval(timer));
}
