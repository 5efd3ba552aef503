"""Status reports over real mTLS: a satellite says per artifact what it holds, and its
Satellite resource shows the sync state (syncing, failed, in-sync), the per-artifact report
and the drift from its desired state. Every answer is validated against api/openapi.yaml."""
import subprocess
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


def test_the_fleet_summary_counts_by_state_group_and_label(server, contract, admin):
    assert admin.call("POST", "/api/v1/groups", body={
        "metadata": {"name": "summed"},
        "spec": {"selector": {"matchLabels": {"summary": "yes"}}}})[0] == 201
    certs = {}
    for name, site in (("sat-sum-1", "berlin"), ("sat-sum-2", "berlin"), ("sat-sum-3", "paris")):
        status, body, _ = admin.call("POST", "/api/v1/satellites", body={
            "metadata": {"name": name, "labels": {"summary": "yes", "site": site}}})
        assert status == 201, body
        certs[name] = enroll(server, contract, body["enrollment"]["token"], name)[2]
    beating = Client(server.printed["satellite"], server.ca_file, contract, cert=certs["sat-sum-1"])
    digest = beating.call("GET", "/satellite/v1/state")[1]["stateDigest"]
    assert beating.call("POST", "/satellite/v1/heartbeat", body={"stateDigest": digest})[0] == 200

    deadline = time.time() + 10
    while True:
        status, summary, _ = admin.call("GET", "/api/v1/fleet/summary", query="labelKey=site")
        assert status == 200, summary
        group = summary["groups"]["summed"]
        if group["connectivity"]["online"] == 1:
            break
        assert time.time() < deadline, summary
        time.sleep(0.2)
    assert group["satellites"] == 3
    assert group["connectivity"] == {"online": 1, "stale": 0, "offline": 2}
    assert group["sync"]["in-sync"] == 1 and group["sync"]["unknown"] == 2
    assert summary["label"]["key"] == "site"
    assert summary["label"]["values"]["berlin"]["satellites"] == 2
    assert summary["label"]["values"]["paris"]["connectivity"]["offline"] == 1
    assert summary["fleet"]["satellites"] >= 3

    status, body, _ = admin.call("GET", "/api/v1/fleet/summary", query="labelKey=-bad")
    assert status == 400 and body["error"]["message"].startswith("labelKey:"), body

    import http.client
    connection = http.client.HTTPSConnection(admin.host, admin.port, context=admin.context)
    connection.request("GET", "/metrics")
    text = connection.getresponse().read().decode()
    samples = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
               for line in text.splitlines() if line and not line.startswith("#")}
    assert samples['groundcontrol_satellites_by_connectivity{state="online"}'] >= 1
    assert 'groundcontrol_satellites_by_sync{state="failed"}' in samples
    # One replica: it holds every job's lease and has run them since it started.
    assert samples['groundcontrol_job_lease_held{job="status-rollup"}'] == 1
    assert samples['groundcontrol_job_runs_total{job="status-rollup"}'] >= 1
    assert samples['groundcontrol_job_runs_total{job="housekeeping"}'] >= 1
    assert any(name.startswith("groundcontrol_http_request_duration_seconds_bucket{")
               for name in samples)
    # Every request above ran transactions: reads and writes each show in the database's
    # histogram, every one of them under +Inf.
    for kind in ("read", "write"):
        count = samples[f'groundcontrol_db_transaction_duration_seconds_count{{kind="{kind}"}}']
        assert count >= 1, kind
        assert samples[f'groundcontrol_db_transaction_duration_seconds_bucket{{kind="{kind}",le="+Inf"}}'] == count
        assert samples[f'groundcontrol_db_transaction_duration_seconds_sum{{kind="{kind}"}}'] > 0
    # Prometheus' own linter (Debian's prometheus package) accepts the exposition.
    checked = subprocess.run(["promtool", "check", "metrics"], input=text, text=True,
                             capture_output=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
