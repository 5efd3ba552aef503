"""Proves the Harbor double itself (fake_harbor.py) over real HTTP on loopback: paging as
Harbor pages, robot accounts that authenticate and read back what they were given, secret
refresh, and that requests and answers outside the swagger are refused and recorded.
pytest; standard library, python3-yaml, python3-jsonschema."""
import base64
import http.client
import json
import pathlib
import subprocess
import sys
import time

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import contract  # noqa: E402

ADMIN = ("admin", "Harbor12345")


class Fake:
    """One fake_harbor.py process on 127.0.0.1 and a client for it."""

    def __init__(self, tmp, state=None):
        port_file = tmp / f"port-{time.monotonic_ns()}"
        args = [sys.executable, str(HERE / "fake_harbor.py"), "--port", "0", "--port-file",
                str(port_file), "--admin", ":".join(ADMIN)]
        if state:
            args += ["--state", str(state)]
        self.process = subprocess.Popen(args)
        deadline = time.monotonic() + 20
        while not port_file.exists():
            assert self.process.poll() is None, "fake_harbor.py exited"
            assert time.monotonic() < deadline, "fake_harbor.py did not listen"
            time.sleep(0.05)
        self.port = int(port_file.read_text())

    def stop(self):
        self.process.terminate()
        self.process.wait(10)

    def request(self, method, path, body=None, auth=ADMIN, headers=None, raw=None):
        """(status, headers, parsed JSON or None); path may start with /api/v2.0 or not."""
        if not path.startswith("/api/") and not path.startswith("/_fake/") and not path.startswith("/v2"):
            path = "/api/v2.0" + path
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = dict(headers or {})
        if auth:
            headers["Authorization"] = "Basic " + base64.b64encode(":".join(auth).encode()).decode()
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        if data is not None:
            headers.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        text = response.read()
        conn.close()
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text
        return response.status, {k.lower(): v for k, v in response.getheaders()}, parsed

    def ok(self, method, path, body=None, auth=ADMIN, want=200):
        status, headers, parsed = self.request(method, path, body, auth)
        assert status == want, f"{method} {path}: {status} {parsed}"
        return headers, parsed

    def violations(self):
        return self.request("GET", "/_fake/violations", auth=None)[2]


@pytest.fixture
def fake(tmp_path):
    f = Fake(tmp_path)
    yield f
    f.stop()


def robot_body(name, projects, actions=("pull",), duration=30):
    return {"name": name, "level": "system", "duration": duration, "description": "satellite",
            "permissions": [{"kind": "project", "namespace": p,
                             "access": [{"resource": "repository", "action": a} for a in actions] +
                             [{"resource": "project", "action": "read"}]} for p in projects]}


def canonical(permissions):
    """Harbor returns permissions (and their accesses) in no fixed order."""
    return sorted((p["kind"], p["namespace"], tuple(sorted((a["resource"], a["action"]) for a in p["access"])))
                  for p in permissions)


def links(header):
    out = {}
    for part in (header or "").split(" , "):
        if part:
            url, rel = part.split("; ")
            out[rel.split('"')[1]] = url.strip("<>")
    return out


def test_paging_over_25_artifacts_follows_harbor(fake):
    artifacts = [{"tags": [f"v{i}"], "push_time": f"2026-01-01T00:{i:02d}:00Z"} for i in range(25)]
    fake.ok("POST", "/_fake/seed", {"projects": [{"name": "p1", "repositories": [
        {"name": "team/app", "artifacts": artifacts}]}]}, auth=None)
    base = "/api/v2.0/projects/p1/repositories/team%252Fapp/artifacts"

    headers, first = fake.ok("GET", base)  # page_size defaults to 10
    assert headers["x-total-count"] == "25" and len(first) == 10
    assert links(headers.get("link")) == {"next": f"{base}?page=2&page_size=10"}
    assert [a["tags"][0]["name"] for a in first] == [f"v{i}" for i in range(24, 14, -1)]  # newest first

    headers, second = fake.ok("GET", base + "?page=2&page_size=10&with_tag=true")
    assert links(headers["link"]) == {"prev": f"{base}?page=1&page_size=10&with_tag=true",
                                      "next": f"{base}?page=3&page_size=10&with_tag=true"}

    seen, url = [], base + "?page_size=10"
    while url:
        headers, items = fake.ok("GET", url)
        seen += [a["digest"] for a in items]
        url = links(headers.get("link")).get("next")
    assert len(seen) == len(set(seen)) == 25
    assert links(headers["link"]) == {"prev": f"{base}?page=2&page_size=10"} and len(items) == 5

    headers, last = fake.ok("GET", base + "?page=5&page_size=5")  # a last page that is full
    assert len(last) == 5 and links(headers["link"]) == {"prev": f"{base}?page=4&page_size=5"}

    headers, beyond = fake.ok("GET", base + "?page=4")
    assert beyond == [] and headers["x-total-count"] == "25" and "next" not in links(headers.get("link"))

    status, _, body = fake.request("GET", base + "?page_size=101")
    assert status == 422 and body["errors"][0]["code"] == "UNPROCESSABLE_ENTITY"
    assert "page_size in query should be less than or equal to 100" in body["errors"][0]["message"]
    assert [v["kind"] for v in fake.violations()] == ["request"]


def test_artifacts_carry_tags_and_labels_and_filter_by_tag(fake):
    fake.ok("POST", "/_fake/seed", {"labels": [{"name": "prod"}], "projects": [{"name": "p1", "repositories": [
        {"name": "app", "artifacts": [{"tags": ["latest", "1.0"], "labels": ["prod"],
                                       "push_time": "2026-01-02T00:00:00Z"}, {"tags": []}]}]}]}, auth=None)
    _, labels = fake.ok("GET", "/labels?scope=g")
    assert [l["name"] for l in labels] == ["prod"]
    _, arts = fake.ok("GET", "/projects/p1/repositories/app/artifacts?with_label=true&q=tags%3Dlatest")
    assert len(arts) == 1 and arts[0]["digest"].startswith("sha256:")
    assert {t["name"] for t in arts[0]["tags"]} == {"latest", "1.0"}
    assert arts[0]["push_time"] == "2026-01-02T00:00:00.000Z"
    assert [l["name"] for l in arts[0]["labels"]] == ["prod"] and arts[0]["labels"][0]["id"] == labels[0]["id"]
    _, plain = fake.ok("GET", "/projects/p1/repositories/app/artifacts?with_tag=false&q=tags=nil")
    assert len(plain) == 1 and "tags" not in plain[0] and "labels" not in plain[0]
    assert fake.violations() == []


def test_robot_of_two_projects_authenticates_and_reads_back(fake):
    for name in ("p1", "p2", "p3"):
        headers, _ = fake.ok("POST", "/projects", {"project_name": name, "metadata": {"public": "false"}}, want=201)
        assert headers["location"].startswith("/api/v2.0/projects/")
    status, _, body = fake.request("POST", "/projects", {"project_name": "p1"})
    assert status == 409 and body["errors"][0]["code"] == "CONFLICT"

    sent = robot_body("sat-1", ["p1", "p2"], actions=("pull", "list"))
    headers, created = fake.ok("POST", "/robots", sent, want=201)
    assert created["name"] == "robot$sat-1" and created["secret"] and created["expires_at"] > time.time()
    assert headers["location"] == f"/api/v2.0/robots/{created['id']}"
    robot = (created["name"], created["secret"])

    _, projects = fake.ok("GET", "/projects", auth=robot)
    assert {p["name"] for p in projects} == {"library", "p1", "p2"}  # library is public
    fake.ok("GET", "/projects/p2", auth=robot)
    fake.ok("GET", "/projects/p1/repositories", auth=robot)
    status, _, body = fake.request("GET", "/projects/p3", auth=robot)
    assert status == 403 and body["errors"][0]["code"] == "FORBIDDEN"

    _, read = fake.ok("GET", f"/robots/{created['id']}")
    assert canonical(read["permissions"]) == canonical(sent["permissions"])
    assert read["duration"] == 30 and read["level"] == "system" and "secret" not in read
    _, listed = fake.ok("GET", "/robots?q=name%3Dsat-1")
    assert [r["id"] for r in listed] == [created["id"]]

    read["permissions"] = robot_body("x", ["p3"])["permissions"]
    fake.ok("PUT", f"/robots/{created['id']}", read)
    _, again = fake.ok("GET", f"/robots/{created['id']}")
    assert canonical(again["permissions"]) == canonical(read["permissions"])
    assert fake.request("GET", "/projects/p1", auth=robot)[0] == 403
    fake.ok("GET", "/projects/p3", auth=robot)

    status, _, body = fake.request("POST", "/robots", sent)
    assert status == 409 and body["errors"][0]["code"] == "CONFLICT"
    calls = fake.request("GET", "/_fake/calls", auth=None)[2]
    assert any(c["robot_id"] == created["id"] and c["path"] == "/api/v2.0/projects/p3" for c in calls)
    assert fake.violations() == []


def test_refresh_retires_the_old_secret(fake):
    fake.ok("POST", "/projects", {"project_name": "p1"}, want=201)
    _, created = fake.ok("POST", "/robots", robot_body("sat", ["p1"]), want=201)
    old = (created["name"], created["secret"])
    fake.ok("GET", "/projects/p1", auth=old)

    _, refreshed = fake.ok("PATCH", f"/robots/{created['id']}", {})
    assert refreshed["secret"] and refreshed["secret"] != created["secret"]
    status, _, body = fake.request("GET", "/projects/p1", auth=old)
    assert status == 401 and body == {"errors": [{"code": "UNAUTHORIZED", "message": "unauthorized"}]}
    fake.ok("GET", "/projects/p1", auth=(created["name"], refreshed["secret"]))

    _, chosen = fake.ok("PATCH", f"/robots/{created['id']}", {"secret": "Chosen-Secret-1"})
    assert chosen == {}  # Harbor answers an empty RobotSec when the secret was given
    fake.ok("GET", "/projects/p1", auth=(created["name"], "Chosen-Secret-1"))
    assert fake.request("PATCH", f"/robots/{created['id']}", {"secret": "weak"})[0] == 400
    fake.ok("DELETE", f"/robots/{created['id']}")
    assert fake.request("GET", "/projects/p1", auth=(created["name"], "Chosen-Secret-1"))[0] == 401
    assert fake.request("GET", f"/robots/{created['id']}")[0] == 404
    assert fake.violations() == []


def test_invalid_robot_body_is_refused_and_recorded(fake):
    body = robot_body("sat", ["library"])
    body["permissions"] = "all projects"
    status, _, answer = fake.request("POST", "/robots", body)
    assert status == 422  # go-swagger's binding refuses it before Harbor's handler runs
    assert answer["errors"][0]["code"] == "UNPROCESSABLE_ENTITY"
    (violation,) = fake.violations()
    assert violation["kind"] == "request" and violation["operation"] == "CreateRobot" and violation["rejected"]
    assert "permissions" in violation["messages"][0]
    _, robots = fake.ok("GET", "/robots")
    assert robots == []

    no_duration = robot_body("sat", ["library"])
    del no_duration["duration"]  # valid by the schema, refused by Harbor's handler
    status, _, answer = fake.request("POST", "/robots", no_duration)
    assert status == 400 and answer["errors"][0]["code"] == "BAD_REQUEST"
    assert fake.request("POST", "/robots", robot_body("sat", ["library"]), raw=b"{")[0] == 422
    assert fake.request("POST", "/robots", robot_body("sat", ["nope"]))[0] == 404
    assert fake.request("POST", "/robots", robot_body("sat", ["library"]), auth=None)[0] == 401
    project_robot = dict(robot_body("sat", ["nope"]), level="project")
    assert fake.request("POST", "/robots", project_robot)[0] == 404


def test_unknown_paths_methods_and_fields_are_violations(fake):
    status, _, body = fake.request("GET", "/api/v2.0/no/such/thing")
    assert status == 404 and body["errors"][0]["code"] == "NOT_FOUND"
    assert fake.request("DELETE", "/api/v2.0/health")[0] == 405
    assert fake.request("GET", "/v2/_catalog")[0] == 404
    fake.ok("GET", "/projects?pagesize=5")  # Harbor ignores what it does not know: so does the fake
    assert fake.request("GET", "/users")[0] == 501  # in the swagger, not in the fake
    kinds = [(v["kind"], v["rejected"]) for v in fake.violations()]
    assert kinds == [("unknown-path", True), ("unknown-method", True), ("unknown-path", True),
                     ("request-ignored", False), ("unimplemented", True)]


def test_authentication(fake):
    status, _, body = fake.request("GET", "/robots", auth=("admin", "wrong"))
    assert status == 401 and body["errors"][0]["code"] == "UNAUTHORIZED"
    assert fake.request("GET", "/robots", auth=None)[0] == 401
    _, public = fake.ok("GET", "/projects", auth=("admin", "wrong"))  # anonymous: public ones only
    assert [p["name"] for p in public] == ["library"]
    fake.ok("GET", "/health", auth=None)
    fake.ok("GET", "/systeminfo", auth=None)
    assert fake.request("HEAD", "/projects?project_name=library")[0] == 200
    assert fake.request("HEAD", "/projects?project_name=nope")[0] == 404
    calls = fake.request("GET", "/_fake/calls", auth=None)[2]
    assert calls[0]["auth_failed"] and calls[0]["caller"] == "anonymous"


def test_injected_failures_answer_once(fake):
    fake.ok("POST", "/_fake/fail", {"path": "/api/v2.0/projects", "status": 502, "body": "<html>gateway"},
            auth=None)
    status, _, body = fake.request("GET", "/projects")
    assert status == 502 and body == b"<html>gateway"
    fake.ok("POST", "/_fake/fail", {"path": "/api/v2.0/projects", "status": 503, "times": 2}, auth=None)
    assert [fake.request("GET", "/projects")[0] for _ in range(3)] == [503, 503, 200]


def test_state_survives_a_restart(tmp_path):
    first = Fake(tmp_path, state=tmp_path / "state.json")
    fake_project = {"project_name": "kept"}
    first.ok("POST", "/projects", fake_project, want=201)
    _, created = first.ok("POST", "/robots", robot_body("sat", ["kept"]), want=201)
    first.stop()
    second = Fake(tmp_path, state=tmp_path / "state.json")
    try:
        second.ok("GET", "/projects/kept", auth=(created["name"], created["secret"]))
    finally:
        second.stop()


def test_the_answer_checker_catches_a_wrong_answer():
    c = contract.Contract()
    op, _ = c.route("GET", "/api/v2.0/projects/p1")
    good = {"project_id": 1, "name": "p1", "repo_count": 0, "metadata": {"public": "true"}}
    assert c.check_answer(op, 200, {}, good) == []
    assert c.check_answer(op, 200, {}, dict(good, project_id="1"))  # wrong type
    assert c.check_answer(op, 200, {}, dict(good, colour="red"))  # not in the swagger
    assert c.check_answer(op, 201, {}, None)  # a status the operation does not have
    listing, _ = c.route("GET", "/api/v2.0/projects")
    assert c.check_answer(listing, 200, {"X-Total-Count": "many"}, [])
