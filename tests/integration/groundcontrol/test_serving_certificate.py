"""The serving certificate of a satellite's local registry through the real binary (issue
12), on both engines: an enrolled satellite whose config lists server names gets a
certificate for exactly those names (not what its CSR asks for), serverAuth only, chaining
to the CA that /satellite/v1/ca hands out; a Python TLS server presenting it is accepted by a
client trusting that CA for a listed name and address and refused for any other name; it
never stands in for the satellite's identity. A config without names answers 409, a call
without a client certificate or from a revoked satellite 401."""
import pathlib
import socket
import ssl
import subprocess
import threading

import pytest

from conftest import Client, enroll

NAMES = ["registry.site-1.test", "127.0.0.1", "::1"]


def openssl(*args, text=None):
    """`openssl ARGS` with `text` on stdin; (exit code, stdout + stderr)."""
    done = subprocess.run(["openssl", *args], input=text, capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


def greedy_csr(directory, name):
    """A P-256 key and a CSR asking for other names and for client auth."""
    key = str(pathlib.Path(directory, f"{name}-serving.key"))
    assert openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key)[0] == 0
    code, csr = openssl("req", "-new", "-key", key, "-subj", "/CN=evil.example",
                        "-addext", "subjectAltName=DNS:evil.example,IP:10.6.6.6",
                        "-addext", "extendedKeyUsage=serverAuth,clientAuth")
    assert code == 0, csr
    return key, csr


def enrolled(server, contract, admin, name, config=None):
    """Satellite `name` (following `config`), made and enrolled: its satellite-API client."""
    spec = {"config": config} if config else {}
    assert admin.call("POST", "/api/v1/satellites",
                      body={"metadata": {"name": name}, "spec": spec})[0] == 201
    status, issued, _ = admin.call("POST", "/api/v1/satellites/{name}/token", {"name": name})
    assert status == 200, issued
    status, body, cert = enroll(server, contract, issued["token"], name)
    assert status == 200, body
    return Client(server.printed["satellite"], server.ca_file, contract, cert=cert)


@pytest.fixture(scope="module")
def site(server, contract, admin):
    status, body, _ = admin.call("POST", "/api/v1/satelliteconfigs", body={
        "metadata": {"name": "site-1"}, "spec": {"registry": {"serverNames": NAMES}}})
    assert status == 201, body
    assert body["spec"]["registry"]["serverNames"] == NAMES
    return enrolled(server, contract, admin, "sat-serving", config="site-1")


@pytest.fixture(scope="module")
def issued(server, site):
    key, csr = greedy_csr(server.data_dir, "sat-serving")
    status, body, _ = site.call("POST", "/satellite/v1/servingcertificate", body={"csr": csr})
    assert status == 200, body
    directory = pathlib.Path(server.data_dir)
    (directory / "serving.crt").write_text(body["certificate"])
    status, bundle, _ = site.call("GET", "/satellite/v1/ca")
    assert status == 200, bundle
    (directory / "site-ca.crt").write_text(bundle["caBundle"])
    return body, str(directory / "serving.crt"), key, str(directory / "site-ca.crt")


def test_the_certificate_names_exactly_the_configs_names(issued):
    body, cert, _, ca = issued
    assert body["satellite"] == "sat-serving"
    assert body["names"] == NAMES
    code, text = openssl("x509", "-in", cert, "-noout", "-subject", "-ext",
                         "subjectAltName,extendedKeyUsage", "-nameopt", "RFC2253")
    assert code == 0, text
    assert "subject=CN=registry.site-1.test" in text
    assert "DNS:registry.site-1.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1" in text
    assert "evil.example" not in text and "10.6.6.6" not in text
    assert "TLS Web Server Authentication" in text
    assert "TLS Web Client Authentication" not in text
    assert openssl("verify", "-CAfile", ca, "-purpose", "sslserver", cert)[0] == 0
    assert openssl("verify", "-CAfile", ca, "-purpose", "sslclient", cert)[0] != 0
    assert body["caBundle"] == pathlib.Path(ca).read_text()
    code, serial = openssl("x509", "-in", cert, "-noout", "-serial")
    assert serial.strip().lower() == f"serial={body['serial']}"


def tls_server(cert, key, family, host):
    """A TLS server on a free loopback port presenting `cert`, answering one handshake per
    connection; (port, stop)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.socket(family)
    listener.bind((host, 0))
    listener.listen()
    listener.settimeout(0.2)
    stopping = threading.Event()

    def serve():
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
            except socket.timeout:
                continue
            try:
                with context.wrap_socket(connection, server_side=True) as tls:
                    tls.sendall(b"hello")
            except (ssl.SSLError, OSError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def stop():
        stopping.set()
        thread.join()
        listener.close()
    return listener.getsockname()[1], stop


def handshake(ca, host, port, server_hostname, family=socket.AF_INET):
    """Connects as a runtime trusting `ca` and checking `server_hostname`; what it read."""
    context = ssl.create_default_context(cafile=ca)
    with socket.create_connection((host, port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=server_hostname) as tls:
            return tls.recv(5)


def test_a_runtime_trusting_the_ca_accepts_it_for_listed_names_only(issued):
    _, cert, key, ca = issued
    port, stop = tls_server(cert, key, socket.AF_INET, "127.0.0.1")
    try:
        assert handshake(ca, "127.0.0.1", port, "registry.site-1.test") == b"hello"
        assert handshake(ca, "127.0.0.1", port, "127.0.0.1") == b"hello"
        for other in ("evil.example", "other.site-1.test", "10.6.6.6"):
            with pytest.raises(ssl.SSLCertVerificationError):
                handshake(ca, "127.0.0.1", port, other)
        # A client trusting only the system's CAs does not take it either.
        with pytest.raises(ssl.SSLCertVerificationError):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                ssl.create_default_context().wrap_socket(raw, server_hostname="registry.site-1.test")
    finally:
        stop()
    port, stop = tls_server(cert, key, socket.AF_INET6, "::1")
    try:
        assert handshake(ca, "::1", port, "::1") == b"hello"
    finally:
        stop()


def test_it_is_no_satellite_identity(server, contract, issued):
    _, cert, key, _ = issued
    impostor = Client(server.printed["satellite"], server.ca_file, contract, cert=(cert, key))
    try:
        assert impostor.call("GET", "/satellite/v1/state")[0] == 401
    except (ssl.SSLError, ConnectionError):
        pass  # the listener refused it in the handshake: refused all the same


def test_each_issue_is_in_the_audit_trail(admin, issued):
    body = issued[0]
    status, trail, _ = admin.call("GET", "/api/v1/events", query="kind=Satellite&name=sat-serving")
    assert status == 200, trail
    events = [e for e in trail["items"] if e["verb"] == "serving-certificate"]
    assert len(events) == 1
    assert events[0]["actor"] == "satellite:sat-serving"
    assert body["serial"] in events[0]["message"]


def test_bad_server_names_are_refused_naming_the_entry(admin):
    status, body, _ = admin.call("POST", "/api/v1/satelliteconfigs", body={
        "metadata": {"name": "site-bad"},
        "spec": {"registry": {"serverNames": ["ok.test", "10.0.0.1", "not a name"]}}})
    assert status == 400, body
    assert body["error"]["message"].startswith("spec.registry.serverNames[2]:"), body


def test_no_names_no_certificate_and_no_certificate_no_call(server, contract, admin, site):
    plain = enrolled(server, contract, admin, "sat-unnamed")
    _, csr = greedy_csr(server.data_dir, "sat-unnamed")
    status, body, _ = plain.call("POST", "/satellite/v1/servingcertificate", body={"csr": csr})
    assert status == 409, body
    assert body["error"]["code"] == "CONFLICT"
    assert "lists no spec.registry.serverNames" in body["error"]["message"], body

    anonymous = Client(server.printed["satellite"], server.ca_file, contract)
    status, body, _ = anonymous.call("POST", "/satellite/v1/servingcertificate", body={"csr": csr})
    assert status == 401, body

    status, body, _ = site.call("POST", "/satellite/v1/servingcertificate", body={"csr": "junk"})
    assert status == 400, body
    assert body["error"]["code"] == "INVALID_ARGUMENT"


def test_a_revoked_satellite_gets_none(server, contract, admin):
    revoked = enrolled(server, contract, admin, "sat-revoked", config="site-1")
    _, csr = greedy_csr(server.data_dir, "sat-revoked")
    assert revoked.call("POST", "/satellite/v1/servingcertificate", body={"csr": csr})[0] == 200
    assert admin.call("POST", "/api/v1/satellites/{name}/revoke", {"name": "sat-revoked"})[0] == 204
    status, body, _ = revoked.call("POST", "/satellite/v1/servingcertificate", body={"csr": csr})
    assert status == 401, body
