// Users: who may log in and with which role (docs/api.md). Everyone changes their own
// password here (with the current one; their other sessions end); admins also add users,
// set roles, reset passwords and delete users. `admin` stays an admin and stays.
import {get, call, isAdmin, session} from "./api.js";
import {h, fill, message, when} from "./dom.js";

const path = (name) => `/api/v1/users/${encodeURIComponent(name)}`;
const patch = (name, spec) =>
  call("PATCH", path(name), {body: {spec}, contentType: "application/merge-patch+json"});

// A labelled input: [label, input].
function field(id, text, attributes = {}) {
  const input = h("input", {id, name: id, ...attributes});
  return [h("label", {for: id}, text), input];
}

function ownPasswordForm(onDone) {
  const me = session()?.username || "";
  const [currentLabel, current] = field("current-password", "Current password",
                                        {type: "password", autocomplete: "current-password"});
  const [nextLabel, next] = field("new-password", "New password",
                                  {type: "password", autocomplete: "new-password"});
  const [againLabel, again] = field("repeat-password", "Repeat new password",
                                    {type: "password", autocomplete: "new-password"});
  const out = h("div", {id: "password-result"});
  const form = h("form", {id: "own-password", class: "card inline"},
    h("h2", {}, `Your password (${me})`), currentLabel, current, nextLabel, next,
    againLabel, again, h("button", {type: "submit"}, "Change password"), out);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!next.value) return fill(out, message("The new password is empty."));
    if (next.value !== again.value) return fill(out, message("The new passwords differ."));
    try {
      await patch(me, {password: next.value, currentPassword: current.value});
      form.reset();
      fill(out, message("Password changed; your other sessions ended.", "info"));
      onDone();
    } catch (error) {
      fill(out, message(error.message));
    }
  });
  return form;
}

function newUserForm(onDone) {
  const [nameLabel, name] = field("new-user-name", "Name", {spellcheck: "false", required: true});
  const [passwordLabel, password] = field("new-user-password", "Password",
                                          {type: "password", autocomplete: "new-password"});
  const role = h("select", {id: "new-user-role"},
                 h("option", {value: "viewer"}, "viewer"), h("option", {value: "admin"}, "admin"));
  const out = h("div", {id: "new-user-result"});
  const form = h("form", {id: "new-user", class: "card inline"},
    h("h2", {}, "New user"), nameLabel, name, passwordLabel, password,
    h("label", {for: "new-user-role"}, "Role"), role, h("button", {type: "submit"}, "Create"), out);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await call("POST", "/api/v1/users", {body: {
        metadata: {name: name.value}, spec: {password: password.value, role: role.value}}});
      fill(out, message(`User ${name.value} created.`, "info"));
      form.reset();
      onDone();
    } catch (error) {
      fill(out, message(error.message));
    }
  });
  return form;
}

// An admin's controls on one user's row: role, a password reset, delete.
function adminActions(user, reload, status) {
  const name = user.metadata.name;
  const role = h("select", {"aria-label": `Role of ${name}`, class: "role", "data-name": name},
    ["viewer", "admin"].map((r) => h("option", {value: r, selected: r === user.spec.role}, r)));
  role.addEventListener("change", () => act(() => patch(name, {role: role.value}),
                                            `${name} is now ${role.value}.`));
  const reset = h("button", {type: "button", class: "reset", "data-name": name}, "Reset password");
  reset.addEventListener("click", () => {
    const password = window.prompt(`New password for ${name}`);
    if (password) act(() => patch(name, {password}), `${name}'s password reset; their sessions ended.`);
  });
  const remove = h("button", {type: "button", class: "danger delete", "data-name": name}, "Delete");
  remove.addEventListener("click", () => {
    if (window.confirm(`Delete user ${name}?`))
      act(() => call("DELETE", path(name)), `User ${name} deleted.`);
  });
  async function act(change, done) {
    try {
      await change();
      fill(status, message(done, "info"));
    } catch (error) {
      fill(status, message(error.message));
    }
    reload();
  }
  if (name === "admin") return h("div", {class: "actions"}, reset);
  return h("div", {class: "actions"}, role, reset, remove);
}

export async function render(main, {signal}) {
  const status = h("div", {id: "users-status"});
  const body = h("div", {id: "users", class: "scroll"});
  main.append(h("h1", {}, "Users"), status, body);

  async function load() {
    try {
      const list = await get("/api/v1/users", {signal});
      const admin = isAdmin();
      fill(body, h("table", {},
        h("thead", {}, h("tr", {}, ["name", "role", "created", ...(admin ? ["change"] : [])]
          .map((t) => h("th", {scope: "col"}, t)))),
        h("tbody", {}, list.items.map((u) => h("tr", {"data-name": u.metadata.name},
          h("td", {}, u.metadata.name),
          h("td", {class: "role-name"}, u.spec.role),
          h("td", {}, when(u.metadata.creationTimestamp)),
          admin ? h("td", {}, adminActions(u, load, status)) : null)))));
    } catch (error) {
      if (error.name !== "AbortError") fill(status, message(error.message));
    }
  }

  main.append(ownPasswordForm(load));
  if (isAdmin()) main.append(newUserForm(load));
  await load();
}
