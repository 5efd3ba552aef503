"""The NATS command channel end to end (docs/nats.md), with real processes: ground control,
nats-server over TLS in operator mode, satellites. A command is acknowledged with its
outcome; a desired-state change reaches a satellite as a sync command answered only once
the state is applied; NATS killed mid-run leaves long-poll converging and the pending
command delivered once when NATS is back; a satellite offline during a command gets it
when it returns."""
import json
import pathlib
import http.client

from conftest import gc, wait_for


def commands(admin, name):
    status, body, _ = admin.call("GET", "/api/v1/satellites/{name}/commands", {"name": name})
    assert status == 200, body
    return body["items"]


def command(admin, name, command_id):
    return admin.call("GET", "/api/v1/satellites/{name}/commands/{id}",
                      {"name": name, "id": command_id})[1]


def issue(admin, name, kind):
    status, body, _ = admin.call("POST", "/api/v1/satellites/{name}/commands", {"name": name},
                                 body={"type": kind})
    assert status == 201, body
    return body


def final(admin, name, command_id, seconds=30):
    return wait_for(f"command {command_id} to be answered",
                    lambda: (lambda c: c if c["phase"] in ("Done", "Failed", "Expired") else None)(
                        command(admin, name, command_id)), seconds)


def start_satellite(fleet, name, directory=None):
    server, _, satellites, admin, _, _ = fleet
    if directory is None:
        assert admin.call("POST", "/api/v1/satellites", body={"metadata": {"name": name}})[0] == 201
        token = admin.call("POST", "/api/v1/satellites/{name}/token", {"name": name})[1]["token"]
        return satellites.start(name, None, "--token", token)
    return satellites.start(name, directory)


def desired_digest(admin, name):
    return admin.call("GET", "/api/v1/satellites/{name}/state", {"name": name})[1]["stateDigest"]


def applied_digest(admin, name):
    status = admin.call("GET", "/api/v1/satellites/{name}", {"name": name})[1].get("status", {})
    return status.get("heartbeat", {}).get("appliedStateDigest")


def serves(directory, repository, digest):
    """Whether the satellite's own registry holds manifest `digest` of `repository`."""
    address = next(line.split()[-1] for line in
                   pathlib.Path(directory, "stdout").read_text().splitlines()
                   if line.startswith("listening on "))
    host, port = address.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    connection.request("HEAD", f"/v2/{repository}/manifests/{digest}", headers={
        "Accept": "application/vnd.oci.image.manifest.v1+json"})
    return connection.getresponse().status == 200


def runs_of(directory, command_id):
    """How often the satellite ran the command (its log line per run)."""
    return pathlib.Path(directory, "stderr").read_text().count(f"command {command_id}: ")


def wait_on_nats(admin, name):
    """Until the satellite takes commands over NATS: one report.status it answers Done."""
    probe = issue(admin, name, "report.status")
    assert final(admin, name, probe["id"], 60)["phase"] == "Done"


def sync_command_for(admin, name, digest):
    return next((c for c in commands(admin, name)
                 if c["type"] == "sync.state" and c.get("stateDigest") == digest), None)


def test_a_command_is_acknowledged_end_to_end(fleet):
    _, _, _, admin, _, _ = fleet
    directory = start_satellite(fleet, "sat-ack")
    for kind in ("report.status", "collect.garbage"):
        sent = issue(admin, "sat-ack", kind)
        answered = final(admin, "sat-ack", sent["id"])
        assert answered["phase"] == "Done", answered
        assert answered["sentAt"] <= answered["answeredAt"]
        assert runs_of(directory, sent["id"]) == 1
    # The state it read when it joined NATS is not sent to it again as a command.
    assert sync_command_for(admin, "sat-ack", desired_digest(admin, "sat-ack")) is None


def test_refresh_credentials_fetches_the_config_again_before_it_is_answered(fleet):
    _, _, satellites, admin, _, _ = fleet
    status, _, _ = admin.call("POST", "/api/v1/satellites", body={"metadata": {"name": "sat-fresh"}})
    assert status == 201
    token = admin.call("POST", "/api/v1/satellites/{name}/token", {"name": "sat-fresh"})[1]["token"]
    # Its long-poll is held 5 s: the refresh is served by the pass after it.
    directory = satellites.start("sat-fresh", None, "--token", token, "--state-wait", "5s")
    wait_on_nats(admin, "sat-fresh")
    stderr = pathlib.Path(directory, "stderr")
    configs_before = stderr.read_text().count("config default (")
    sent = issue(admin, "sat-fresh", "refresh.credentials")
    answered = final(admin, "sat-fresh", sent["id"])
    assert answered["phase"] == "Done", answered
    log = stderr.read_text()
    assert "upstream credentials refreshed on request" in log
    assert log.count("config default (") == configs_before + 1
    assert runs_of(directory, sent["id"]) == 1


def test_a_new_image_arrives_with_a_sync_command_answered_once_it_is_applied(fleet):
    _, _, _, admin, upstream, hooks = fleet
    directory = start_satellite(fleet, "sat-sync")
    wait_on_nats(admin, "sat-sync")
    digest = gc.push_image(upstream, "library/pushed", "v1", "pushed-1")
    assert admin.call("POST", "/api/v1/groups", body={
        "metadata": {"name": "nats-sync"},
        "spec": {"satellites": ["sat-sync"],
                 "artifacts": [{"repository": "library/pushed", "digest": digest,
                                "tags": ["v1"]}]}})[0] == 201
    state = desired_digest(admin, "sat-sync")
    sync = wait_for("a sync command for the new state",
                    lambda: sync_command_for(admin, "sat-sync", state))
    assert final(admin, "sat-sync", sync["id"])["phase"] == "Done"
    # Done means applied: the image is there by then.
    assert serves(directory, "library/pushed", digest)
    # The satellite's sync.completed event reaches the audit trail and the webhook.
    completed = wait_for("a sync.completed webhook", lambda: [
        body for path, kind, body in hooks.received
        if path == "/sync" and kind == "application/json" and body["satellite"] == "sat-sync"
        and body["type"] == "sync.completed" and body.get("stateDigest") == state])
    assert completed[0]["time"]
    assert all(body["type"] in ("sync.completed", "sync.failed") for _, _, body in hooks.received)
    trail = admin.call("GET", "/api/v1/events", query="kind=Satellite&name=sat-sync")[1]
    assert any(e["actor"] == "satellite:sat-sync" and e["verb"] == "sync.completed"
               for e in trail["items"]), trail


def test_with_nats_killed_long_poll_converges_and_the_pending_command_arrives_once(fleet):
    _, nats, _, admin, upstream, _ = fleet
    directory = start_satellite(fleet, "sat-outage")
    wait_on_nats(admin, "sat-outage")
    nats.kill()
    try:
        digest = gc.push_image(upstream, "library/outage", "v1", "outage-1")
        assert admin.call("POST", "/api/v1/groups", body={
            "metadata": {"name": "nats-outage"},
            "spec": {"satellites": ["sat-outage"],
                     "artifacts": [{"repository": "library/outage", "digest": digest}]}})[0] == 201
        state = desired_digest(admin, "sat-outage")
        # Long-poll carries the change while NATS is down.
        wait_for("the state applied by long-poll", lambda: applied_digest(admin, "sat-outage") == state)
        assert serves(directory, "library/outage", digest)
        pending = wait_for("the sync command, stored",
                           lambda: sync_command_for(admin, "sat-outage", state))
        assert command(admin, "sat-outage", pending["id"])["phase"] == "Pending"
        report = issue(admin, "sat-outage", "report.status")
        assert report["phase"] == "Pending"
    finally:
        nats.start()
    for waiting in (pending, report):
        answered = final(admin, "sat-outage", waiting["id"], 60)
        assert answered["phase"] == "Done", answered
        assert runs_of(directory, waiting["id"]) == 1


def test_a_satellite_offline_during_a_command_gets_it_when_it_returns(fleet):
    _, _, satellites, admin, _, _ = fleet
    directory = start_satellite(fleet, "sat-away")
    wait_on_nats(admin, "sat-away")
    satellites.kill("sat-away")
    sent = issue(admin, "sat-away", "collect.garbage")
    wait_for("the command in JetStream", lambda: command(admin, "sat-away", sent["id"])["phase"] == "Sent")
    start_satellite(fleet, "sat-away", directory)
    answered = final(admin, "sat-away", sent["id"], 60)
    assert answered["phase"] == "Done", answered
    assert runs_of(directory, sent["id"]) == 1
    ledger = json.loads(pathlib.Path(directory, "agent", "answered-commands.json").read_text())
    assert [a["commandId"] for a in ledger].count(sent["id"]) == 1
