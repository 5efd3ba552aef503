"""One Harbor robot account per satellite (issue 13), through the real binary on both engines
against the Harbor double (tests/fakes/harbor): with --robot-endpoint, the config a satellite
fetches over mTLS carries its own robot's name and a fresh secret (and when it expires); the
robot may only pull, on exactly the projects of the satellite's groups' artifacts (the union
over all its groups, not the last group's); a second fetch gives a new secret and the old one
stops working; past half its life the robot is made anew; a membership change updates the rights; a satellite in no group loses its
robot and gets no credentials; Harbor failing makes the config answer 503 (the reason logged); deleting the
satellite deletes the robot; ground control never keeps the secret."""
import base64
import json
import tempfile
import time
import urllib.error
import urllib.request

import pytest

from conftest import Client, Server, enrolled, fake_harbor, login

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


def test_each_satellite_pulls_with_its_own_robot(fresh_deployment, contract, harbor):
    status, _ = harbor_call(harbor, "/_fake/seed", method="POST", body={"projects": [
        {"name": name} for name in ("p1", "p2", "p3", "other")]})
    assert status == 200
    server = Server(tempfile.mkdtemp(prefix="gc-robots-"),
                    [*fresh_deployment(), "--robot-endpoint", "harbor", "--rule-interval", "1s"])
    try:
        admin = login(server, contract, "admin", server.printed["admin"])
        assert admin.call("POST", "/api/v1/registryendpoints", body={
            "metadata": {"name": "harbor"},
            "spec": {"url": harbor, "type": "harbor",
                     "credentials": {"username": "admin", "password": "Harbor12345"}}})[0] == 201
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

        # A second fetch: a new secret, and the old one no longer opens Harbor.
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
        status, renewed, _ = satellite.call("GET", "/satellite/v1/config")
        assert status == 200, renewed
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
        # Younger than half its life: the same robot, a fresh secret.
        status, kept, _ = satellite.call("GET", "/satellite/v1/config")
        assert status == 200 and robot_named(harbor, "robot$satellite-edge-1")["id"] == new_robot["id"]

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
