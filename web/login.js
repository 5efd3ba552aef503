// Login: a user name and password traded for a bearer token (POST /api/v1/login); the
// answer's role decides whether write controls are shown. A refusal is shown as the
// server's message.
import {login} from "./api.js";
import {h, message} from "./dom.js";

export async function render(main) {
  const user = h("input", {id: "username", name: "username", autocomplete: "username", required: true});
  const password = h("input", {id: "password", name: "password", type: "password",
                               autocomplete: "current-password", required: true});
  const status = h("div", {id: "login-status"});
  const submit = h("button", {type: "submit"}, "Log in");
  const form = h("form", {class: "card narrow", id: "login-form"},
    h("h1", {}, "Log in"),
    h("label", {for: "username"}, "User name"), user,
    h("label", {for: "password"}, "Password"), password,
    submit, status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    status.replaceChildren();
    try {
      await login(user.value, password.value);
      window.location.hash = "#/overview";
    } catch (error) {
      status.replaceChildren(message(error.status === 401
        ? "Wrong user name or password." : error.message));
      password.select();
    } finally {
      submit.disabled = false;
    }
  });
  main.append(form);
  user.focus();
}
