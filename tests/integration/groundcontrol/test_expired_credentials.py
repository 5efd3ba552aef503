"""The auth matrices' expired rows, on both engines: a ground control whose satellite
certificates, enrollment tokens and login sessions last seconds. Once they are past, every
management route refuses the expired bearer token (401), every satellite route the expired
client certificate (401, or the handshake), and enrollment the expired token; a new login
and a new token work again."""
import ssl
import tempfile
import time

import pytest

from conftest import Client, Server, enrolled, login, make_key_and_csr
from test_ground_control_api import MATRIX, SATELLITE_MATRIX, request_for, satellite_request

LIFETIME = 4  # seconds: certificates, enrollment tokens and sessions alike


@pytest.fixture(scope="module")
def short_lived(fresh_deployment):
    server = Server(tempfile.mkdtemp(prefix="gc-expired-"),
                    [*fresh_deployment(), "--certificate-validity", f"{LIFETIME}s",
                     "--token-lifetime", f"{LIFETIME}s", "--session-lifetime", f"{LIFETIME}s"])
    yield server
    server.stop()


def test_expired_tokens_and_certificates_are_refused_everywhere(short_lived, contract):
    server = short_lived
    started = time.time()
    admin = login(server, contract, "admin", server.printed["admin"])
    _, cert = enrolled(server, contract, admin, "sat-expiring")
    assert admin.call("POST", "/api/v1/satellites", body={"metadata": {"name": "sat-late"}})[0] == 201
    late_token = admin.call("POST", "/api/v1/satellites/{name}/token",
                            {"name": "sat-late"})[1]["token"]
    satellite = Client(server.printed["satellite"], server.ca_file, contract, cert=cert)
    assert satellite.call("GET", "/satellite/v1/state")[0] == 200, "valid while young"
    assert admin.call("GET", "/api/v1/satellites")[0] == 200

    time.sleep(max(0.0, started + LIFETIME + 1.5 - time.time()))

    wrong = []
    for n, (method, template) in enumerate(MATRIX):
        params, body, raw, headers = request_for(method, template, 2000 + n)
        status, answer, _ = admin.call(method, template, params, body=body, raw=raw,
                                       headers=headers)
        if status != 401 or answer["error"]["code"] != "UNAUTHENTICATED":
            wrong.append(f"expired session: {method} {template} → {status} {answer}")
    for n, ((method, template), expected) in enumerate(SATELLITE_MATRIX.items()):
        if expected[0] != 401 or expected[1] != "authorized":
            continue  # open routes: a certificate is not what they check
        client = Client(server.printed["satellite"], server.ca_file, contract, cert=cert)
        try:
            status = client.call(method, template, {"name": "x"},
                                 body=satellite_request(method, template, server, f"x{n}"))[0]
        except (ssl.SSLError, ConnectionResetError, BrokenPipeError):
            status = "tls"
        if status not in (401, "tls"):
            wrong.append(f"expired certificate: {method} {template} → {status}")
    assert not wrong, "\n".join(wrong)

    _, csr = make_key_and_csr(server.data_dir, "sat-late")
    device = Client(server.printed["satellite"], server.ca_file, contract)
    status, answer, _ = device.call("POST", "/satellite/v1/enroll",
                                    body={"token": late_token, "csr": csr})
    assert status == 401 and answer["error"]["code"] == "UNAUTHENTICATED", answer

    # Back in: a new login, a new token, a new certificate.
    admin = login(server, contract, "admin", server.printed["admin"])
    fresh = admin.call("POST", "/api/v1/satellites/{name}/token", {"name": "sat-late"})[1]["token"]
    status, answer, _ = device.call("POST", "/satellite/v1/enroll",
                                    body={"token": fresh, "csr": csr})
    assert status == 200, answer
