// Label selectors as the API defines them (Kubernetes' LabelSelector): the text form a list
// call takes, and the match a page needs to tell which groups a satellite belongs to.

// The label selector text of a LabelSelector object; null when there is none.
export function selectorText(selector) {
  if (!selector) return null;
  const parts = Object.entries(selector.matchLabels || {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions || []) {
    const values = (e.values || []).join(",");
    if (e.operator === "In") parts.push(`${e.key} in (${values})`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin (${values})`);
    else if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
  }
  return parts.join(",");
}

// True when `labels` satisfy every requirement of the LabelSelector `selector`.
export function selectorMatches(selector, labels = {}) {
  if (!selector) return false;
  for (const [key, value] of Object.entries(selector.matchLabels || {})) {
    if (labels[key] !== value) return false;
  }
  for (const e of selector.matchExpressions || []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values || [];
    if (e.operator === "In" && !(has && values.includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && values.includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

// True when satellite `satellite` is a member of group `group` (selected or named).
export function isMember(group, satellite) {
  return (group.spec.satellites || []).includes(satellite.metadata.name) ||
         selectorMatches(group.spec.selector, satellite.metadata.labels || {});
}

// "a=b, c=d" parsed into {a: "b", c: "d"}.
export function parseLabels(text) {
  const labels = {};
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [key, ...value] = part.split("=");
    labels[key.trim()] = value.join("=").trim();
  }
  return labels;
}
