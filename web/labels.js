// Label selectors as the API defines them (Kubernetes' LabelSelector): the text form a list
// call takes; and labels as a user types them. Membership is the server's (a group's
// status.satellites, a satellite's GET …/state), never worked out here.

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

// "a=b, c=d" parsed into {a: "b", c: "d"}.
export function parseLabels(text) {
  const labels = {};
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [key, ...value] = part.split("=");
    labels[key.trim()] = value.join("=").trim();
  }
  return labels;
}
