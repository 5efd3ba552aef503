"""One Harbor robot account per satellite (issue 13), through the real binary on both engines
against the Harbor double (tests/fakes/harbor): with --robot-endpoint, the config a satellite
fetches over mTLS carries its own robot's name and a fresh secret (and when it expires); the
robot may only pull, on exactly the projects of the satellite's groups' artifacts (the union
over all its groups, not the last group's); a fetch that names the credentials held keeps
them (no new secret) until the robot is past half its life, when it is made anew; a fetch
naming none gives a new secret and the old one stops working; a real satellite's config
changes cost no secret; a membership change updates the rights; a satellite in no group loses its
robot and gets no credentials; Harbor failing makes the config answer 503 (the reason logged); deleting the
satellite deletes the robot; ground control never keeps the secret."""
import base64
import json
import tempfile
import time
import os
import pathlib
import subprocess
import urllib.error
import urllib.parse
import urllib.request

import pytest

from conftest import ROOT, Client, Server, enrolled, fake_harbor, login

DIGEST = "sha256:" + "a" * 64


@pytest.fixture(scope="module")
def harbor(engine):
    for url in fake_harbor(tempfile.mkdtemp(prefix="gc-robots-harbor-")):
        yield url


def harbor_call(harbor, path, user="admin", password="Harbor12345", method="GET", body=None):
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    request = urllib.request.Request(f"{harbor}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Basic {auth}",
                                              "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None


def robot_named(harbor, name):
    status, robots = harbor_call(harbor, "/api/v2.0/robots?page_size=100")
    assert status == 200, robots
    return next((r for r in robots if r["name"] == name), None)


def grants(robot):
    return {(p["namespace"], a["resource"], a["action"])
            for p in robot["permissions"] for a in p["access"]}


def pull_only(*projects):
    return {(p, resource, action) for p in projects
            for resource, action in (("repository", "pull"), ("artifact", "read"))}


def group(admin, name, repositories, satellites):
    status, body, _ = admin.call("POST", "/api/v1/groups", body={
        "metadata": {"name": name},
        "spec": {"artifacts": [{"repository": r, "digest": DIGEST} for r in repositories],
                 "satellites": satellites}})
    assert status == 201, body


def wait_for(predicate, what, deadline=30):
    end = time.time() + deadline
    while time.time() < end:
        if predicate():
            return
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}")


def register_harbor(admin, harbor):
    """The double as RegistryEndpoint `harbor`, which --robot-endpoint names."""
    assert admin.call("POST", "/api/v1/registryendpoints", body={
        "metadata": {"name": "harbor"},
        "spec": {"url": harbor, "type": "harbor",
                 "credentials": {"username": "admin", "password": "Harbor12345"}}})[0] == 201


def held(upstream):
    """The query naming the credentials of `upstream` as held."""
    return (f"heldUsername={urllib.parse.quote(upstream['username'], safe='')}"
            f"&heldExpireAt={urllib.parse.quote(upstream['credentialsExpireAt'], safe='')}")


def secret_refreshes(harbor):
    status, calls = harbor_call(harbor, "/_fake/calls")
    assert status == 200
    return sum(1 for c in calls if c["method"] == "PATCH" and c["path"].startswith("/api/v2.0/robots/"))


def test_each_satellite_pulls_with_its_own_robot(fresh_deployment, contract, harbor):
    status, _ = harbor_call(harbor, "/_fake/seed", method="POST", body={"projects": [
        {"name": name} for name in ("p1", "p2", "p3", "other")]})
    assert status == 200
    server = Server(tempfile.mkdtemp(prefix="gc-robots-"),
                    [*fresh_deployment(), "--robot-endpoint", "harbor", "--rule-interval", "1s"])
    try:
        admin = login(server, contract, "admin", server.printed["admin"])
        register_harbor(admin, harbor)
        _, cert = enrolled(server, contract, admin, "edge-1")
        satellite = Client(server.printed["satellite"], server.ca_file, contract, cert=cert)
        group(admin, "web", ["p1/nginx", "p2/app"], ["edge-1"])
        group(admin, "tools", ["p2/tool"], ["edge-1"])

        status, config, _ = satellite.call("GET", "/satellite/v1/config")
        assert status == 200, config
        upstream = config["spec"]["upstream"]
        assert upstream["username"] == "robot$satellite-edge-1"
        first_secret = upstream["password"]
        assert len(first_secret) >= 8
        assert upstream["credentialsExpireAt"] > "2026"
        robot = robot_named(harbor, "robot$satellite-edge-1")
        assert robot["level"] == "system"
        assert grants(robot) == pull_only("p1", "p2"), robot  # both groups, nothing else

        # A fetch that names the credentials held keeps them: no secret, the held one works.
        refreshes = secret_refreshes(harbor)
        status, same, _ = satellite.call("GET", "/satellite/v1/config", query=held(upstream))
        assert status == 200, same
        assert same["spec"]["upstream"]["credentialsUnchanged"] is True
        assert "password" not in same["spec"]["upstream"]
        assert same["spec"]["upstream"]["username"] == upstream["username"]
        assert same["spec"]["upstream"]["credentialsExpireAt"] == upstream["credentialsExpireAt"]
        assert secret_refreshes(harbor) == refreshes
        # Naming another robot's, or none: a new secret.
        status, other, _ = satellite.call("GET", "/satellite/v1/config", query=held(
            dict(upstream, credentialsExpireAt="2020-01-01T00:00:00Z")))
        assert status == 200 and other["spec"]["upstream"]["password"] != first_secret
        first_secret = other["spec"]["upstream"]["password"]

        # A fetch naming nothing: a new secret, and the old one no longer opens Harbor.
        assert harbor_call(harbor, "/api/v2.0/projects/p1/repositories", upstream["username"],
                           first_secret)[0] != 401
        status, again, _ = satellite.call("GET", "/satellite/v1/config")
        assert status == 200
        second_secret = again["spec"]["upstream"]["password"]
        assert second_secret != first_secret
        assert harbor_call(harbor, "/api/v2.0/projects/p1/repositories", upstream["username"],
                           first_secret)[0] == 401

        # Past half its life the robot is made anew (a new secret does not extend it): the
        # satellite never holds credentials about to expire.
        old_robot = robot_named(harbor, "robot$satellite-edge-1")
        assert harbor_call(harbor, "/_fake/age", method="POST",
                           body={"robot": "satellite-edge-1", "days": 16})[0] == 200
        # (named as held: the robot, not the satellite, decides that new ones are due)
        status, renewed, _ = satellite.call("GET", "/satellite/v1/config",
                                            query=held(again["spec"]["upstream"]))
        assert status == 200, renewed
        assert "credentialsUnchanged" not in renewed["spec"]["upstream"]
        new_robot = robot_named(harbor, "robot$satellite-edge-1")
        assert new_robot["id"] != old_robot["id"]
        assert grants(new_robot) == pull_only("p1", "p2")
        expires = time.mktime(time.strptime(renewed["spec"]["upstream"]["credentialsExpireAt"],
                                            "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
        assert expires - time.time() > 29 * 86400  # a whole life again, not the 14 days left
        assert harbor_call(harbor, "/api/v2.0/projects/p1/repositories", upstream["username"],
                           renewed["spec"]["upstream"]["password"])[0] != 401
        assert harbor_call(harbor, "/api/v2.0/projects/p1/repositories", upstream["username"],
                           second_secret)[0] == 401
        # Younger than half its life: the same robot, and the secret held stays.
        status, kept, _ = satellite.call("GET", "/satellite/v1/config",
                                         query=held(renewed["spec"]["upstream"]))
        assert status == 200 and robot_named(harbor, "robot$satellite-edge-1")["id"] == new_robot["id"]
        assert kept["spec"]["upstream"]["credentialsUnchanged"] is True
        assert harbor_call(harbor, "/api/v2.0/projects/p1/repositories", upstream["username"],
                           renewed["spec"]["upstream"]["password"])[0] != 401

        # Joining a group with another project widens the robot's rights by itself.
        group(admin, "extra", ["p3/db"], ["edge-1"])
        wait_for(lambda: grants(robot_named(harbor, "robot$satellite-edge-1")) ==
                 pull_only("p1", "p2", "p3"), "the robot's rights to follow the membership")
        assert admin.call("DELETE", "/api/v1/groups/{name}", {"name": "web"})[0] == 200
        wait_for(lambda: grants(robot_named(harbor, "robot$satellite-edge-1")) ==
                 pull_only("p2", "p3"), "the robot's rights to shrink with the membership")

        # A satellite that leaves every group loses its robot, and gets no credentials at all
        # (never the config's shared ones).
        _, cert2 = enrolled(server, contract, admin, "edge-2")
        solo = Client(server.printed["satellite"], server.ca_file, contract, cert=cert2)
        group(admin, "solo", ["p1/only"], ["edge-2"])
        assert solo.call("GET", "/satellite/v1/config")[0] == 200
        assert grants(robot_named(harbor, "robot$satellite-edge-2")) == pull_only("p1")
        assert admin.call("DELETE", "/api/v1/groups/{name}", {"name": "solo"})[0] == 200
        wait_for(lambda: robot_named(harbor, "robot$satellite-edge-2") is None,
                 "the robot of a satellite in no group to go")
        status, bare, _ = solo.call("GET", "/satellite/v1/config")
        assert status == 200
        assert "username" not in bare["spec"]["upstream"] and \
            "password" not in bare["spec"]["upstream"], bare

        # Harbor failing: the config answer is 503 (the satellite keeps what it has), the log says why.
        status, _ = harbor_call(harbor, "/_fake/fail", method="POST", body={
            "path": "/api/v2.0/robots", "method": "GET", "times": 1, "status": 503})
        assert status == 200
        status, refused, _ = satellite.call("GET", "/satellite/v1/config")
        assert status == 503, refused
        wait_for(lambda: "robot account of edge-1" in server.stderr(), "the reason in the log")

        # Ground control keeps no secret at rest.
        stored = server.stored_bytes()
        assert first_secret.encode() not in stored and second_secret.encode() not in stored

        # Deleting the satellite deletes its robot.
        assert admin.call("DELETE", "/api/v1/satellites/{name}", {"name": "edge-1"})[0] == 200
        wait_for(lambda: robot_named(harbor, "robot$satellite-edge-1") is None,
                 "the robot of the deleted satellite to go")
    finally:
        server.stop()


SATELLITE = os.environ.get("SATELLITE", str(ROOT / "build" / "release" / "src" / "satellite" / "satellite"))


def test_a_running_satellites_config_changes_cost_no_new_secret(fresh_deployment, contract,
                                                                 harbor):
    """A real satellite names the robot credentials it holds on every config fetch: a
    config change reaches it without a secret being made (Harbor's calls say so)."""
    status, _ = harbor_call(harbor, "/_fake/seed", method="POST",
                            body={"projects": [{"name": "p4"}]})
    assert status == 200
    server = Server(tempfile.mkdtemp(prefix="gc-robots-run-"),
                    [*fresh_deployment(), "--robot-endpoint", "harbor"])
    directory = tempfile.mkdtemp(prefix="gc-robots-satellite-")
    process = None
    try:
        admin = login(server, contract, "admin", server.printed["admin"])
        register_harbor(admin, harbor)
        assert admin.call("POST", "/api/v1/satellites",
                          body={"metadata": {"name": "edge-run"}})[0] == 201
        token = admin.call("POST", "/api/v1/satellites/{name}/token",
                           {"name": "edge-run"})[1]["token"]
        group(admin, "run", ["p4/app"], ["edge-run"])
        log = pathlib.Path(directory, "stderr")
        with open(log, "w") as err:
            process = subprocess.Popen(
                [SATELLITE, "run", "--data-dir", directory, "--listen", "127.0.0.1:0",
                 "--ground-control", f"https://{server.printed['satellite']}",
                 "--ca-file", server.ca_file, "--token", token, "--state-wait", "2s"],
                stdout=subprocess.DEVNULL, stderr=err)
        configs = lambda: log.read_text().count("config default (")
        wait_for(lambda: configs() >= 1 and process.poll() is None, "the first config")
        robot = robot_named(harbor, "robot$satellite-edge-run")
        assert robot is not None and grants(robot) == pull_only("p4"), robot
        refreshes = secret_refreshes(harbor)

        assert admin.call("PATCH", "/api/v1/satelliteconfigs/{name}", {"name": "default"},
                          body={"spec": {"heartbeatInterval": "45s"}},
                          headers={"Content-Type": "application/merge-patch+json"})[0] == 200
        wait_for(lambda: configs() >= 2, "the changed config to reach the satellite")
        assert process.poll() is None, log.read_text()
        assert secret_refreshes(harbor) == refreshes, "a config change made a new secret"
        assert robot_named(harbor, "robot$satellite-edge-run")["id"] == robot["id"]
    finally:
        if process is not None:
            process.kill()
            process.wait()
        server.stop()
