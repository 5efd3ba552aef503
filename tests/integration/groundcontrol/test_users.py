"""Users over the management API, on SQLite and PostgreSQL: reading one, an admin changing
roles and passwords, a user changing its own password (and what that does to its other
sessions), and the refusals, each a 4xx naming what is wrong, none changing anything."""

from conftest import Client, login


def make_user(admin, name, password, role="viewer"):
    status, body, _ = admin.call("POST", "/api/v1/users", body={
        "metadata": {"name": name}, "spec": {"password": password, "role": role}})
    assert status == 201, body


def refused(client, method, name, body, status, code, words):
    got, answer, _ = client.call(method, "/api/v1/users/{name}", {"name": name}, body=body)
    assert got == status, answer
    assert answer["error"]["code"] == code, answer
    assert words in answer["error"]["message"], answer


def can_log_in(server, contract, name, password):
    client = Client(server.printed["management"], server.ca_file, contract)
    return client.call("POST", "/api/v1/login",
                       body={"username": name, "password": password})[0] == 200


def test_one_user_is_read_back_without_its_password(server, contract, admin):
    make_user(admin, "reader", "r-pw")
    status, body, _ = admin.call("GET", "/api/v1/users/{name}", {"name": "reader"})
    assert status == 200, body
    assert body["metadata"]["name"] == "reader" and body["spec"] == {"role": "viewer"}
    status, body, _ = admin.call("GET", "/api/v1/users/{name}", {"name": "nobody"})
    assert status == 404 and body["error"]["code"] == "NOT_FOUND", body


def test_a_user_changes_its_own_password_and_its_other_sessions_end(server, contract, admin):
    make_user(admin, "walker", "old-pw")
    here = login(server, contract, "walker", "old-pw")
    elsewhere = login(server, contract, "walker", "old-pw")

    refused(here, "PATCH", "walker", {"spec": {"password": "new-pw"}}, 400, "INVALID_ARGUMENT",
            "spec.currentPassword")
    refused(here, "PATCH", "walker", {"spec": {"password": "new-pw", "currentPassword": "guess"}},
            403, "PERMISSION_DENIED", "wrong password")
    assert can_log_in(server, contract, "walker", "old-pw"), "a refusal changes nothing"

    status, body, _ = here.call("PATCH", "/api/v1/users/{name}", {"name": "walker"},
                                body={"spec": {"password": "new-pw", "currentPassword": "old-pw"}},
                                headers={"Content-Type": "application/merge-patch+json"})
    assert status == 200 and body["spec"]["role"] == "viewer", body
    assert here.call("GET", "/api/v1/users")[0] == 200, "the session that changed it goes on"
    assert elsewhere.call("GET", "/api/v1/users")[0] == 401, "every other session ends"
    assert not can_log_in(server, contract, "walker", "old-pw")
    assert can_log_in(server, contract, "walker", "new-pw")


def test_a_viewer_changes_nothing_but_its_own_password(server, contract, admin):
    make_user(admin, "looker", "l-pw")
    make_user(admin, "other", "o-pw")
    looker = login(server, contract, "looker", "l-pw")
    refused(looker, "PATCH", "looker", {"spec": {"role": "admin"}}, 403, "PERMISSION_DENIED",
            "only an admin")
    refused(looker, "PATCH", "other", {"spec": {"password": "mine-now"}}, 403,
            "PERMISSION_DENIED", "only an admin")
    refused(looker, "PUT", "other", {"spec": {"role": "viewer", "password": "x"}}, 403,
            "PERMISSION_DENIED", "only an admin")
    assert can_log_in(server, contract, "other", "o-pw")
    assert admin.call("GET", "/api/v1/users/{name}", {"name": "looker"})[1]["spec"]["role"] == \
        "viewer"


def test_an_admin_promotes_and_demotes_and_the_live_session_follows(server, contract, admin):
    make_user(admin, "climber", "c-pw")
    climber = login(server, contract, "climber", "c-pw")
    group = {"metadata": {"name": "climbers-group"}}
    assert climber.call("POST", "/api/v1/groups", body=group)[0] == 403

    status, body, _ = admin.call("PUT", "/api/v1/users/{name}", {"name": "climber"},
                                 body={"apiVersion": "groundcontrol/v1", "kind": "User",
                                       "metadata": {"name": "climber"},
                                       "spec": {"role": "admin"}})
    assert status == 200 and body["spec"]["role"] == "admin", body
    assert climber.call("POST", "/api/v1/groups", body=group)[0] == 201, "same token, new role"
    assert can_log_in(server, contract, "climber", "c-pw"), "a PUT without password keeps it"

    assert admin.call("PATCH", "/api/v1/users/{name}", {"name": "climber"},
                      body={"spec": {"role": "viewer", "password": "reset-pw"}})[0] == 200
    assert climber.call("GET", "/api/v1/groups")[0] == 401, "an admin's reset ends its sessions"
    assert can_log_in(server, contract, "climber", "reset-pw")

    trail = admin.call("GET", "/api/v1/events", query="kind=User&name=climber")[1]["items"]
    messages = [(e["verb"], e["actor"], e["message"]) for e in trail]
    assert ("patch", "user:admin", "role viewer → admin") in messages, messages
    assert ("patch", "user:admin", "password changed; role admin → viewer") in messages, messages
    assert all("reset-pw" not in str(e) and "c-pw" not in str(e) for e in trail)


def test_bad_changes_are_refused_naming_the_field(server, contract, admin):
    make_user(admin, "target", "t-pw")
    cases = [
        ("PATCH", "target", {"spec": {"role": "root"}}, "spec.role"),
        ("PATCH", "target", {"spec": {"password": ""}}, "spec.password"),
        ("PATCH", "target", {"spec": {"password": 7}}, "spec.password"),
        ("PATCH", "target", {"spec": {"colour": "red"}}, "spec.colour"),
        ("PATCH", "target", {"metadata": {"name": "elsewhere"}}, "metadata.name"),
        ("PATCH", "target", {"metadata": {"labels": {"a": "b"}}}, "metadata.labels"),
        ("PUT", "target", {"spec": {"password": "x"}}, "spec.role"),
        ("PUT", "target", {"metadata": {"name": "target"}}, "spec"),
        ("PATCH", "admin", {"spec": {"role": "viewer"}}, "admin stays an admin"),
    ]
    for method, name, body, words in cases:
        refused(admin, method, name, body, 400, "INVALID_ARGUMENT", words)
    refused(admin, "PATCH", "ghost", {"spec": {"role": "viewer"}}, 404, "NOT_FOUND", "ghost")
    status, body, _ = admin.call("PATCH", "/api/v1/users/{name}", {"name": "target"},
                                 raw='{"spec": {"role": "admin"}}',
                                 headers={"Content-Type": "text/plain"})
    assert status == 405 and body["error"]["code"] == "UNSUPPORTED", body
    status, body, _ = admin.call("PATCH", "/api/v1/users/{name}", {"name": "target"},
                                 raw='{"spec": ')
    assert status == 400, body
    assert admin.call("GET", "/api/v1/users/{name}", {"name": "target"})[1]["spec"]["role"] == \
        "viewer"
    assert can_log_in(server, contract, "target", "t-pw")
