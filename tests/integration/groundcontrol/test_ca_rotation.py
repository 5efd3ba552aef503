"""Rotating ground control's CA through the real binary (issue 11), on both engines: a
satellite enrolled under the first CA keeps working after a rotation, learns the bundle of
both, and moves to the new CA when it renews (its certificate's issuer changes); retiring
the previous CA is refused while the old certificate is the satellite's current one, and
accepted after it renewed (or by force); afterwards the old certificate is refused and the
listeners present a server certificate from the new CA."""
import pathlib
import ssl
import subprocess

from conftest import Client, enrolled, make_key_and_csr


def trusting_now(server, contract, client=None, cert=None):
    """A client of `server` trusting its CA file as it is now (the bundle a rotation or a
    retirement rewrote), with `client`'s token or the certificate pair `cert`."""
    listener = "satellite" if cert else "management"
    fresh = Client(server.printed[listener], server.ca_file, contract, cert=cert)
    fresh.token = client.token if client else None
    return fresh


def refused(client):
    """True when the satellite listener will not serve `client`'s certificate: the TLS
    handshake fails (the CA is no longer trusted) or the call is answered 401."""
    try:
        return client.call("GET", "/satellite/v1/state")[0] == 401
    except ssl.SSLCertVerificationError:  # the client refused the server: not the point here
        return False
    except (ssl.SSLError, ConnectionError):
        return True


def issuer_of(pem):
    return subprocess.run(["openssl", "x509", "-noout", "-issuer", "-nameopt", "RFC2253"],
                          input=pem, capture_output=True, text=True, check=True).stdout.strip().removeprefix("issuer=")


def renew(server, contract, cert, name):
    """Renews with a new key through the satellite's current certificate; (answer, pair)."""
    key, csr = make_key_and_csr(server.data_dir, f"{name}-renewed")
    status, body, _ = trusting_now(server, contract, cert=cert).call(
        "POST", "/satellite/v1/renew", body={"csr": csr})
    assert status == 200, body
    path = pathlib.Path(server.data_dir, f"{name}-renewed.crt")
    path.write_text(body["certificate"])
    return body, (str(path), key)


def cas_of(admin):
    status, body, _ = admin.call("GET", "/api/v1/ca")
    assert status == 200, body
    return body["items"]


def test_a_rotation_keeps_old_certificates_working_and_renewals_move_satellites_over(
        server, contract, admin):
    first, old_cert = enrolled(server, contract, admin, "rot-sat")
    assert first["caBundle"] == first["ca"]
    [only] = cas_of(admin)
    assert only["role"] == "active" and only["satellites"] == 1
    old_ca = only["fingerprint"]

    status, rotated, _ = admin.call("POST", "/api/v1/ca/rotation")
    assert status == 201, rotated
    active, previous = rotated["items"]
    assert (active["role"], previous["role"]) == ("active", "previous")
    assert previous["fingerprint"] == old_ca and active["fingerprint"] != old_ca
    assert (active["satellites"], previous["satellites"]) == (0, 1)
    status, again, _ = admin.call("POST", "/api/v1/ca/rotation")
    assert status == 409 and old_ca in again["error"]["message"]

    # The old certificate still works, and the satellite learns both CAs.
    on_old = trusting_now(server, contract, cert=old_cert)
    status, bundle, _ = on_old.call("GET", "/satellite/v1/ca")
    assert status == 200, bundle
    assert bundle["fingerprints"] == [active["fingerprint"], old_ca]
    assert on_old.call("GET", "/satellite/v1/state")[0] == 200

    # Retiring is refused while the old certificate is the satellite's current one.
    status, body, _ = admin.call("DELETE", "/api/v1/ca/previous")
    assert status == 409 and "1 satellite(s)" in body["error"]["message"], body
    assert admin.call("DELETE", "/api/v1/ca/previous", query="force=maybe")[0] == 400

    # A renewal moves it to the new CA.
    renewed, new_cert = renew(server, contract, old_cert, "rot-sat")
    assert renewed["ca"] == active["certificate"]
    assert renewed["caBundle"] == bundle["caBundle"]
    assert issuer_of(renewed["certificate"]) != issuer_of(first["certificate"])
    assert issuer_of(renewed["certificate"]) == active["subject"]
    assert trusting_now(server, contract, cert=new_cert).call("GET", "/satellite/v1/state")[0] == 200
    assert [ca["satellites"] for ca in cas_of(admin)] == [1, 0]

    assert admin.call("DELETE", "/api/v1/ca/previous")[0] == 204
    # The listeners now present a certificate from the new CA: clients re-read the CA file.
    admin = trusting_now(server, contract, admin)
    assert [ca["fingerprint"] for ca in cas_of(admin)] == [active["fingerprint"]]
    assert refused(trusting_now(server, contract, cert=old_cert))
    assert trusting_now(server, contract, cert=new_cert).call("GET", "/satellite/v1/state")[0] == 200
    assert admin.call("DELETE", "/api/v1/ca/previous")[0] == 404

    status, events, _ = admin.call("GET", "/api/v1/events", query="kind=CertificateAuthority")
    assert status == 200
    assert [(e["verb"], e["actor"]) for e in events["items"]] == [
        ("rotate", "user:admin"), ("retire", "user:admin")]


def test_retiring_by_force_revokes_the_certificates_of_the_previous_ca(server, contract, admin):
    admin = trusting_now(server, contract, admin)  # the CA may have changed in this module
    _, cert = enrolled(server, contract, admin, "force-sat")
    assert admin.call("POST", "/api/v1/ca/rotation")[0] == 201
    assert admin.call("DELETE", "/api/v1/ca/previous")[0] == 409
    assert admin.call("DELETE", "/api/v1/ca/previous", query="force=true")[0] == 204
    admin = trusting_now(server, contract, admin)
    assert refused(trusting_now(server, contract, cert=cert))
    status, satellite, _ = admin.call("GET", "/api/v1/satellites/{name}", {"name": "force-sat"})
    assert status == 200 and satellite["status"]["acceptedSerials"] == []
    assert [ca["satellites"] for ca in cas_of(admin)] == [0]
