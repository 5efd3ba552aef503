"""RegistryEndpoints through the real binary (issue 13), on both engines: an endpoint is a
resource whose password is write-only and sealed at rest; `:test` connects with its
credentials to a real registry (Debian's docker-registry behind htpasswd) or to the Harbor
double (tests/fakes/harbor), and an unreachable registry, wrong credentials or a server
that answers garbage give a clear message in the answer and in the endpoint's status."""
import tempfile

import pytest

from conftest import docker_registry, fake_harbor, free_port, login, serve

PASSWORD = "registry-s3cret-7f2a"


@pytest.fixture(scope="module")
def registry():
    """docker-registry on a loopback port behind htpasswd user `robot`."""
    for url in docker_registry(tempfile.mkdtemp(prefix="gc-registry-"), "robot", PASSWORD):
        yield url


@pytest.fixture(scope="module")
def harbor():
    """The Harbor double with admin `admin`."""
    for url in fake_harbor(tempfile.mkdtemp(prefix="gc-harbor-")):
        yield url


@pytest.fixture(scope="module")
def garbage():
    """Python's http.server: a web server that is no registry."""
    directory = tempfile.mkdtemp(prefix="gc-garbage-")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    for _ in serve(["python3", "-m", "http.server", str(port), "--bind", "127.0.0.1",
                    "--directory", directory], url + "/"):
        yield url


def endpoint(name, url, type_="oci", username="", password=None):
    credentials = {"username": username}
    if password is not None:
        credentials["password"] = password
    return {"apiVersion": "groundcontrol/v1", "kind": "RegistryEndpoint",
            "metadata": {"name": name},
            "spec": {"url": url, "type": type_, "credentials": credentials}}


def run_test(admin, name):
    status, body, _ = admin.call("POST", "/api/v1/registryendpoints/{name}:test", {"name": name})
    assert status == 200, body
    return body


def read(admin, name):
    status, body, _ = admin.call("GET", "/api/v1/registryendpoints/{name}", {"name": name})
    assert status == 200, body
    return body


def test_the_password_is_write_only_and_sealed_at_rest(server, admin, registry):
    status, body, _ = admin.call("POST", "/api/v1/registryendpoints",
                                 body=endpoint("sealed", registry, username="robot",
                                               password=PASSWORD))
    assert status == 201, body
    assert body["spec"]["credentials"] == {"username": "robot", "passwordSet": True,
                                           "credentialsGeneration": 1}
    assert PASSWORD not in str(read(admin, "sealed"))
    assert PASSWORD.encode() not in server.stored_bytes()
    # A replace without a password keeps it; "" removes it.
    document = endpoint("sealed", registry, username="robot")
    status, body, _ = admin.call("PUT", "/api/v1/registryendpoints/{name}", {"name": "sealed"},
                                 body=document)
    assert status == 200 and body["spec"]["credentials"]["passwordSet"] is True, body
    status, body, _ = admin.call("PATCH", "/api/v1/registryendpoints/{name}", {"name": "sealed"},
                                 body={"spec": {"credentials": {"password": ""}}},
                                 headers={"Content-Type": "application/merge-patch+json"})
    assert status == 200 and body["spec"]["credentials"]["passwordSet"] is False, body


def test_a_connection_test_reaches_the_registry_with_the_credentials(admin, registry):
    assert admin.call("POST", "/api/v1/registryendpoints",
                      body=endpoint("central", registry, username="robot",
                                    password=PASSWORD))[0] == 201
    result = run_test(admin, "central")
    assert result["ok"] is True and result["message"] == "connected", result
    status = read(admin, "central")["status"]
    assert status["lastTest"]["ok"] is True
    assert status["lastError"] is None and status["lastSuccess"] == result["time"]

    # Wrong credentials: a result naming them, kept in the status, no secret quoted.
    assert admin.call("PATCH", "/api/v1/registryendpoints/{name}", {"name": "central"},
                      body={"spec": {"credentials": {"password": "wrong-password"}}},
                      headers={"Content-Type": "application/merge-patch+json"})[0] == 200
    result = run_test(admin, "central")
    assert result["ok"] is False
    assert "refused the credentials" in result["message"], result
    assert "wrong-password" not in result["message"]
    status = read(admin, "central")["status"]
    assert status["lastError"]["message"] == result["message"]
    assert status["lastTest"] == {"time": result["time"], "ok": False,
                                  "message": result["message"]}


def test_unreachable_or_garbage_registries_are_clear_results(admin, garbage):
    closed = f"http://127.0.0.1:{free_port()}"
    assert admin.call("POST", "/api/v1/registryendpoints", body=endpoint("gone", closed))[0] == 201
    result = run_test(admin, "gone")
    assert result["ok"] is False and "127.0.0.1" in result["message"], result
    assert admin.call("POST", "/api/v1/registryendpoints",
                      body=endpoint("web", garbage))[0] == 201
    result = run_test(admin, "web")
    assert result["ok"] is False
    assert "does not answer as an OCI registry" in result["message"], result


def test_harbor_endpoints_are_tested_through_its_api(admin, harbor):
    assert admin.call("POST", "/api/v1/registryendpoints",
                      body=endpoint("harbor", harbor, "harbor", "admin", "Harbor12345"))[0] == 201
    result = run_test(admin, "harbor")
    assert result["ok"] is True, result
    assert admin.call("PATCH", "/api/v1/registryendpoints/{name}", {"name": "harbor"},
                      body={"spec": {"credentials": {"password": "nope"}}},
                      headers={"Content-Type": "application/merge-patch+json"})[0] == 200
    result = run_test(admin, "harbor")
    assert result["ok"] is False and "credentials" in result["message"], result


def test_bad_documents_and_unknown_endpoints_are_refused(admin, server, contract):
    for spec, field in (({"url": "https://r.example", "type": "quay"}, "spec.type"),
                        ({"url": "https://r.example/v2/"}, "spec.url"),
                        ({"url": "ftp://r.example"}, "spec.url"),
                        ({"type": "oci"}, "spec.url"),
                        ({"url": "https://r.example", "tls": {"caBundle": "not pem"}},
                         "spec.tls.caBundle"),
                        ({"url": "https://r.example", "extra": 1}, "spec.extra")):
        status, body, _ = admin.call("POST", "/api/v1/registryendpoints", body={
            "apiVersion": "groundcontrol/v1", "kind": "RegistryEndpoint",
            "metadata": {"name": "bad"}, "spec": spec})
        assert status == 400, (spec, body)
        assert field in body["error"]["message"], (spec, body)
    status, body, _ = admin.call("POST", "/api/v1/registryendpoints/{name}:test",
                                 {"name": "absent"})
    assert status == 404, body
    assert admin.call("POST", "/api/v1/users", body={
        "metadata": {"name": "endpoint-viewer"},
        "spec": {"password": "viewpw-1234", "role": "viewer"}})[0] == 201
    viewer = login(server, contract, "endpoint-viewer", "viewpw-1234")
    assert viewer.call("GET", "/api/v1/registryendpoints")[0] == 200
    assert viewer.call("POST", "/api/v1/registryendpoints/{name}:test",
                       {"name": "central"})[0] == 403
