"""An external CA bundle (a SPIRE server's) trusted for satellite certificates: a
certificate it vouches for, whose SPIFFE ID is `<prefix><name>`, is satellite <name> on
the satellite API without enrolling; one naming no satellite, one under another prefix,
one from a CA in no bundle, and one that copies an enrolled satellite's serial and
ground control's own SPIFFE ID are refused. Deleting the satellite ends its access; a
rotated bundle file is taken without a restart. A real `satellite run --identity-cert`
heartbeats with its SVID and takes a renewed one without a restart. Runs on SQLite and
PostgreSQL."""
import os
import pathlib
import shutil
import ssl
import subprocess
import tempfile
import time

import pytest

from conftest import ROOT, Client, Server, enrolled, login

SATELLITE = os.environ.get("SATELLITE", str(ROOT / "build" / "release" / "src" / "satellite" / "satellite"))

PREFIX = "spiffe://example.org/edge/satellite/"


def openssl(*argv):
    subprocess.run(["openssl", *argv], check=True, capture_output=True)


class Authority:
    """A CA made with the openssl CLI, as a SPIRE server's would be: P-256, and leaf
    certificates (X.509-SVIDs) with one SPIFFE ID URI SAN."""

    def __init__(self, directory, name):
        self.directory, self.name = directory, name
        self.key, self.cert = (os.path.join(directory, f"{name}.{ext}") for ext in ("key", "crt"))
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", self.key, "-out", self.cert, "-subj", f"/O=SPIRE/CN={name}",
                "-days", "2", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign")

    def svid(self, label, spiffe_id, serial=None):
        """A key and certificate for `spiffe_id`, signed by this CA: (cert, key) files."""
        base = os.path.join(self.directory, f"{self.name}-{label}")
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", base + ".key", "-out", base + ".csr", "-subj", "/O=SPIRE")
        pathlib.Path(base + ".ext").write_text(
            f"subjectAltName=critical,URI:{spiffe_id}\n"
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
            "extendedKeyUsage=serverAuth,clientAuth\n")
        openssl("x509", "-req", "-in", base + ".csr", "-CA", self.cert, "-CAkey", self.key,
                "-days", "1", "-extfile", base + ".ext", "-out", base + ".crt",
                *(["-set_serial", f"0x{serial}"] if serial else ["-CAcreateserial"]))
        return base + ".crt", base + ".key"


@pytest.fixture(scope="module")
def spire(fresh_deployment):
    directory = tempfile.mkdtemp(prefix="gc-spire-")
    authority = Authority(directory, "spire-a")
    bundle = os.path.join(directory, "bundle.pem")
    pathlib.Path(bundle).write_text(pathlib.Path(authority.cert).read_text())
    server = Server(directory, [*fresh_deployment(), "--external-ca-bundle", bundle,
                                "--external-spiffe-prefix", PREFIX])
    yield server, authority, bundle
    server.stop()


def answer_as(server, contract, cert):
    """The satellite API's state answer to the holder of `cert`: (status, body), or
    (None, reason) when the TLS handshake itself refused it."""
    client = Client(server.printed["satellite"], server.ca_file, contract, cert=cert)
    try:
        status, body, _ = client.call("GET", "/satellite/v1/state")
        return status, body
    except (ssl.SSLError, ConnectionResetError, BrokenPipeError) as error:
        return None, str(error)


def test_a_certificate_the_external_ca_vouches_for_is_its_satellite(spire, contract):
    server, authority, _ = spire
    admin = login(server, contract, "admin", server.printed["admin"])
    cert = authority.svid("one", PREFIX + "sat-spire")
    status, body = answer_as(server, contract, cert)
    assert status == 401 and "does not exist here" in body["error"]["message"], body

    assert admin.call("POST", "/api/v1/satellites",
                      body={"metadata": {"name": "sat-spire"}})[0] == 201
    status, state = answer_as(server, contract, cert)
    assert status == 200, state
    assert state["satellite"] == "sat-spire"
    satellite = Client(server.printed["satellite"], server.ca_file, contract, cert=cert)
    status, answer, _ = satellite.call("POST", "/satellite/v1/heartbeat", body={
        "version": "0.1.0", "uptimeSeconds": 1, "diskUsedBytes": 1, "diskFreeBytes": 1,
        "bytesTransferred": 0, "stateDigest": state["stateDigest"]})
    assert status == 200 and answer["inSync"] is True, answer

    # Deleting the satellite ends its access within moments.
    assert admin.call("DELETE", "/api/v1/satellites/{name}", {"name": "sat-spire"})[0] == 200
    deadline = time.time() + 10
    while answer_as(server, contract, cert)[0] == 200 and time.time() < deadline:
        time.sleep(0.2)
    status, body = answer_as(server, contract, cert)
    assert status == 401, body


def test_certificates_the_mapping_does_not_cover_are_refused(spire, contract):
    server, authority, _ = spire
    admin = login(server, contract, "admin", server.printed["admin"])
    assert admin.call("POST", "/api/v1/satellites",
                      body={"metadata": {"name": "sat-known"}})[0] == 201
    for label, spiffe_id in (("elsewhere", "spiffe://example.org/other/sat-known"),
                             ("deeper", PREFIX + "sat-known/extra"),
                             ("badname", PREFIX + "Sat_Known")):
        status, body = answer_as(server, contract, authority.svid(label, spiffe_id))
        assert status == 401, (label, body)
        assert "names no satellite" in body["error"]["message"], body

    stranger = Authority(server.data_dir, "stranger")
    status, reason = answer_as(server, contract, stranger.svid("x", PREFIX + "sat-known"))
    assert status in (None, 401), reason  # refused at the handshake, or as anonymous


def test_the_external_ca_cannot_pose_as_an_enrolled_satellite(spire, contract):
    server, authority, _ = spire
    admin = login(server, contract, "admin", server.printed["admin"])
    enrolled_answer, own = enrolled(server, contract, admin, "sat-own")
    assert answer_as(server, contract, own)[0] == 200  # its own certificate works
    serial = subprocess.run(["openssl", "x509", "-in", own[0], "-noout", "-serial"], check=True,
                            capture_output=True, text=True).stdout.strip().split("=")[1]
    own_id = subprocess.run(["openssl", "x509", "-in", own[0], "-noout", "-ext",
                             "subjectAltName"], check=True, capture_output=True,
                            text=True).stdout.split("URI:")[1].strip()
    assert own_id.endswith("/satellite/sat-own")
    forged = authority.svid("forged", own_id, serial=serial)
    status, body = answer_as(server, contract, forged)
    assert status == 401, body
    assert "names no satellite" in body["error"]["message"], body


def test_a_satellite_run_with_its_svid_heartbeats_and_takes_a_renewed_one(spire, contract):
    server, authority, _ = spire
    admin = login(server, contract, "admin", server.printed["admin"])
    assert admin.call("POST", "/api/v1/satellites",
                      body={"metadata": {"name": "sat-agent"}})[0] == 201
    directory = tempfile.mkdtemp(prefix="gc-spire-agent-")
    svid, svid_key = (os.path.join(directory, name) for name in ("svid.pem", "svid_key.pem"))

    def issue(label):  # what SPIRE's helper does: both files replaced
        cert, key = authority.svid(label, PREFIX + "sat-agent")
        shutil.copy(key, svid_key)
        shutil.copy(cert, svid)

    issue("agent-1")
    log = open(os.path.join(directory, "stderr"), "w")
    process = subprocess.Popen(
        [SATELLITE, "run", "--data-dir", directory, "--listen", "127.0.0.1:0",
         "--ground-control", f"https://{server.printed['satellite']}",
         "--ca-file", server.ca_file, "--identity-cert", svid, "--identity-key", svid_key,
         "--state-wait", "2s"], stdout=subprocess.DEVNULL, stderr=log)
    try:
        def heartbeat():
            shown = admin.call("GET", "/api/v1/satellites/{name}", {"name": "sat-agent"})[1]
            return shown["status"].get("heartbeat", {}).get("time")

        deadline = time.time() + 30
        while heartbeat() is None and time.time() < deadline:
            assert process.poll() is None, pathlib.Path(directory, "stderr").read_text()
            time.sleep(0.3)
        first = heartbeat()
        assert first is not None, pathlib.Path(directory, "stderr").read_text()
        assert not pathlib.Path(directory, "identity", "cert.pem").exists()  # never enrolled

        issue("agent-2")
        text = lambda: pathlib.Path(directory, "stderr").read_text()
        deadline = time.time() + 20
        while "presenting the renewed external certificate" not in text() \
                and time.time() < deadline:
            time.sleep(0.3)
        assert "presenting the renewed external certificate" in text(), text()
        time.sleep(3)  # a long-poll or more on the new certificate
        assert process.poll() is None
        assert "unauthenticated" not in text().lower() and "does not" not in text(), text()
    finally:
        process.kill()
        process.wait()


def test_a_rotated_bundle_file_is_trusted_without_a_restart(spire, contract):
    server, first, bundle = spire
    admin = login(server, contract, "admin", server.printed["admin"])
    assert admin.call("POST", "/api/v1/satellites",
                      body={"metadata": {"name": "sat-rotated"}})[0] == 201
    second = Authority(server.data_dir, "spire-b")
    new_cert = second.svid("new", PREFIX + "sat-rotated")
    old_cert = first.svid("old", PREFIX + "sat-rotated")
    assert answer_as(server, contract, new_cert)[0] in (None, 401)
    # SPIRE's rotation: the new CA joins the bundle, then the old one leaves.
    pathlib.Path(bundle).write_text(pathlib.Path(first.cert).read_text()
                                    + pathlib.Path(second.cert).read_text())
    deadline = time.time() + 10
    while answer_as(server, contract, new_cert)[0] != 200 and time.time() < deadline:
        time.sleep(0.3)
    assert answer_as(server, contract, new_cert)[0] == 200
    assert answer_as(server, contract, old_cert)[0] == 200
    pathlib.Path(bundle).write_text(pathlib.Path(second.cert).read_text())
    deadline = time.time() + 10
    while answer_as(server, contract, old_cert)[0] == 200 and time.time() < deadline:
        time.sleep(0.3)
    assert answer_as(server, contract, old_cert)[0] in (None, 401)
    assert answer_as(server, contract, new_cert)[0] == 200
