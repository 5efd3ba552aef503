"""Ground control over real HTTPS and mTLS: the management API, Harbor's state file,
enrollment, the satellite state with ETag, 304 and long-poll, the auth matrix, bad input,
restart. Every answer is validated against api/openapi.yaml (conftest.Client). Each test
that takes `server` or `fresh_deployment` runs twice: on SQLite and on PostgreSQL."""
import json
import os
import pathlib
import ssl
import subprocess
import threading
import time

import pytest

from conftest import (ROOT, Client, Server, basic_auth, enroll, enrolled, login, make_key_and_csr,
                      request_enrollment)

SAMPLE = json.loads((ROOT / "tests" / "data" / "harbor-state-sample.json").read_text())


def create_satellite(admin, name, labels=None):
    status, body, _ = admin.call("POST", "/api/v1/satellites",
                                 body={"metadata": {"name": name, "labels": labels or {}}})
    assert status == 201, body
    return body["enrollment"]["token"]


def satellite_client(server, contract, cert):
    return Client(server.printed["satellite"], server.ca_file, contract, cert=cert)


def test_a_login_with_a_wrong_password_is_refused_in_the_envelope(server, contract):
    client = Client(server.printed["management"], server.ca_file, contract)
    status, body, _ = client.call("POST", "/api/v1/login",
                                  body={"username": "admin", "password": "wrong"})
    assert status == 401
    assert body["error"]["code"] == "UNAUTHENTICATED"


def test_harbors_sample_in_two_groups_reaches_a_member_of_both(server, contract, admin):
    assert admin.call("POST", "/api/v1/groups", body={
        "metadata": {"name": "edge"}, "spec": {"selector": {"matchLabels": {"tier": "edge"}}}})[0] == 201
    assert admin.call("POST", "/api/v1/groups", body={
        "metadata": {"name": "berlin"}, "spec": {"satellites": ["sat-union"]}})[0] == 201
    half = {"registry": "harbor", "artifacts": SAMPLE["artifacts"][:5]}
    rest = {"registry": "harbor", "artifacts": SAMPLE["artifacts"][5:]}
    for group, document in (("edge", half), ("berlin", rest)):
        status, body, _ = admin.call("PUT", "/api/v1/groups/{name}/state", {"name": group},
                                     raw=json.dumps(document))
        assert status == 200, body
    token = create_satellite(admin, "sat-union", {"tier": "edge"})
    status, enrolled, cert = enroll(server, contract, token, "sat-union")
    assert status == 200, enrolled
    satellite = satellite_client(server, contract, cert)

    status, state, response = satellite.call("GET", "/satellite/v1/state")
    assert status == 200
    assert state["satellite"] == "sat-union"
    assert state["groups"] == ["berlin", "edge"]
    pairs = {(a["repository"], a["digest"]) for a in state["artifacts"]}
    assert pairs == {(a["repository"], a["digest"]) for a in SAMPLE["artifacts"]}
    etag = response.getheader("ETag")
    assert etag == f'"{state["stateDigest"]}"'
    assert int(response.getheader("X-Poll-After")) > 0

    status, _, _ = satellite.call("GET", "/satellite/v1/state", headers={"If-None-Match": etag})
    assert status == 304
    # Operators read the very document the satellite follows; an unknown satellite is 404.
    status, seen, response = admin.call("GET", "/api/v1/satellites/{name}/state",
                                        {"name": "sat-union"})
    assert (status, seen, response.getheader("ETag")) == (200, state, etag)
    status, body, _ = admin.call("GET", "/api/v1/satellites/{name}/state", {"name": "nobody"})
    assert (status, body["error"]["code"]) == (404, "NOT_FOUND")

    # A long-poll ends when a group changes, long before its wait.
    def change():
        time.sleep(0.5)
        admin.call("PUT", "/api/v1/groups/{name}/state", {"name": "berlin"}, query="full=true",
                   raw=json.dumps({"artifacts": SAMPLE["artifacts"][5:6]}))
    threading.Thread(target=change).start()
    began = time.time()
    status, changed, _ = satellite.call("GET", "/satellite/v1/state", query="wait=60",
                                        headers={"If-None-Match": etag}, timeout=90)
    assert status == 200
    assert time.time() - began < 10
    assert changed["stateDigest"] != state["stateDigest"]
    assert len(changed["artifacts"]) == 6


def test_enrollment_tokens_are_single_use_and_revocation_is_enforced(server, contract, admin):
    token = create_satellite(admin, "sat-revoke")
    assert enroll(server, contract, token, "sat-revoke")[0] == 200
    status, body, _ = enroll(server, contract, token, "sat-revoke-again")
    assert status == 401 and body["error"]["code"] == "UNAUTHENTICATED"
    status, body, _ = admin.call("POST", "/api/v1/satellites/{name}/token", {"name": "sat-revoke"})
    assert status == 200
    status, _, cert = enroll(server, contract, body["token"], "sat-revoke-2")
    assert status == 200
    satellite = satellite_client(server, contract, cert)
    assert satellite.call("GET", "/satellite/v1/state")[0] == 200
    assert admin.call("POST", "/api/v1/satellites/{name}/revoke", {"name": "sat-revoke"})[0] == 204
    status, body, _ = satellite.call("GET", "/satellite/v1/state")
    assert status == 401, body


def test_a_certificate_from_another_ca_is_refused(server, contract):
    directory = server.data_dir
    key = os.path.join(directory, "stranger.key")
    cert = os.path.join(directory, "stranger.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                    "-subj", "/CN=sat-union", "-days", "1"], check=True, capture_output=True)
    stranger = satellite_client(server, contract, (cert, key))
    with pytest.raises(Exception):  # the handshake fails: the chain does not verify
        stranger.call("GET", "/satellite/v1/state")


# The auth matrix: every management route × no credentials / viewer / admin. The test fails
# when the contract has a route this table lacks.
MATRIX = {
    ("GET", "/api/v1/satellites"): (401, 200, 200),
    ("POST", "/api/v1/satellites"): (401, 403, 201),
    ("GET", "/api/v1/satellites/{name}"): (401, 200, 200),
    ("PUT", "/api/v1/satellites/{name}"): (401, 403, 200),
    ("PATCH", "/api/v1/satellites/{name}"): (401, 403, 200),
    ("DELETE", "/api/v1/satellites/{name}"): (401, 403, 200),
    ("POST", "/api/v1/satellites/{name}/token"): (401, 403, 200),
    ("POST", "/api/v1/satellites/{name}/revoke"): (401, 403, 204),
    ("GET", "/api/v1/satellites/{name}/state"): (401, 200, 200),
    ("GET", "/api/v1/satellites/{name}/commands"): (401, 200, 200),
    ("POST", "/api/v1/satellites/{name}/commands"): (401, 403, 201),
    ("GET", "/api/v1/satellites/{name}/commands/{id}"): (401, 200, 200),
    # This server runs without NATS: an admin is told so (tests/integration/nats has one).
    ("POST", "/api/v1/nats/leafnodes"): (401, 403, 404),
    ("GET", "/api/v1/groups"): (401, 200, 200),
    ("POST", "/api/v1/groups"): (401, 403, 201),
    ("GET", "/api/v1/groups/{name}"): (401, 200, 200),
    ("PUT", "/api/v1/groups/{name}"): (401, 403, 200),
    ("PATCH", "/api/v1/groups/{name}"): (401, 403, 200),
    ("DELETE", "/api/v1/groups/{name}"): (401, 403, 200),
    ("PUT", "/api/v1/groups/{name}/state"): (401, 403, 200),
    ("POST", "/api/v1/groups/{name}/state"): (401, 403, 200),
    ("GET", "/api/v1/groups/{name}/harborartifacts"): (401, 200, 200),
    ("POST", "/api/v1/groups/{name}:sync"): (401, 403, 200),
    ("GET", "/api/v1/groups/{name}/credentials"): (401, 200, 200),
    ("POST", "/api/v1/groups/{name}/credentials"): (401, 403, 201),
    ("DELETE", "/api/v1/groups/{name}/credentials/{accessId}"): (401, 403, 204),
    ("GET", "/api/v1/enrollmentrequests"): (401, 200, 200),
    ("GET", "/api/v1/enrollmentrequests/{name}"): (401, 200, 200),
    ("DELETE", "/api/v1/enrollmentrequests/{name}"): (401, 403, 200),
    ("POST", "/api/v1/enrollmentrequests/{name}/approval"): (401, 403, 200),
    ("GET", "/api/v1/satelliteconfigs"): (401, 200, 200),
    ("POST", "/api/v1/satelliteconfigs"): (401, 403, 201),
    ("GET", "/api/v1/satelliteconfigs/{name}"): (401, 200, 200),
    ("PUT", "/api/v1/satelliteconfigs/{name}"): (401, 403, 200),
    ("PATCH", "/api/v1/satelliteconfigs/{name}"): (401, 403, 200),
    ("DELETE", "/api/v1/satelliteconfigs/{name}"): (401, 403, 200),
    ("GET", "/api/v1/registryendpoints"): (401, 200, 200),
    ("POST", "/api/v1/registryendpoints"): (401, 403, 201),
    ("GET", "/api/v1/registryendpoints/{name}"): (401, 200, 200),
    ("PUT", "/api/v1/registryendpoints/{name}"): (401, 403, 200),
    ("PATCH", "/api/v1/registryendpoints/{name}"): (401, 403, 200),
    ("DELETE", "/api/v1/registryendpoints/{name}"): (401, 403, 200),
    ("POST", "/api/v1/registryendpoints/{name}:test"): (401, 403, 200),
    ("GET", "/api/v1/events"): (401, 200, 200),
    ("GET", "/api/v1/fleet/summary"): (401, 200, 200),
    ("GET", "/api/v1/users"): (401, 200, 200),
    ("POST", "/api/v1/users"): (401, 403, 201),
    ("GET", "/api/v1/users/{name}"): (401, 200, 200),
    # a viewer changes only its own password (tests/integration/groundcontrol/test_users.py)
    ("PUT", "/api/v1/users/{name}"): (401, 403, 200),
    ("PATCH", "/api/v1/users/{name}"): (401, 403, 200),
    ("DELETE", "/api/v1/users/{name}"): (401, 403, 204),
    # Before the rotation there is no previous CA to retire (404); the rotation leaves one,
    # so the listeners keep their certificate and every client here its trust.
    ("DELETE", "/api/v1/ca/previous"): (401, 403, 404),
    ("GET", "/api/v1/ca"): (401, 200, 200),
    ("POST", "/api/v1/ca/rotation"): (401, 403, 201),
}
OPEN = {("GET", "/healthz"), ("HEAD", "/healthz"), ("GET", "/readyz"), ("HEAD", "/readyz"),
        ("GET", "/metrics"), ("HEAD", "/metrics"), ("GET", "/api/v1/openapi.yaml"),
        ("HEAD", "/api/v1/openapi.yaml"), ("POST", "/api/v1/login"), ("POST", "/api/v1/logout"),
        # the web UI's files (tests/integration/webui): the page logs in through the API
        ("GET", "/"), ("HEAD", "/"), ("GET", "/ui"), ("HEAD", "/ui"), ("GET", "/ui/"),
        ("HEAD", "/ui/"), ("GET", "/ui/{file}"), ("HEAD", "/ui/{file}")}
SATELLITE_ROUTES = {("GET", "/satellite/v1/state"), ("GET", "/satellite/v1/config"),
                    ("POST", "/satellite/v1/heartbeat"), ("POST", "/satellite/v1/status"),
                    ("POST", "/satellite/v1/enroll"), ("POST", "/satellite/v1/renew"),
                    ("POST", "/satellite/v1/enrollmentrequests"),
                    ("GET", "/satellite/v1/enrollmentrequests/{name}"),
                    ("GET", "/satellite/v1/ca"), ("POST", "/satellite/v1/servingcertificate"),
                    ("POST", "/satellite/v1/nats/credentials")}
# A group's Harbor credentials (HTTP basic) open that group's state file and nothing else:
# every other route answers as to no credentials (401); another group's state file 403.
HARBOR_PAIR = {("PUT", "/api/v1/groups/{name}/state"): 403,
               ("POST", "/api/v1/groups/{name}/state"): 403}


# What the matrix's registry endpoints point at: a port nothing listens on (a connection
# test is then a quick "unavailable" result, still a 200).
UNREACHABLE_REGISTRY = "http://127.0.0.1:9"


def test_the_matrix_covers_every_route(contract):
    documented = {(method.upper(), path) for path, item in contract.doc["paths"].items()
                  for method in item if method in ("get", "put", "post", "patch", "delete", "head")}
    assert documented - set(MATRIX) - OPEN - SATELLITE_ROUTES == set()


def request_for(method, template, n):
    """A request that succeeds for admin: the n-th run uses fresh names."""
    name = {"satellites": f"m-sat-{n}", "groups": f"m-group-{n}",
            "satelliteconfigs": f"m-config-{n}", "users": f"m-user-{n}",
            "enrollmentrequests": f"m-request-{n}", "registryendpoints": f"m-endpoint-{n}"}
    kind = template.split("/")[3]
    params = {"name": name.get(kind, "x"), "accessId": "x", "id": "x"}
    body = raw = None
    headers = {}
    if method in ("POST", "PUT", "PATCH"):
        if template.endswith("/state"):
            raw = json.dumps(SAMPLE)
        elif template.endswith(("/token", "/revoke", "/credentials", ":test")):
            body = None
        elif template.endswith("/leafnodes"):
            body = {"name": "site", "satellites": ["x"]}
        elif template.endswith("/commands"):
            body = {"type": "report.status"}
        elif template.endswith("/approval"):
            body = {"approved": True, "labels": {"from": "matrix"}}
        elif kind == "users":
            body = {"metadata": {"name": params["name"]}, "spec": {"password": "pw", "role": "viewer"}}
        elif method == "PATCH":
            body = {"metadata": {"labels": {"patched": "yes"}}}
            headers["Content-Type"] = "application/merge-patch+json"
        else:
            body = {"metadata": {"name": params["name"]}}
            if kind == "registryendpoints":
                body["spec"] = {"url": UNREACHABLE_REGISTRY}
    return params, body, raw, headers


def prepare(server, contract, admin, template, n):
    """Creates what the route acts on (as admin); returns path parameters it made."""
    params, _, _, _ = request_for("GET", template, n)
    kind = template.split("/")[3]
    if "{name}" not in template:
        return {}
    if kind == "users":
        admin.call("POST", "/api/v1/users", body={
            "metadata": {"name": params["name"]}, "spec": {"password": "pw"}})
    elif kind == "enrollmentrequests":
        _, csr = make_key_and_csr(server.data_dir, params["name"])
        assert request_enrollment(server, contract, params["name"], csr)[0] == 201
    elif kind == "registryendpoints":
        admin.call("POST", f"/api/v1/{kind}", body={"metadata": {"name": params["name"]},
                                                    "spec": {"url": UNREACHABLE_REGISTRY}})
    else:
        admin.call("POST", f"/api/v1/{kind}", body={"metadata": {"name": params["name"]}})
    if "{id}" in template:
        command = admin.call("POST", "/api/v1/satellites/{name}/commands", params,
                             body={"type": "collect.garbage"})[1]
        return {"id": command["id"]}
    if "{accessId}" in template:
        pair = admin.call("POST", "/api/v1/groups/{name}/credentials", params)[1]
        return {"accessId": pair["accessId"]}
    return {}


def test_every_management_route_by_role(server, contract, admin):
    assert admin.call("POST", "/api/v1/users", body={
        "metadata": {"name": "viewer"}, "spec": {"password": "viewpw", "role": "viewer"}})[0] == 201
    viewer = Client(server.printed["management"], server.ca_file, contract)
    status, body, _ = viewer.call("POST", "/api/v1/login",
                                  body={"username": "viewer", "password": "viewpw"})
    assert status == 200
    viewer.token = body["token"]
    anonymous = Client(server.printed["management"], server.ca_file, contract)
    for n, ((method, template), expected) in enumerate(MATRIX.items()):
        made = prepare(server, contract, admin, template, n)
        params, body, raw, headers = request_for(method, template, n)
        params.update(made)
        for who, client, want in (("none", anonymous, expected[0]), ("viewer", viewer, expected[1]),
                                  ("admin", admin, expected[2])):
            status, answer, _ = client.call(method, template, params, body=body, raw=raw,
                                            headers=headers)
            assert status == want, f"{who}: {method} {template} → {status} {answer}"


def test_a_harbor_pair_opens_its_groups_state_file_and_nothing_else(server, contract, admin):
    assert admin.call("POST", "/api/v1/groups", body={"metadata": {"name": "pair-home"}})[0] == 201
    pair = admin.call("POST", "/api/v1/groups/{name}/credentials", {"name": "pair-home"})[1]
    harbor = Client(server.printed["management"], server.ca_file, contract)
    auth = basic_auth(pair["accessId"], pair["secret"])
    for n, (method, template) in enumerate(MATRIX):
        params, body, raw, headers = request_for(method, template, 1000 + n)
        status, answer, _ = harbor.call(method, template, params, body=body, raw=raw,
                                        headers=dict(headers, **auth))
        want = HARBOR_PAIR.get((method, template), 401)
        assert status == want, f"harbor pair: {method} {template} → {status} {answer}"
    for method in ("PUT", "POST"):
        assert harbor.call(method, "/api/v1/groups/{name}/state", {"name": "pair-home"},
                           raw=json.dumps(SAMPLE), headers=auth)[0] == 200


@pytest.mark.parametrize("raw,status,field", [
    ("{not json", 400, None),
    ('{"metadata":{"name":"g1"},"spec":{"satelites":[]}}', 400, "spec.satelites"),
    ('{"metadata":{"name":"Bad_Name"}}', 400, "metadata.name"),
    ('{"metadata":{"name":"g2","labels":{"k":"-bad"}}}', 400, "metadata.labels.k"),
    ('{"metadata":{"name":"g3"},"spec":{"artifacts":[{"repository":"a","digest":"sha256:1"}]}}',
     400, "spec.artifacts[0].digest"),
    ('{"metadata":{"name":"g4"},"spec":{"selector":{"matchExpressions":[{"key":"a","operator":"Is"}]}}}',
     400, "spec.selector.matchExpressions[0].operator"),
])
def test_bad_groups_are_refused_naming_the_field(admin, raw, status, field):
    got, body, _ = admin.call("POST", "/api/v1/groups", raw=raw)
    assert got == status, body
    if field:
        assert body["error"]["message"].startswith(field + ":"), body


def oversized_status(client):
    """Announces a 9 MiB body and sends none of it: the answer comes from the length alone."""
    import http.client
    connection = http.client.HTTPSConnection(client.host, client.port, context=client.context,
                                             timeout=30)
    connection.putrequest("POST", "/api/v1/groups")
    connection.putheader("Authorization", f"Bearer {client.token}")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(9 * 1024 * 1024))
    connection.endheaders()
    response = connection.getresponse()
    body = json.loads(response.read())
    client.contract.check("POST", "/api/v1/groups", response.status, body)
    connection.close()
    return response.status


def test_bad_input_elsewhere_never_changes_anything(admin):
    assert admin.call("POST", "/api/v1/groups", body={"metadata": {"name": "kept"}})[0] == 201
    before = admin.call("GET", "/api/v1/groups/{name}", {"name": "kept"})[1]
    bad_entry = {"artifacts": [SAMPLE["artifacts"][0], {"repository": "x", "digest": "nope"}]}
    status, body, _ = admin.call("PUT", "/api/v1/groups/{name}/state", {"name": "kept"},
                                 raw=json.dumps(bad_entry))
    assert status == 400 and body["error"]["message"].startswith("artifacts[1].digest"), body
    assert admin.call("GET", "/api/v1/groups/{name}/harborartifacts", {"name": "kept"})[1]["artifacts"] == []
    assert oversized_status(admin) == 413
    stale = dict(before)
    stale["metadata"] = dict(before["metadata"], resourceVersion="1")
    assert admin.call("PUT", "/api/v1/groups/{name}", {"name": "kept"}, body=stale)[0] == 409
    assert admin.call("GET", "/api/v1/groups/{name}", {"name": "kept"})[1] == before
    for query in ("labelSelector=%3Dx", "fieldSelector=spec.x%3D1", "limit=0", "continue=Not%20a%20name",
                  "sortBy=spec.config", "sortBy=-metadata.creationTimestamp&continue=sat-1"):
        status, body, _ = admin.call("GET", "/api/v1/satellites", query=query)
        assert status == 400, (query, body)
        field = query.split("&")[-1].split("=")[0]
        assert body["error"]["message"].startswith(field), (query, body)


def test_a_restart_keeps_the_ca_users_satellites_tokens_and_certificates(contract, tmp_path,
                                                                         fresh_deployment):
    directory = str(tmp_path)
    deployment = fresh_deployment()  # the same engine (and database) for both processes
    first = Server(directory, deployment)
    password = first.printed["admin"]
    admin = login(first, contract, "admin", password)
    assert admin.call("POST", "/api/v1/users", body={
        "metadata": {"name": "watcher"}, "spec": {"password": "watchpw", "role": "viewer"}})[0] == 201
    token = create_satellite(admin, "sat-restart", {"site": "berlin"})
    unused = create_satellite(admin, "sat-later")
    _, _, cert = enroll(first, contract, token, "sat-restart")
    ca = pathlib.Path(first.ca_file).read_text()
    first.stop()

    second = Server(directory, deployment)
    assert "admin" not in second.printed  # the password is printed on the first start only
    assert pathlib.Path(second.ca_file).read_text() == ca
    again = login(second, contract, "admin", password)
    satellites = again.call("GET", "/api/v1/satellites")[1]["items"]
    assert {s["metadata"]["name"]: s["metadata"]["labels"] for s in satellites} == {
        "sat-restart": {"site": "berlin"}, "sat-later": {}}
    viewer = login(second, contract, "watcher", "watchpw")
    assert viewer.call("GET", "/api/v1/satellites")[0] == 200
    assert viewer.call("POST", "/api/v1/groups", body={"metadata": {"name": "no"}})[0] == 403
    satellite = satellite_client(second, contract, cert)
    assert satellite.call("GET", "/satellite/v1/state")[0] == 200
    # The token made before the restart still enrolls, once.
    status, _, later = enroll(second, contract, unused, "sat-later")
    assert status == 200
    assert satellite_client(second, contract, later).call("GET", "/satellite/v1/state")[1][
        "satellite"] == "sat-later"
    second.stop()


def test_upstream_credentials_are_write_only_sealed_and_reach_only_the_satellite(server, contract, admin):
    secret = "s3cret-robot-password-4711"
    patch = {"spec": {"upstream": {"url": "https://harbor.example", "username": "robot$edge",
                                   "password": secret}}}
    status, config, _ = admin.call("PATCH", "/api/v1/satelliteconfigs/{name}", {"name": "default"},
                                   body=patch, headers={"Content-Type": "application/merge-patch+json"})
    assert status == 200, config
    assert config["spec"]["upstream"]["passwordSet"] is True
    assert secret not in json.dumps(config)
    generation = config["spec"]["upstream"]["credentialsGeneration"]
    got = admin.call("GET", "/api/v1/satelliteconfigs/{name}", {"name": "default"})[1]
    assert secret not in json.dumps(got)

    token = create_satellite(admin, "sat-config")
    _, _, cert = enroll(server, contract, token, "sat-config")
    satellite = satellite_client(server, contract, cert)
    status, document, response = satellite.call("GET", "/satellite/v1/config")
    assert status == 200, document
    assert document["spec"]["upstream"]["password"] == secret
    assert document["spec"]["upstream"]["username"] == "robot$edge"
    assert response.getheader("Cache-Control") == "no-store"
    state = satellite.call("GET", "/satellite/v1/state")[1]
    assert state["config"]["digest"] == document["digest"]
    assert state["upstream"]["url"] == "https://harbor.example"

    # Never at rest in clear, never in the log.
    stored = server.stored_bytes()
    assert b"sat-config" in stored  # what is searched holds the data
    assert secret.encode() not in stored
    assert secret not in server.stderr()

    # A replace without the password keeps it; "" removes it, and the digest moves each time
    # the secret does.
    kept = admin.call("PUT", "/api/v1/satelliteconfigs/{name}", {"name": "default"}, body={
        "metadata": {"name": "default"}, "spec": got["spec"]})[1]
    assert kept["spec"]["upstream"]["passwordSet"] is True
    assert kept["spec"]["upstream"]["credentialsGeneration"] == generation
    assert satellite.call("GET", "/satellite/v1/config")[1]["spec"]["upstream"]["password"] == secret
    cleared = admin.call("PATCH", "/api/v1/satelliteconfigs/{name}", {"name": "default"},
                         body={"spec": {"upstream": {"password": ""}}},
                         headers={"Content-Type": "application/merge-patch+json"})[1]
    assert cleared["spec"]["upstream"]["passwordSet"] is False
    after = satellite.call("GET", "/satellite/v1/config")[1]
    assert "password" not in after["spec"]["upstream"]
    assert after["digest"] != document["digest"]


def test_heartbeats_show_as_connectivity_sync_and_clock_offset(server, contract, admin):
    token = create_satellite(admin, "sat-beat")
    _, _, cert = enroll(server, contract, token, "sat-beat")
    satellite = satellite_client(server, contract, cert)
    before = admin.call("GET", "/api/v1/satellites/{name}", {"name": "sat-beat"})[1]
    assert before["status"]["connectivity"] == "offline"  # never heard from
    state = satellite.call("GET", "/satellite/v1/state")[1]
    ahead = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 120))
    status, answer, _ = satellite.call("POST", "/satellite/v1/heartbeat", body={
        "version": "0.1.0", "uptimeSeconds": 42, "diskUsedBytes": 1000, "diskFreeBytes": 9000,
        "bytesTransferred": 5, "stateDigest": state["stateDigest"], "time": ahead,
        "futureField": {"ignored": True}})
    assert status == 200, answer
    assert answer["inSync"] is True and answer["stateDigest"] == state["stateDigest"]
    assert answer["nextHeartbeatSeconds"] > 0
    # Written in batches, about once a second.
    deadline = time.time() + 10
    while time.time() < deadline:
        shown = admin.call("GET", "/api/v1/satellites/{name}", {"name": "sat-beat"})[1]["status"]
        if "heartbeat" in shown:
            break
        time.sleep(0.2)
    assert shown["connectivity"] == "online", shown
    assert shown["sync"] == "in-sync"
    assert shown["heartbeat"]["version"] == "0.1.0"
    assert 100_000 <= shown["heartbeat"]["clockOffsetMs"] <= 140_000  # its clock runs 2 min ahead
    online = admin.call("GET", "/api/v1/satellites", query="fieldSelector=status.connectivity%3Donline")[1]
    assert "sat-beat" in [item["metadata"]["name"] for item in online["items"]]
    offline = admin.call("GET", "/api/v1/satellites", query="fieldSelector=status.connectivity%3Doffline")[1]
    assert "sat-beat" not in [item["metadata"]["name"] for item in offline["items"]]
    # Most recently heard from first; a page resumes in that order.
    assert create_satellite(admin, "sat-silent")
    status, recent, _ = admin.call("GET", "/api/v1/satellites",
                                   query="sortBy=-status.heartbeat.time&limit=1")
    assert status == 200, recent
    assert [item["metadata"]["name"] for item in recent["items"]] == ["sat-beat"]
    rest = admin.call("GET", "/api/v1/satellites", query="sortBy=-status.heartbeat.time&continue="
                      + recent["metadata"]["continue"])[1]
    assert "sat-silent" in [item["metadata"]["name"] for item in rest["items"]]
    assert "sat-beat" not in [item["metadata"]["name"] for item in rest["items"]]
    for bad in ({"uptimeSeconds": -1}, {"time": "yesterday"}, {"version": 7}):
        status, body, _ = satellite.call("POST", "/satellite/v1/heartbeat", body=bad)
        assert status == 400, (bad, body)


def test_metrics_show_the_fleet_and_the_long_polls_held(server, contract, admin):
    token = create_satellite(admin, "sat-metrics")
    _, _, cert = enroll(server, contract, token, "sat-metrics")
    satellite = satellite_client(server, contract, cert)
    _, state, response = satellite.call("GET", "/satellite/v1/state")
    etag = response.getheader("ETag")
    held = threading.Thread(target=lambda: satellite.call(
        "GET", "/satellite/v1/state", query="wait=3", headers={"If-None-Match": etag}, timeout=30))
    held.start()
    time.sleep(1)

    import http.client
    connection = http.client.HTTPSConnection(admin.host, admin.port, context=admin.context)
    connection.request("GET", "/metrics")
    text = connection.getresponse().read().decode()
    values = {line.split()[0]: float(line.split()[1]) for line in text.splitlines()
              if line.startswith("groundcontrol_") and " " in line and "{" not in line.split()[0]}
    assert values["groundcontrol_satellites"] >= 1
    assert values["groundcontrol_long_polls_held"] == 1
    assert "groundcontrol_view_revision" in values
    held.join()


def run_sql(server, sql):
    """Runs `sql` on the deployment's database, as an operator at the console would."""
    if server.database:
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", server.database,
                        "-c", sql], check=True, capture_output=True)
    else:
        import sqlite3
        with sqlite3.connect(os.path.join(server.data_dir, "groundcontrol.db"), timeout=10) as db:
            db.execute(sql)


def test_readyz_says_whether_the_schema_is_the_one_this_binary_writes(server, contract):
    client = Client(server.printed["management"], server.ca_file, contract)
    assert client.call("GET", "/readyz")[0] == 200
    # A newer replica migrated the database past this binary: this one is not ready.
    run_sql(server, "INSERT INTO schema_migrations (version, name) VALUES (100000, 'from a newer binary')")
    try:
        assert client.call("GET", "/readyz")[0] == 503
        assert client.call("GET", "/healthz")[0] == 200  # alive, only not ready
    finally:
        run_sql(server, "DELETE FROM schema_migrations WHERE version = 100000")
    assert client.call("GET", "/readyz")[0] == 200


def test_a_satellites_status_shows_its_groups_and_the_tags_they_dispute(server, contract, admin):
    one, two = "sha256:" + "1" * 64, "sha256:" + "2" * 64
    create_satellite(admin, "sat-disputed", {"dispute": "yes"})
    for name, digest in (("dispute-a", one), ("dispute-b", two)):
        status, body, _ = admin.call("POST", "/api/v1/groups", body={
            "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": {"dispute": "yes"}},
                     "artifacts": [{"repository": "library/app", "digest": digest,
                                    "tags": ["stable", name]}]}})
        assert status == 201, body
    status, shown, _ = admin.call("GET", "/api/v1/satellites/{name}", {"name": "sat-disputed"})
    assert status == 200
    assert shown["status"]["groups"] == ["dispute-a", "dispute-b"]
    assert shown["status"]["tagConflicts"] == [
        {"repository": "library/app", "tag": "stable", "digests": [one, two]}]
    # Once the groups agree, the dispute is gone.
    admin.call("PATCH", "/api/v1/groups/{name}", {"name": "dispute-b"},
               headers={"Content-Type": "application/merge-patch+json"},
               body={"spec": {"artifacts": [{"repository": "library/app", "digest": two,
                                             "tags": ["dispute-b"]}]}})
    shown = admin.call("GET", "/api/v1/satellites/{name}", {"name": "sat-disputed"})[1]
    assert shown["status"]["tagConflicts"] == []


# The satellite listener's auth matrix: every satellite route × {no certificate, a valid
# satellite certificate, a revoked one, one from another CA, a burned or unknown enrollment
# token}. Routes that act for a satellite take its name from the certificate alone (no route
# names the satellite it reports for), so "A reporting for B" cannot even be asked. Polling an
# enrollment request is open by design (its certificate is useless without the device's key).
# "authorized" means any answer but 401/403; "tls" a refused handshake.
SATELLITE_MATRIX = {
    # route: (no certificate, valid, revoked, other CA)
    ("GET", "/satellite/v1/state"): (401, "authorized", 401, "tls"),
    ("GET", "/satellite/v1/config"): (401, "authorized", 401, "tls"),
    ("POST", "/satellite/v1/heartbeat"): (401, "authorized", 401, "tls"),
    ("POST", "/satellite/v1/status"): (401, "authorized", 401, "tls"),
    ("POST", "/satellite/v1/renew"): (401, "authorized", 401, "tls"),
    ("POST", "/satellite/v1/servingcertificate"): (401, "authorized", 401, "tls"),
    ("POST", "/satellite/v1/nats/credentials"): (401, "authorized", 401, "tls"),
    ("GET", "/satellite/v1/ca"): (401, "authorized", 401, "tls"),  # the bundle, for renewals
    # open before enrollment: a token, a request
    ("POST", "/satellite/v1/enroll"): (401, 401, 401, "tls"),  # with a burned token
    ("POST", "/satellite/v1/enrollmentrequests"): ("authorized",) * 3 + ("tls",),
    ("GET", "/satellite/v1/enrollmentrequests/{name}"): ("authorized",) * 3 + ("tls",),
}


def satellite_request(method, template, server, n):
    """The body a satellite would send on `template` (what varies is only who sends it)."""
    if template.endswith("/heartbeat"):
        return {"version": "0.1.0", "uptimeSeconds": 1, "diskUsedBytes": 1, "diskFreeBytes": 1,
                "bytesTransferred": 0, "stateDigest": "sha256:" + "0" * 64}
    if template.endswith("/status"):
        return {"artifacts": []}
    if template.endswith(("/renew", "/servingcertificate", "/enrollmentrequests")):
        _, csr = make_key_and_csr(server.data_dir, f"matrix-{n}")
        return {"csr": csr} if not template.endswith("/enrollmentrequests") else {
            "name": f"matrix-request-{n}", "csr": csr}
    if template.endswith("/nats/credentials"):
        return {"publicKey": "U" + "A" * 55}
    if template.endswith("/enroll"):
        _, csr = make_key_and_csr(server.data_dir, f"matrix-enroll-{n}")
        return {"token": "gce_burned-or-unknown", "csr": csr}
    return None


def test_the_satellite_matrix_covers_every_satellite_route(contract):
    documented = {(method.upper(), path) for path, item in contract.doc["paths"].items()
                  if path.startswith("/satellite/") for method in item
                  if method in ("get", "put", "post", "patch", "delete")}
    assert documented == set(SATELLITE_MATRIX) == SATELLITE_ROUTES


def test_every_satellite_route_answers_each_identity_as_the_matrix_says(server, contract, admin):
    _, valid = enrolled(server, contract, admin, "matrix-valid")
    _, revoked = enrolled(server, contract, admin, "matrix-revoked")
    assert admin.call("POST", "/api/v1/satellites/{name}/revoke",
                      {"name": "matrix-revoked"})[0] == 204
    directory = server.data_dir
    stranger = (os.path.join(directory, "matrix-stranger.crt"),
                os.path.join(directory, "matrix-stranger.key"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", stranger[1], "-out",
                    stranger[0], "-subj", "/CN=matrix-valid", "-days", "1"], check=True,
                   capture_output=True)
    _, csr = make_key_and_csr(directory, "matrix-asked")
    assert request_enrollment(server, contract, "matrix-asked", csr)[0] == 201
    identities = (None, valid, revoked, stranger)
    seen = []
    for n, ((method, template), expected) in enumerate(SATELLITE_MATRIX.items()):
        for who, want in zip(("none", "valid", "revoked", "other CA"), expected):
            client = Client(server.printed["satellite"], server.ca_file, contract,
                            cert=identities[("none", "valid", "revoked", "other CA").index(who)])
            body = satellite_request(method, template, server, f"{n}-{who.replace(' ', '')}")
            try:
                status, answer, _ = client.call(method, template, {"name": "matrix-asked"},
                                                body=body)
            except (ssl.SSLError, ConnectionResetError, BrokenPipeError):
                status = "tls"
            ok = (status not in (401, 403, "tls")) if want == "authorized" else status == want
            seen.append((method, template, who, status, want, ok))
    wrong = [row for row in seen if not row[-1]]
    assert not wrong, "\n".join(f"{m} {t} as {w}: {s}, expected {e}" for m, t, w, s, e, _ in wrong)
