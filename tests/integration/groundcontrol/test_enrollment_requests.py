"""Enrollment without a token (a device asks, an admin approves or denies, the device polls
for its certificate) and Harbor's group credentials, through the real binary over HTTPS
and mTLS. Every answer is validated against api/openapi.yaml (conftest.Client)."""
import json
import os
import pathlib
import subprocess
import tempfile

from conftest import (ROOT, Client, Server, basic_auth, make_key_and_csr,
                      request_enrollment)

SAMPLE = json.loads((ROOT / "tests" / "data" / "harbor-state-sample.json").read_text())


def poll(server, contract, name):
    device = Client(server.printed["satellite"], server.ca_file, contract)
    status, body, response = device.call("GET", "/satellite/v1/enrollmentrequests/{name}",
                                         {"name": name})
    return status, body, response


def test_a_device_without_a_token_is_approved_and_its_certificate_places_it_in_a_group(
        server, contract, admin):
    assert admin.call("POST", "/api/v1/groups", body={
        "metadata": {"name": "tokenless-edge"},
        "spec": {"selector": {"matchLabels": {"tier": "edge"}}}})[0] == 201
    assert admin.call("PUT", "/api/v1/groups/{name}/state", {"name": "tokenless-edge"},
                      raw=json.dumps({"artifacts": SAMPLE["artifacts"][:2]}))[0] == 200
    key, csr = make_key_and_csr(server.data_dir, "sat-tokenless")
    status, asked = request_enrollment(server, contract, "sat-tokenless", csr,
                                       labels={"site": "berlin"},
                                       deviceInfo={"serialNumber": "X-1"}, newerField=[1])
    assert status == 201, asked
    assert asked["kind"] == "EnrollmentRequest"
    assert asked["status"] == {"phase": "Pending"}
    assert asked["spec"]["csr"] == csr and asked["spec"]["labels"] == {"site": "berlin"}
    # A retry of the same request is answered, not refused.
    assert request_enrollment(server, contract, "sat-tokenless", csr)[0] == 200
    status, polled, response = poll(server, contract, "sat-tokenless")
    assert status == 200 and polled["status"]["phase"] == "Pending"
    assert "spec" not in polled  # the CSR and device info stay with the admins
    assert response.getheader("Cache-Control") == "no-store"

    pending = admin.call("GET", "/api/v1/enrollmentrequests",
                         query="fieldSelector=status.phase%3DPending")[1]
    assert "sat-tokenless" in [item["metadata"]["name"] for item in pending["items"]]
    by_label = admin.call("GET", "/api/v1/enrollmentrequests", query="labelSelector=site%3Dberlin")[1]
    assert [item["metadata"]["name"] for item in by_label["items"]] == ["sat-tokenless"]
    shown = admin.call("GET", "/api/v1/enrollmentrequests/{name}", {"name": "sat-tokenless"})[1]
    assert shown["spec"]["deviceInfo"] == {"serialNumber": "X-1"}

    status, approved, _ = admin.call("POST", "/api/v1/enrollmentrequests/{name}/approval",
                                     {"name": "sat-tokenless"},
                                     body={"approved": True, "labels": {"tier": "edge"},
                                           "reason": "serial checked"})
    assert status == 200, approved
    assert approved["status"]["phase"] == "Approved"
    assert approved["status"]["approval"]["decidedBy"] == "user:admin"
    assert admin.call("POST", "/api/v1/enrollmentrequests/{name}/approval",
                      {"name": "sat-tokenless"}, body={"approved": True})[0] == 409

    status, polled, _ = poll(server, contract, "sat-tokenless")
    assert polled["status"]["phase"] == "Approved"
    assert polled["status"]["ca"] == pathlib.Path(server.ca_file).read_text()
    cert = os.path.join(server.data_dir, "sat-tokenless.crt")
    pathlib.Path(cert).write_text(polled["status"]["certificate"])
    satellite = Client(server.printed["satellite"], server.ca_file, contract, cert=(cert, key))
    status, state, _ = satellite.call("GET", "/satellite/v1/state")
    assert status == 200, state
    assert state["satellite"] == "sat-tokenless"
    assert state["groups"] == ["tokenless-edge"]
    assert {a["digest"] for a in state["artifacts"]} == {a["digest"] for a in SAMPLE["artifacts"][:2]}

    created = admin.call("GET", "/api/v1/satellites/{name}", {"name": "sat-tokenless"})[1]
    assert created["metadata"]["labels"] == {"site": "berlin", "tier": "edge"}
    assert created["status"]["certificate"]["serial"] == polled["status"]["serial"]
    trail = admin.call("GET", "/api/v1/events", query="kind=EnrollmentRequest&name=sat-tokenless")[1]
    assert [(e["verb"], e["actor"]) for e in trail["items"]][-1] == ("approve", "user:admin")
    assert trail["items"][0]["verb"] == "request"
    # The certificate is one like any other: revocation voids it.
    assert admin.call("POST", "/api/v1/satellites/{name}/revoke", {"name": "sat-tokenless"})[0] == 204
    assert satellite.call("GET", "/satellite/v1/state")[0] == 401


def test_a_denied_or_taken_name_cannot_ask_again_until_an_admin_deletes_the_request(
        server, contract, admin):
    _, csr = make_key_and_csr(server.data_dir, "sat-denied")
    _, other_csr = make_key_and_csr(server.data_dir, "sat-denied-other")
    assert request_enrollment(server, contract, "sat-denied", csr)[0] == 201
    status, body = request_enrollment(server, contract, "sat-denied", other_csr)
    assert status == 409 and body["error"]["code"] == "ALREADY_EXISTS", body  # no hijack

    status, denied, _ = admin.call("POST", "/api/v1/enrollmentrequests/{name}/approval",
                                   {"name": "sat-denied"},
                                   body={"approved": False, "reason": "not ours"})
    assert status == 200, denied
    status, polled, _ = poll(server, contract, "sat-denied")
    assert polled["status"]["phase"] == "Denied"
    assert polled["status"]["approval"]["reason"] == "not ours"
    assert "certificate" not in polled["status"]
    assert admin.call("GET", "/api/v1/satellites/{name}", {"name": "sat-denied"})[0] == 404
    assert admin.call("POST", "/api/v1/enrollmentrequests/{name}/approval", {"name": "sat-denied"},
                      body={"approved": True})[0] == 409
    assert request_enrollment(server, contract, "sat-denied", csr)[0] == 409
    assert admin.call("DELETE", "/api/v1/enrollmentrequests/{name}", {"name": "sat-denied"})[0] == 200
    assert request_enrollment(server, contract, "sat-denied", csr)[0] == 201

    assert admin.call("POST", "/api/v1/satellites", body={"metadata": {"name": "sat-named"}})[0] == 201
    _, named_csr = make_key_and_csr(server.data_dir, "sat-named")
    status, body = request_enrollment(server, contract, "sat-named", named_csr)
    assert status == 409 and "satellite" in body["error"]["message"], body
    for bad in ({"approved": "yes"}, {"approved": True, "labels": {"k": "-bad"}},
                {"approved": True, "extra": 1}, {}):
        status, body, _ = admin.call("POST", "/api/v1/enrollmentrequests/{name}/approval",
                                     {"name": "sat-denied"}, body=bad)
        assert status == 400, (bad, body)
    assert poll(server, contract, "sat-unknown")[0] == 404


def rsa_1024_csr(directory):
    key = os.path.join(directory, "weak.key")
    subprocess.run(["openssl", "req", "-new", "-newkey", "rsa:1024", "-nodes", "-keyout", key,
                    "-subj", "/CN=weak", "-out", key + ".csr"], check=True, capture_output=True)
    return pathlib.Path(key + ".csr").read_text()


def test_what_a_stranger_can_send_is_bounded(server, contract, admin):
    _, csr = make_key_and_csr(server.data_dir, "sat-bounded")
    device = Client(server.printed["satellite"], server.ca_file, contract)
    cases = [
        ({"name": "Bad_Name", "csr": csr}, 400, "name:"),
        ({"name": "sat-bounded"}, 400, "csr:"),
        ({"name": "sat-bounded", "csr": "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n"}, 400, "csr:"),
        ({"name": "sat-bounded", "csr": rsa_1024_csr(server.data_dir)}, 400, "csr:"),
        ({"name": "sat-bounded", "csr": csr, "deviceInfo": "text"}, 400, "deviceInfo:"),
        ({"name": "sat-bounded", "csr": csr, "deviceInfo": {"x": "y" * 5000}}, 400, "deviceInfo:"),
        ({"name": "sat-bounded", "csr": csr, "labels": {"bad key!": "v"}}, 400, "labels."),
    ]
    for body, want, field in cases:
        status, answer, _ = device.call("POST", "/satellite/v1/enrollmentrequests", body=body)
        assert status == want, (body, answer)
        assert answer["error"]["message"].startswith(field), answer
    status, answer, _ = device.call("POST", "/satellite/v1/enrollmentrequests",
                                    raw=json.dumps({"name": "sat-big", "csr": "x" * (66 * 1024)}))
    assert status == 413, answer
    listed = admin.call("GET", "/api/v1/enrollmentrequests", query="fieldSelector=metadata.name%3Dsat-bounded")[1]
    assert listed["items"] == []  # nothing bad was stored


def test_pending_requests_are_capped(contract):
    directory = tempfile.mkdtemp(prefix="gc-cap-")
    capped = Server(directory, extra=["--max-pending-enrollment-requests", "2"])
    try:
        for n in (1, 2):
            _, csr = make_key_and_csr(directory, f"cap-{n}")
            assert request_enrollment(capped, contract, f"cap-{n}", csr)[0] == 201
        _, csr = make_key_and_csr(directory, "cap-3")
        status, body = request_enrollment(capped, contract, "cap-3", csr)
        assert status == 429 and body["error"]["code"] == "TOOMANYREQUESTS", body
        admin = Client(capped.printed["management"], capped.ca_file, contract)
        admin.token = admin.call("POST", "/api/v1/login", body={
            "username": "admin", "password": capped.printed["admin"]})[1]["token"]
        assert admin.call("POST", "/api/v1/enrollmentrequests/{name}/approval", {"name": "cap-1"},
                          body={"approved": False})[0] == 200
        assert request_enrollment(capped, contract, "cap-3", csr)[0] == 201
    finally:
        capped.stop()


def test_harbor_sends_a_groups_state_with_that_groups_access_id_and_secret(server, contract, admin):
    for name in ("harbor-edge", "harbor-other", "harbor-gone"):
        assert admin.call("POST", "/api/v1/groups", body={"metadata": {"name": name}})[0] == 201
    status, pair, response = admin.call("POST", "/api/v1/groups/{name}/credentials",
                                        {"name": "harbor-edge"})
    assert status == 201, pair
    assert response.getheader("Cache-Control") == "no-store"
    harbor = Client(server.printed["management"], server.ca_file, contract)
    auth = basic_auth(pair["accessId"], pair["secret"])
    status, result, _ = harbor.call("PUT", "/api/v1/groups/{name}/state", {"name": "harbor-edge"},
                                    raw=json.dumps(SAMPLE), headers=auth)
    assert status == 200, result
    assert result["upserted"] == len(SAMPLE["artifacts"])
    assert harbor.call("POST", "/api/v1/groups/{name}/state", {"name": "harbor-edge"},
                       query="full=true", raw=json.dumps(SAMPLE), headers=auth)[0] == 200
    trail = admin.call("GET", "/api/v1/events", query="kind=Group&name=harbor-edge")[1]["items"]
    assert trail[-1]["verb"] == "ingest" and trail[-1]["actor"] == f"harbor:{pair['accessId']}"

    # Another group's state: 403; any other route: as without credentials.
    status, body, _ = harbor.call("PUT", "/api/v1/groups/{name}/state", {"name": "harbor-other"},
                                  raw=json.dumps(SAMPLE), headers=auth)
    assert status == 403 and body["error"]["code"] == "PERMISSION_DENIED", body
    for method, template in (("GET", "/api/v1/groups/{name}"), ("GET", "/api/v1/groups"),
                             ("GET", "/api/v1/groups/{name}/credentials")):
        assert harbor.call(method, template, {"name": "harbor-edge"}, headers=auth)[0] == 401
    wrong = basic_auth(pair["accessId"], "gchs_" + "A" * 43)
    assert harbor.call("PUT", "/api/v1/groups/{name}/state", {"name": "harbor-edge"},
                       raw=json.dumps(SAMPLE), headers=wrong)[0] == 401
    assert harbor.call("PUT", "/api/v1/groups/{name}/state", {"name": "harbor-edge"},
                       raw=json.dumps(SAMPLE), headers={"Authorization": "Basic !!"})[0] == 401

    listed = admin.call("GET", "/api/v1/groups/{name}/credentials", {"name": "harbor-edge"})[1]
    assert [c["accessId"] for c in listed["items"]] == [pair["accessId"]]
    assert pair["secret"] not in json.dumps(listed)
    assert admin.call("DELETE", "/api/v1/groups/{name}/credentials/{accessId}",
                      {"name": "harbor-edge", "accessId": pair["accessId"]})[0] == 204
    assert harbor.call("PUT", "/api/v1/groups/{name}/state", {"name": "harbor-edge"},
                       raw=json.dumps(SAMPLE), headers=auth)[0] == 401
    assert admin.call("DELETE", "/api/v1/groups/{name}/credentials/{accessId}",
                      {"name": "harbor-edge", "accessId": pair["accessId"]})[0] == 404

    # Deleting a group deletes its pairs.
    gone = admin.call("POST", "/api/v1/groups/{name}/credentials", {"name": "harbor-gone"})[1]
    assert admin.call("DELETE", "/api/v1/groups/{name}", {"name": "harbor-gone"})[0] == 200
    assert admin.call("POST", "/api/v1/groups", body={"metadata": {"name": "harbor-gone"}})[0] == 201
    assert harbor.call("PUT", "/api/v1/groups/{name}/state", {"name": "harbor-gone"},
                       raw=json.dumps(SAMPLE),
                       headers=basic_auth(gone["accessId"], gone["secret"]))[0] == 401
    assert admin.call("GET", "/api/v1/groups/{name}/credentials", {"name": "harbor-gone"})[1]["items"] == []
    for db_file in pathlib.Path(server.data_dir).glob("groundcontrol.db*"):
        assert pair["secret"].encode() not in db_file.read_bytes()
