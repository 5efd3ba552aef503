// DOM building without innerHTML: every text the API returns goes in as a text node, so a
// name or message can never become markup (with the CSP, nothing injected can run).

// h("a", {href: "#/x", class: "c", onclick: fn}, "text", child, [more]): an element.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      element.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      element.className = value;
    } else if (value === true) {
      element.setAttribute(key, "");
    } else {
      element.setAttribute(key, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// Replaces the children of `element`.
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

// A link to a page of the UI: link("satellites", name) -> #/satellites/name.
export function link(text, ...path) {
  return h("a", {href: "#/" + path.map(encodeURIComponent).join("/")}, text);
}

// A status word as a badge whose class the CSS colours (online, offline, in-sync, failed…).
export function badge(word) {
  const text = word || "unknown";
  return h("span", {class: "badge badge-" + text.replace(/[^a-z-]/gi, "").toLowerCase()}, text);
}

// A table: headers (strings or elements) and rows (arrays of cells, or <tr> elements).
export function table(caption, headers, rows, empty = "none") {
  return h("table", {},
    caption ? h("caption", {}, caption) : null,
    h("thead", {}, h("tr", {}, headers.map((cell) => h("th", {scope: "col"}, cell)))),
    h("tbody", {}, rows.length
      ? rows.map((row) => row instanceof Node ? row : h("tr", {}, row.map((cell) => h("td", {}, cell))))
      : h("tr", {}, h("td", {colspan: headers.length, class: "empty"}, empty))));
}

// A message box; kind "error" is announced to screen readers at once.
export function message(text, kind = "error") {
  return h("p", {class: "message message-" + kind, role: kind === "error" ? "alert" : "status"}, text);
}

export function labelsText(labels) {
  return Object.entries(labels || {}).map(([k, v]) => `${k}=${v}`).join(", ");
}

export function when(time) {
  if (!time) return "never";
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return String(time);
  // Past times read "5 min ago", future ones (a certificate's expiry) "in 30 d".
  const seconds = Math.round((Date.now() - date.getTime()) / 1000), span = Math.abs(seconds);
  const amount = span < 90 ? `${span} s` : span < 5400 ? `${Math.round(span / 60)} min`
    : span < 129600 ? `${Math.round(span / 3600)} h` : `${Math.round(span / 86400)} d`;
  const ago = seconds < -5 ? `in ${amount}` : seconds < 0 ? "0 s ago" : `${amount} ago`;  // clock skew
  return h("time", {datetime: date.toISOString(), title: date.toISOString()}, ago);
}

export function bytes(n) {
  if (n === undefined || n === null) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = Number(n), unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${unit ? value.toFixed(1) : value} ${units[unit]}`;
}
