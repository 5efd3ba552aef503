"""Two `ground-control serve` replicas on one PostgreSQL database serve one fleet: one CA
(sealed in the database, opened with the same master key: A reads it from a file, B from
GROUND_CONTROL_MASTER_KEY), what is made through A is read through B, a satellite enrolled
through A is served by B with the same certificate, a long-poll held by B ends because of a
group change made through A, a revocation made on A is enforced by B within seconds, and
so is a CA rotation and retirement made on A; a satellite's TLS session made with A resumes on
B (session tickets sealed with keys from the shared master key)."""
import json
import pathlib
import socket
import ssl
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import ROOT, Client, Server, enroll, login, make_key_and_csr

SAMPLE = json.loads((ROOT / "tests" / "data" / "harbor-state-sample.json").read_text())

# How long a change made on one replica may take to show on the other: a notification
# (milliseconds), or the view's safety-net re-read (every few seconds).
PROPAGATION = 10


@pytest.fixture(scope="module")
def replicas(postgres, contract):
    database = postgres.new_database()
    shared = pathlib.Path(tempfile.mkdtemp(prefix="gc-key-"))
    key_file = shared / "master.key"
    subprocess.run(["openssl", "rand", "-base64", "-out", str(key_file), "32"], check=True)
    key_file.chmod(0o600)
    a = Server(tempfile.mkdtemp(prefix="gc-replica-a-"),
               ["--db", database, "--master-key-file", str(key_file)])
    b = Server(tempfile.mkdtemp(prefix="gc-replica-b-"), ["--db", database],
               env={"GROUND_CONTROL_MASTER_KEY": key_file.read_text().strip()})
    yield a, b, login(a, contract, "admin", a.printed["admin"])
    b.stop()
    a.stop()


def eventually(probe, within=PROPAGATION):
    """probe()'s first truthy answer, polling for up to `within` seconds; the last otherwise."""
    deadline = time.time() + within
    while True:
        answer = probe()
        if answer or time.time() > deadline:
            return answer
        time.sleep(0.1)


def test_both_replicas_serve_one_ca_and_only_the_first_start_made_a_password(replicas):
    a, b, _ = replicas
    assert "admin" not in b.printed  # B found the admin (and the CA) A had made
    assert pathlib.Path(a.ca_file).read_text() == pathlib.Path(b.ca_file).read_text()
    assert a.printed["ca"].split()[-1] == b.printed["ca"].split()[-1]  # (sha256:…)


def test_what_is_made_through_a_is_read_through_b(replicas, contract):
    a, b, admin_a = replicas
    assert admin_a.call("POST", "/api/v1/groups", body={
        "metadata": {"name": "shared-group", "labels": {"made-on": "a"}}})[0] == 201
    assert admin_a.call("POST", "/api/v1/satellites", body={
        "metadata": {"name": "shared-sat"}})[0] == 201
    # A login token made on A is a session on B too.
    on_b = Client(b.printed["management"], b.ca_file, contract)
    on_b.token = admin_a.token
    status, group, _ = on_b.call("GET", "/api/v1/groups/{name}", {"name": "shared-group"})
    assert status == 200 and group["metadata"]["labels"] == {"made-on": "a"}
    status, satellite, _ = on_b.call("GET", "/api/v1/satellites/{name}", {"name": "shared-sat"})
    assert status == 200, satellite
    # And the other way round: B's writes are A's reads.
    assert on_b.call("POST", "/api/v1/satelliteconfigs", body={
        "metadata": {"name": "made-on-b"}})[0] == 201
    assert admin_a.call("GET", "/api/v1/satelliteconfigs/{name}", {"name": "made-on-b"})[0] == 200


def enrolled_on_a(replicas, contract, name):
    """A satellite made and enrolled through A, in a group of its own; its client on B."""
    a, b, admin_a = replicas
    status, body, _ = admin_a.call("POST", "/api/v1/satellites", body={"metadata": {"name": name}})
    assert status == 201, body
    assert admin_a.call("POST", "/api/v1/groups", body={
        "metadata": {"name": f"{name}-group"}, "spec": {"satellites": [name]}})[0] == 201
    status, _, cert = enroll(a, contract, body["enrollment"]["token"], name)
    assert status == 200
    on_b = Client(b.printed["satellite"], b.ca_file, contract, cert=cert)
    # B learns the certificate's serial from the change log (notified, or re-read).
    assert eventually(lambda: on_b.call("GET", "/satellite/v1/state")[0] == 200)
    return on_b


def test_a_long_poll_held_by_b_ends_on_a_group_change_made_through_a(replicas, contract):
    _, _, admin_a = replicas
    satellite = enrolled_on_a(replicas, contract, "poll-sat")
    status, state, response = satellite.call("GET", "/satellite/v1/state")
    assert status == 200 and state["groups"] == ["poll-sat-group"]
    etag = response.getheader("ETag")
    artifact = SAMPLE["artifacts"][0]

    def change():
        time.sleep(0.5)
        admin_a.call("PUT", "/api/v1/groups/{name}/state", {"name": "poll-sat-group"},
                     raw=json.dumps({"artifacts": [artifact]}))
    changer = threading.Thread(target=change)
    changer.start()
    began = time.time()
    status, changed, _ = satellite.call("GET", "/satellite/v1/state", query="wait=60",
                                        headers={"If-None-Match": etag}, timeout=90)
    waited = time.time() - began
    changer.join()
    assert status == 200
    assert waited < 10, f"the long-poll on B ended {waited:.1f} s after it began"
    assert changed["stateDigest"] != state["stateDigest"]
    assert [(x["repository"], x["digest"]) for x in changed["artifacts"]] == [
        (artifact["repository"], artifact["digest"])]


def test_a_watch_stream_on_b_carries_a_change_made_through_a(replicas, contract):
    a, b, admin_a = replicas
    on_b = Client(b.printed["management"], b.ca_file, contract)
    on_b.token = admin_a.token
    version = on_b.call("GET", "/api/v1/groups")[1]["metadata"]["resourceVersion"]
    with on_b.watch("/api/v1/groups", f"watch=true&resourceVersion={version}"
                    "&labelSelector=watched%3Dacross") as stream:
        assert stream.status == 200, stream.error
        threading.Timer(0.5, lambda: admin_a.call("POST", "/api/v1/groups", body={
            "metadata": {"name": "watched-across", "labels": {"watched": "across"}}})).start()
        began = time.time()
        event = next(stream.events())
        assert time.time() - began < 5, "the change through A reached B's stream late"
        assert (event["type"], event["object"]["metadata"]["name"]) == ("ADDED", "watched-across")


def test_a_revocation_made_on_a_is_refused_on_b_within_seconds(replicas, contract):
    _, _, admin_a = replicas
    satellite = enrolled_on_a(replicas, contract, "revoked-sat")
    assert admin_a.call("POST", "/api/v1/satellites/{name}/revoke", {"name": "revoked-sat"})[0] == 204
    began = time.time()
    assert eventually(lambda: satellite.call("GET", "/satellite/v1/state")[0] == 401), \
        f"B still serves a certificate revoked on A {PROPAGATION} s later"
    assert time.time() - began < PROPAGATION


def tls_get(address, context, path, session=None):
    """GET `path` on a new TLS connection offering `session`: (status, session, resumed)."""
    host, port = address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30) as raw:
        with context.wrap_socket(raw, server_hostname=host, session=session) as tls:
            tls.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
                        .encode())
            reply = b""
            while chunk := tls.recv(65536):
                reply += chunk
            return int(reply.split(b" ", 2)[1]), tls.session, tls.session_reused


def handshakes(server, listener="satellite"):
    """{kind: count} of a replica's TLS handshakes on one listener, from its /metrics."""
    family = f"groundcontrol_{listener}_api_tls_handshakes_total{{kind=\""
    return {line[len(family):].split("\"", 1)[0]: float(line.rsplit(" ", 1)[1])
            for line in metrics_text(server).splitlines() if line.startswith(family)}


def test_a_satellite_session_made_with_a_resumes_on_b_with_its_identity(replicas, contract):
    a, b, _ = replicas
    on_b = enrolled_on_a(replicas, contract, "resuming-sat")
    status, session, resumed = tls_get(a.printed["satellite"], on_b.context, "/satellite/v1/state")
    assert status == 200 and not resumed
    before = handshakes(b)
    status, _, resumed = tls_get(b.printed["satellite"], on_b.context, "/satellite/v1/state",
                                 session)
    # Served as the satellite (200, not 401): the identity came back with the session.
    assert status == 200 and resumed
    after = handshakes(b)
    assert after["resumed"] == before["resumed"] + 1 and after["full"] == before["full"], after
    # The management listener has keys of its own: a satellite session does not resume there.
    status, _, resumed = tls_get(b.printed["management"], on_b.context, "/healthz", session)
    assert status == 200 and not resumed


def test_a_ca_rotation_made_on_a_is_honoured_by_b_within_seconds(replicas, contract):
    a, b, admin_a = replicas
    satellite = enrolled_on_a(replicas, contract, "rotating-sat")
    status, rotated, _ = admin_a.call("POST", "/api/v1/ca/rotation")
    assert status == 201, rotated
    new_ca, old_ca = (ca["fingerprint"] for ca in rotated["items"])
    began = time.time()
    # B trusts both, tells the satellite so, and signs a renewal with the new CA.
    assert eventually(lambda: satellite.call("GET", "/satellite/v1/ca")[1]["fingerprints"]
                      == [new_ca, old_ca]), "B did not learn of the rotation"
    assert time.time() - began < PROPAGATION
    key, csr = make_key_and_csr(b.data_dir, "rotating-sat-renewed")
    status, renewed, _ = satellite.call("POST", "/satellite/v1/renew", body={"csr": csr})
    assert status == 200 and renewed["ca"] == rotated["items"][0]["certificate"], renewed
    cert = pathlib.Path(b.data_dir, "rotating-sat-renewed.crt")
    cert.write_text(renewed["certificate"])
    on_b = Client(b.printed["satellite"], b.ca_file, contract, cert=(str(cert), key))
    assert eventually(lambda: on_b.call("GET", "/satellite/v1/state")[0] == 200)
    # Retired on A (the other satellites of this module hold old certificates: by force),
    # B stops trusting the old CA and presents a server certificate from the new one.
    assert admin_a.call("DELETE", "/api/v1/ca/previous", query="force=true")[0] == 204
    began = time.time()
    assert eventually(lambda: pathlib.Path(b.ca_file).read_text()
                      == pathlib.Path(a.ca_file).read_text()), "B still trusts the old CA"
    assert time.time() - began < PROPAGATION

    def refused_on_b():  # a client trusting B's CA file now, so only its certificate may fail
        old = (str(pathlib.Path(a.data_dir, "rotating-sat.crt")),
               str(pathlib.Path(a.data_dir, "rotating-sat.key")))
        try:
            return Client(b.printed["satellite"], b.ca_file, contract, cert=old).call(
                "GET", "/satellite/v1/state")[0] == 401
        except ssl.SSLCertVerificationError:  # B's server certificate not re-issued yet
            return False
        except (ssl.SSLError, ConnectionError):  # B refused the certificate
            return True
    assert eventually(refused_on_b), "B still serves a certificate from the retired CA"
    assert eventually(lambda: Client(b.printed["satellite"], b.ca_file, contract,
                                     cert=(str(cert), key)).call("GET", "/satellite/v1/state")[0]
                      == 200)


def metrics_text(server):
    """A replica's /metrics."""
    import http.client
    host, port = server.printed["management"].rsplit(":", 1)
    connection = http.client.HTTPSConnection(
        host, int(port), context=ssl.create_default_context(cafile=server.ca_file), timeout=30)
    connection.request("GET", "/metrics")
    return connection.getresponse().read().decode()


def job_samples(server):
    """The job families of a replica's /metrics: {(family, job): value}."""
    out = {}
    for line in metrics_text(server).splitlines():
        if line.startswith(("groundcontrol_job_runs_total{", "groundcontrol_job_lease_held{")):
            name, value = line.rsplit(" ", 1)
            family, job = name.split("{job=\"")
            out[(family, job.rstrip("\"}"))] = float(value)
    return out


def test_each_periodic_job_runs_on_one_replica_and_moves_when_it_stops(replicas):
    # Runs last in this module: it stops replica A.
    a, b, _ = replicas
    for job in ("status-rollup", "housekeeping"):
        held = [job_samples(s)[("groundcontrol_job_lease_held", job)] for s in (a, b)]
        assert sorted(held) == [0, 1], (job, held)
        runs = [job_samples(s)[("groundcontrol_job_runs_total", job)] for s in (a, b)]
        holder = held.index(1)
        assert runs[holder] >= 1 and runs[1 - holder] == 0, (job, runs)
    holder, other = (a, b) if job_samples(a)[("groundcontrol_job_lease_held", "status-rollup")] else (b, a)
    holder.stop()  # lets its leases go: the other takes the roll-up at its next run (5 s)
    assert eventually(lambda: job_samples(other)[("groundcontrol_job_lease_held", "status-rollup")] == 1)
