"""Status reports over real mTLS: a satellite says per artifact what it holds, and its
Satellite resource shows the sync state (syncing, failed, in-sync), the per-artifact report
and the drift from its desired state. Every answer is validated against api/openapi.yaml."""
import time

from conftest import Client, enroll

DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "b" * 64
DIGEST_X = "sha256:" + "c" * 64


def wait_for_report(admin, name, state_digest, counts):
    """Reports are written in batches (about once a second): waits until this one shows."""
    deadline = time.time() + 10
    while True:
        shown = admin.call("GET", "/api/v1/satellites/{name}", {"name": name})[1]["status"]
        report = shown.get("report", {})
        if report.get("stateDigest") == state_digest and report.get("artifactCounts") == counts:
            return shown
        assert time.time() < deadline, shown
        time.sleep(0.2)


def test_a_satellites_progress_shows_as_sync_state_artifacts_and_drift(server, contract, admin):
    assert admin.call("POST", "/api/v1/groups", body={
        "metadata": {"name": "reported"},
        "spec": {"satellites": ["sat-report"], "artifacts": [
            {"repository": "library/nginx", "digest": DIGEST_A, "tags": ["1.25"]},
            {"repository": "library/redis", "digest": DIGEST_B, "tags": ["7"]}]}})[0] == 201
    status, body, _ = admin.call("POST", "/api/v1/satellites",
                                 body={"metadata": {"name": "sat-report"}})
    assert status == 201, body
    _, _, cert = enroll(server, contract, body["enrollment"]["token"], "sat-report")
    satellite = Client(server.printed["satellite"], server.ca_file, contract, cert=cert)
    desired = satellite.call("GET", "/satellite/v1/state")[1]["stateDigest"]
    assert admin.call("GET", "/api/v1/satellites/{name}",
                      {"name": "sat-report"})[1]["status"]["sync"] == "unknown"

    status, answer, _ = satellite.call("POST", "/satellite/v1/status", body={
        "stateDigest": desired, "newerField": True,
        "artifacts": [
            {"repository": "library/nginx", "digest": DIGEST_A, "state": "present"},
            {"repository": "library/redis", "digest": DIGEST_B, "state": "pulling",
             "bytesDone": 10, "bytesTotal": 100}]})
    assert status == 202, answer
    assert answer["stateDigest"] == desired
    shown = wait_for_report(admin, "sat-report", desired, {"present": 1, "pulling": 1, "failed": 0})
    assert shown["sync"] == "syncing"
    assert shown["report"]["artifacts"][1]["bytesDone"] == 10
    assert shown["drift"]["missing"] == {
        "count": 1, "examples": [{"repository": "library/redis", "digest": DIGEST_B}]}
    assert shown["drift"]["unwanted"]["count"] == 0

    satellite.call("POST", "/satellite/v1/status", body={
        "stateDigest": desired, "artifacts": [
            {"repository": "library/nginx", "digest": DIGEST_A, "state": "present"},
            {"repository": "library/redis", "digest": DIGEST_B, "state": "failed",
             "reason": "upstream: 401 unauthorized"}]})
    shown = wait_for_report(admin, "sat-report", desired, {"present": 1, "pulling": 0, "failed": 1})
    assert shown["sync"] == "failed"
    assert shown["report"]["artifacts"][1]["reason"] == "upstream: 401 unauthorized"

    satellite.call("POST", "/satellite/v1/status", body={
        "stateDigest": desired, "lastSync": {"time": "2026-12-02T10:00:00Z", "durationMs": 2500},
        "artifacts": [
            {"repository": "library/nginx", "digest": DIGEST_A, "state": "present"},
            {"repository": "library/redis", "digest": DIGEST_B, "state": "present"},
            {"repository": "library/old", "digest": DIGEST_X, "state": "present"}]})
    shown = wait_for_report(admin, "sat-report", desired, {"present": 3, "pulling": 0, "failed": 0})
    assert shown["sync"] == "in-sync"
    assert shown["report"]["lastSync"] == {"time": "2026-12-02T10:00:00Z", "durationMs": 2500}
    assert shown["drift"]["missing"]["count"] == 0
    assert shown["drift"]["unwanted"]["examples"] == [
        {"repository": "library/old", "digest": DIGEST_X}]

    listed = admin.call("GET", "/api/v1/satellites",
                        query="fieldSelector=status.sync%3Din-sync")[1]["items"]
    mine = [item for item in listed if item["metadata"]["name"] == "sat-report"]
    assert len(mine) == 1
    assert "artifacts" not in mine[0]["status"]["report"]  # a list carries the counts only

    # A group change makes the report one about an old state: out of sync until it reports.
    admin.call("PATCH", "/api/v1/groups/{name}", {"name": "reported"},
               headers={"Content-Type": "application/merge-patch+json"},
               body={"spec": {"artifacts": [
                   {"repository": "library/nginx", "digest": DIGEST_A, "tags": ["1.25"]}]}})
    shown = admin.call("GET", "/api/v1/satellites/{name}", {"name": "sat-report"})[1]["status"]
    assert shown["desiredStateDigest"] != desired
    assert shown["sync"] == "out-of-sync"


def test_bad_status_reports_are_refused_naming_the_field(server, contract, admin):
    status, body, _ = admin.call("POST", "/api/v1/satellites",
                                 body={"metadata": {"name": "sat-bad-report"}})
    _, _, cert = enroll(server, contract, body["enrollment"]["token"], "sat-bad-report")
    satellite = Client(server.printed["satellite"], server.ca_file, contract, cert=cert)
    for bad, field in (
            ({"artifacts": [{"repository": "a", "digest": DIGEST_A, "state": "gone"}]},
             "artifacts[0].state"),
            ({"artifacts": [{"repository": "a", "digest": "sha256:1", "state": "present"}]},
             "artifacts[0].digest"),
            ({"artifacts": [{"digest": DIGEST_A, "state": "present"}]}, "artifacts[0].repository"),
            ({"lastSync": {"time": "yesterday"}}, "lastSync.time"),
            ({"artifacts": "all"}, "artifacts")):
        status, answer, _ = satellite.call("POST", "/satellite/v1/status", body=bad)
        assert status == 400, (bad, answer)
        assert answer["error"]["message"].startswith(field + ":"), answer
    status, answer, _ = satellite.call("POST", "/satellite/v1/status", raw="[1, 2]")
    assert status == 400, answer
    time.sleep(1.5)  # a flush passes: nothing was recorded
    shown = admin.call("GET", "/api/v1/satellites/{name}", {"name": "sat-bad-report"})[1]
    assert "report" not in shown["status"]
