"""Commands to satellites (docs/adr/0008): an admin issues one, it is stored at once and
shown with its phase; without NATS it waits Pending and expires unanswered after its
ttl. Every answer is validated against api/openapi.yaml."""
import subprocess
import tempfile
import time

from conftest import BINARY, Client, enrolled


def make_satellite(admin, name, group=None):
    assert admin.call("POST", "/api/v1/satellites", body={"metadata": {"name": name}})[0] == 201
    if group:
        assert admin.call("POST", "/api/v1/groups", body={
            "metadata": {"name": group},
            "spec": {"satellites": [name], "artifacts": [
                {"repository": "library/nginx", "digest": "sha256:" + "d" * 64}]}})[0] == 201


def test_a_command_is_stored_pending_and_listed_newest_first(admin):
    make_satellite(admin, "sat-cmd", group="cmd-group")
    state = admin.call("GET", "/api/v1/satellites/{name}/state", {"name": "sat-cmd"})[1]
    status, sync, _ = admin.call("POST", "/api/v1/satellites/{name}/commands",
                                 {"name": "sat-cmd"}, body={"type": "sync.state"})
    assert status == 201, sync
    assert sync["phase"] == "Pending"
    assert sync["stateDigest"] == state["stateDigest"]
    assert sync["actor"] == "user:admin"
    status, report, _ = admin.call("POST", "/api/v1/satellites/{name}/commands",
                                   {"name": "sat-cmd"},
                                   body={"type": "report.status", "ttlSeconds": 600})
    assert status == 201, report
    assert "stateDigest" not in report

    status, listed, _ = admin.call("GET", "/api/v1/satellites/{name}/commands",
                                   {"name": "sat-cmd"})
    assert status == 200
    assert [c["id"] for c in listed["items"]] == [report["id"], sync["id"]]
    status, one, _ = admin.call("GET", "/api/v1/satellites/{name}/commands",
                                {"name": "sat-cmd"}, query="limit=1")
    assert (status, len(one["items"])) == (200, 1)
    status, got, _ = admin.call("GET", "/api/v1/satellites/{name}/commands/{id}",
                                {"name": "sat-cmd", "id": sync["id"]})
    assert (status, got) == (200, sync)


def test_bad_commands_get_a_clear_error(admin):
    make_satellite(admin, "sat-cmd-bad")
    cases = [({"type": "format.disk"}, "type"), ({}, "type"),
             ({"type": "sync.state", "ttlSeconds": 1}, "ttlSeconds"),
             ({"type": "sync.state", "extra": 1}, "extra")]
    for body, field in cases:
        status, answer, _ = admin.call("POST", "/api/v1/satellites/{name}/commands",
                                       {"name": "sat-cmd-bad"}, body=body)
        assert status == 400, (body, answer)
        assert answer["error"]["message"].startswith(field), answer
    status, answer, _ = admin.call("GET", "/api/v1/satellites/{name}/commands",
                                   {"name": "sat-cmd-bad"}, query="limit=0")
    assert status == 400, answer
    for method, path, params in (
            ("POST", "/api/v1/satellites/{name}/commands", {"name": "nobody"}),
            ("GET", "/api/v1/satellites/{name}/commands", {"name": "nobody"}),
            ("GET", "/api/v1/satellites/{name}/commands/{id}",
             {"name": "sat-cmd-bad", "id": "nope"})):
        status, answer, _ = admin.call(method, path, params, body={"type": "report.status"}
                                       if method == "POST" else None)
        assert (status, answer["error"]["code"]) == (404, "NOT_FOUND"), (path, answer)
    assert admin.call("GET", "/api/v1/satellites/{name}/commands",
                      {"name": "sat-cmd-bad"})[1]["items"] == []


def test_an_unanswered_command_expires_after_its_ttl(admin):
    make_satellite(admin, "sat-cmd-ttl")
    status, command, _ = admin.call("POST", "/api/v1/satellites/{name}/commands",
                                    {"name": "sat-cmd-ttl"},
                                    body={"type": "collect.garbage", "ttlSeconds": 10})
    assert status == 201, command
    deadline = time.time() + 45
    while True:
        got = admin.call("GET", "/api/v1/satellites/{name}/commands/{id}",
                         {"name": "sat-cmd-ttl", "id": command["id"]})[1]
        if got["phase"] != "Pending":
            break
        assert time.time() < deadline, got
        time.sleep(0.5)
    assert got["phase"] == "Expired", got
    assert got["reason"] == "no answer before it expired"
    assert got["answeredAt"] >= command["expiresAt"]


def test_without_nats_a_satellite_asking_for_nats_credentials_is_told_so(server, contract, admin):
    _, cert = enrolled(server, contract, admin, "sat-cmd-nats")
    satellite = Client(server.printed["satellite"], server.ca_file, contract, cert=cert)
    status, answer, _ = satellite.call("POST", "/satellite/v1/nats/credentials",
                                       body={"publicKey": "U" + "A" * 55})
    assert (status, answer["error"]["code"]) == (404, "NOT_FOUND"), answer
    assert "--nats" in answer["error"]["message"]
    anonymous = Client(server.printed["satellite"], server.ca_file, contract)
    status, answer, _ = anonymous.call("POST", "/satellite/v1/nats/credentials",
                                       body={"publicKey": "U" + "A" * 55})
    assert status == 401, answer


def test_a_command_ttl_beyond_what_nats_keeps_is_refused_at_start():
    # NATS keeps a stored command 31 days: a longer ttl would let it vanish unexpired.
    for ttl, why in (("31d", "--command-ttl: 10s … 30d"), ("5s", "--command-ttl: 10s … 30d")):
        data_dir = tempfile.mkdtemp(prefix="gc-ttl-")
        run = subprocess.run([BINARY, "serve", "--data-dir", data_dir, "--command-ttl", ttl],
                             capture_output=True, text=True, timeout=60)
        assert run.returncode != 0, run.stdout
        assert why in run.stderr, run.stderr
        assert len(run.stderr.strip().splitlines()) == 1, run.stderr
