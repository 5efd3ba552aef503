"""Groups that follow the registry (issue 13), through the real binary on both engines and
Debian's docker-registry: a rule `library/app` with tags `>=1.2` selects exactly those tags,
follows a tag pushed later and a tag moved to another digest (each change an event on the
group), reaches a member satellite's desired state, and a failed evaluation (registry down,
wrong credentials, a server answering garbage) keeps the last good set and says why in the
group's and the endpoint's status. A ground control started with --rule-interval 1s picks a
new tag up by itself."""
import tempfile
import time

import pytest

from conftest import (Client, Server, docker_registry, enrolled, free_port, login, push_image,
                      serve)

RULE = {"endpoint": "upstream", "repository": "library/app", "semver": ">=1.2"}


@pytest.fixture(scope="module")
def registry(engine):
    """A new, empty registry for each engine's run of this module."""
    for url in docker_registry(tempfile.mkdtemp(prefix="gc-rules-registry-")):
        yield url


def make_endpoint(admin, name, url):
    status, body, _ = admin.call("POST", "/api/v1/registryendpoints", body={
        "metadata": {"name": name}, "spec": {"url": url}})
    assert status == 201, body


def make_group(admin, name, rules, satellites=()):
    status, body, _ = admin.call("POST", "/api/v1/groups", body={
        "metadata": {"name": name}, "spec": {"rules": rules, "satellites": list(satellites)}})
    assert status == 201, body
    return body


def sync(admin, group):
    status, body, _ = admin.call("POST", "/api/v1/groups/{name}:sync", {"name": group})
    assert status == 200, body
    return body


def events(admin, group):
    status, body, _ = admin.call("GET", "/api/v1/events", query=f"kind=Group&name={group}")
    assert status == 200, body
    return [(e["verb"], e["message"]) for e in body["items"] if e["verb"].startswith("rule-")]


def member(server, contract, admin, name):
    """An enrolled satellite `name`: its satellite-API client."""
    _, cert = enrolled(server, contract, admin, name)
    return Client(server.printed["satellite"], server.ca_file, contract, cert=cert)


def desired(satellite):
    """{(repository, digest): tags} of the satellite's desired state."""
    status, state, _ = satellite.call("GET", "/satellite/v1/state")
    assert status == 200, state
    return {(a["repository"], a["digest"]): sorted(a.get("tags", [])) for a in state["artifacts"]}


def test_a_semver_rule_follows_the_registry(server, contract, admin, registry):
    old = push_image(registry, "library/app", "1.1.0", "old")
    v12 = push_image(registry, "library/app", "1.2.0", "v12")
    v13 = push_image(registry, "library/app", "1.3", "v13")
    push_image(registry, "library/app", "latest", "v13")
    push_image(registry, "library/other", "1.5.0", "other")
    make_endpoint(admin, "upstream", registry)
    satellite = member(server, contract, admin, "rules-sat")
    make_group(admin, "follow", [RULE], ["rules-sat"])

    result = sync(admin, "follow")
    assert result["error"] is None, result
    assert (result["selected"], result["added"], result["removed"]) == (2, 2, 0), result
    assert desired(satellite) == {("library/app", v12): ["1.2.0"], ("library/app", v13): ["1.3"]}
    assert old not in str(desired(satellite))
    assert sorted(verb for verb, _ in events(admin, "follow")) == ["rule-add", "rule-add"]
    # Nothing changed upstream: nothing changes here, and no event is recorded.
    assert sync(admin, "follow")["added"] == 0
    assert len(events(admin, "follow")) == 2

    # A new tag pushed upstream is followed.
    v14 = push_image(registry, "library/app", "1.4.0", "v14")
    result = sync(admin, "follow")
    assert (result["selected"], result["added"]) == (3, 1), result
    assert desired(satellite)[("library/app", v14)] == ["1.4.0"]
    assert ("rule-add", f"library/app@{v14} (tags 1.4.0)") in events(admin, "follow")

    # A tag moved to another digest: the old digest goes, the move is recorded.
    v13b = push_image(registry, "library/app", "1.3", "v13-rebuilt")
    result = sync(admin, "follow")
    assert (result["moved"], result["removed"], result["added"]) == (1, 1, 1), result
    held = desired(satellite)
    assert ("library/app", v13b) in held and ("library/app", v13) not in held
    assert any(verb == "rule-move" and f"library/app:1.3 moved from {v13} to {v13b}" == message
               for verb, message in events(admin, "follow"))
    status = admin.call("GET", "/api/v1/groups/{name}", {"name": "follow"})[1]["status"]
    assert status["rules"]["selected"] == 3 and status["rules"]["error"] is None


def test_a_failed_evaluation_keeps_the_last_good_set(server, contract, admin, registry):
    push_image(registry, "library/app", "2.0.0", "two")
    make_endpoint(admin, "flaky", registry)
    make_group(admin, "kept", [{**RULE, "endpoint": "flaky"}])
    good = sync(admin, "kept")
    assert good["error"] is None and good["selected"] >= 1, good

    # The registry is gone (nothing listens there).
    unreachable = f"http://127.0.0.1:{free_port()}"
    assert admin.call("PATCH", "/api/v1/registryendpoints/{name}", {"name": "flaky"},
                      body={"spec": {"url": unreachable}},
                      headers={"Content-Type": "application/merge-patch+json"})[0] == 200
    failed = sync(admin, "kept")
    assert failed["error"] and "127.0.0.1" in failed["error"], failed
    assert "spec.rules[0]" in failed["error"]
    assert failed["selected"] == 0 and failed["removed"] == 0
    group = admin.call("GET", "/api/v1/groups/{name}", {"name": "kept"})[1]
    assert group["status"]["rules"]["selected"] == good["selected"]
    assert group["status"]["rules"]["error"]["message"] == failed["error"]
    endpoint = admin.call("GET", "/api/v1/registryendpoints/{name}", {"name": "flaky"})[1]
    assert endpoint["status"]["lastError"]["message"] in failed["error"]

    # A web server that is no registry: garbage, same outcome.
    directory = tempfile.mkdtemp(prefix="gc-rules-garbage-")
    port = free_port()
    web = f"http://127.0.0.1:{port}"
    for _ in serve(["python3", "-m", "http.server", str(port), "--bind", "127.0.0.1",
                    "--directory", directory], web + "/"):
        assert admin.call("PATCH", "/api/v1/registryendpoints/{name}", {"name": "flaky"},
                          body={"spec": {"url": web}},
                          headers={"Content-Type": "application/merge-patch+json"})[0] == 200
        failed = sync(admin, "kept")
        assert failed["error"], failed
    # An unknown endpoint is an error too; the set still stands.
    assert admin.call("PATCH", "/api/v1/groups/{name}", {"name": "kept"},
                      body={"spec": {"rules": [{**RULE, "endpoint": "absent"}]}},
                      headers={"Content-Type": "application/merge-patch+json"})[0] == 200
    failed = sync(admin, "kept")
    assert "absent" in failed["error"], failed
    rule_events = events(admin, "kept")
    assert not any(verb == "rule-remove" for verb, _ in rule_events), rule_events

    # Back to the registry: the evaluation succeeds and the error clears.
    assert admin.call("PATCH", "/api/v1/groups/{name}", {"name": "kept"},
                      body={"spec": {"rules": [{**RULE, "endpoint": "upstream"}]}},
                      headers={"Content-Type": "application/merge-patch+json"})[0] == 200
    assert sync(admin, "kept")["error"] is None
    group = admin.call("GET", "/api/v1/groups/{name}", {"name": "kept"})[1]
    assert group["status"]["rules"]["error"] is None


def test_bad_rules_are_refused(admin):
    for rule, field in (({**RULE, "semver": ">=banana"}, "spec.rules[0].semver"),
                        ({**RULE, "tags": "v*"}, "spec.rules[0]"),
                        ({"endpoint": "upstream"}, "spec.rules[0].repository"),
                        ({**RULE, "newest": -1}, "spec.rules[0].newest"),
                        ({**RULE, "color": "red"}, "spec.rules[0].color")):
        status, body, _ = admin.call("POST", "/api/v1/groups", body={
            "metadata": {"name": "bad-rules"}, "spec": {"rules": [rule]}})
        assert status == 400, (rule, body)
        assert field in body["error"]["message"], (rule, body)
    assert admin.call("POST", "/api/v1/groups/{name}:sync", {"name": "absent"})[0] == 404


def test_the_periodic_job_follows_a_new_tag(fresh_deployment, contract, registry):
    server = Server(tempfile.mkdtemp(prefix="gc-rules-"), [*fresh_deployment(),
                                                          "--rule-interval", "1s"])
    try:
        admin = login(server, contract, "admin", server.printed["admin"])
        make_endpoint(admin, "upstream", registry)
        make_group(admin, "auto", [{**RULE, "repository": "library/auto"}])
        pushed = push_image(registry, "library/auto", "1.9.0", "auto")
        deadline = time.time() + 30
        while time.time() < deadline:
            added = [m for verb, m in events(admin, "auto") if verb == "rule-add"]
            if added:
                break
            time.sleep(0.5)
        assert added == [f"library/auto@{pushed} (tags 1.9.0)"], events(admin, "auto")
    finally:
        server.stop()
