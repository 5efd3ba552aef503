// The management API client: the bearer token and role live in sessionStorage (gone when
// the tab closes), every call sends the token, and every failure is an ApiError carrying the
// envelope's code and message ({"error": {"code", "message"}}, docs/api.md).

const KEY = "groundcontrol.session";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// {token, role, username, expiresAt} or null.
export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY));
  } catch {
    return null;
  }
}

export function isAdmin() {
  return session()?.role === "admin";
}

let onUnauthenticated = () => {};
// Called when the server answers 401 to a call made with a token (it expired or ended).
export function whenUnauthenticated(callback) {
  onUnauthenticated = callback;
}

// A query string from an object, leaving out empty values.
// Percent-encodes every value (a space as %20, never URLSearchParams' "+": the server reads
// "+" as itself, so "site in (a,b)" must not arrive as "site+in+(a,b)").
export function query(params) {
  const parts = [];
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== "")
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return parts.length ? "?" + parts.join("&") : "";
}

// fetch() with the session's token; rejects with ApiError when the server is unreachable.
async function send(method, path, {body, signal, contentType} = {}) {
  const headers = {Accept: "application/json"};
  const current = session();
  if (current?.token) headers.Authorization = `Bearer ${current.token}`;
  if (body !== undefined) headers["Content-Type"] = contentType || "application/json";
  try {
    return await fetch(path, {
      method, headers, signal, cache: "no-store",
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "UNAVAILABLE", "ground control cannot be reached");
  }
}

// The ApiError of a failed answer, from the envelope in `text`; a 401 to a call made with a
// token ends the session.
function failure(method, path, response, document) {
  const error = document?.error || {};
  if (response.status === 401 && session()?.token && path !== "/api/v1/login") {
    sessionStorage.removeItem(KEY);
    onUnauthenticated();
  }
  return new ApiError(response.status, error.code || String(response.status),
                      error.message || `${method} ${path} answered ${response.status}`);
}

function parseJson(text, response) {
  if (!text || !(response.headers.get("Content-Type") || "").startsWith("application/json"))
    return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

// Calls METHOD path (under the origin) with an optional JSON body; resolves to the parsed
// JSON answer (null for 204), rejects with ApiError. `signal` aborts it.
export async function call(method, path, options = {}) {
  const response = await send(method, path, options);
  const document = parseJson(await response.text(), response);
  if (!response.ok) throw failure(method, path, response, document);
  return document;
}

// GETs a streamed answer of one JSON document per line (a watch) and calls onLine(document)
// as each line arrives; resolves when the server ends the stream, rejects with ApiError
// (a refused call, or a connection lost mid-stream). `signal` aborts it.
export async function stream(path, {signal, onLine}) {
  const response = await send("GET", path, {signal});
  if (!response.ok) {
    throw failure("GET", path, response, parseJson(await response.text(), response));
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let partial = "";
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch (error) {
      if (error.name === "AbortError") throw error;
      throw new ApiError(0, "UNAVAILABLE", "the watch stream was cut off");
    }
    if (chunk.done) return;
    partial += decoder.decode(chunk.value, {stream: true});
    const lines = partial.split("\n");
    partial = lines.pop();
    try {
      for (const line of lines) if (line) onLine(JSON.parse(line));
    } catch (error) {
      reader.cancel().catch(() => {});  // the caller stops reading: end the stream
      throw error;
    }
  }
}

export const get = (path, options) => call("GET", path, options);

// Logs in; keeps the token and the role the answer names.
export async function login(username, password) {
  const answer = await call("POST", "/api/v1/login", {body: {username, password}});
  sessionStorage.setItem(KEY, JSON.stringify({
    token: answer.token, role: answer.role, username, expiresAt: answer.expiresAt,
  }));
  return answer;
}

export async function logout() {
  try {
    await call("POST", "/api/v1/logout");
  } finally {
    sessionStorage.removeItem(KEY);
  }
}
