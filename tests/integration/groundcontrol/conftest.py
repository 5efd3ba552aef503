"""Fixtures for ground control's API tests: a real ground-control process on loopback,
HTTPS clients for both listeners, and every answer checked against api/openapi.yaml. The
`server` fixture runs each test module once per engine: SQLite in a temp dir, and
PostgreSQL (one throw-away cluster per session, a fresh database per deployment).
Standard library, python3-pytest, python3-yaml, python3-jsonschema; PostgreSQL 15's server
binaries (Debian `postgresql`) and psql/pg_dump."""
import http.client
import hashlib
import itertools
import json
import os
import pathlib
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import jsonschema
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests" / "api"))
import openapi_lint  # noqa: E402  (its OpenAPI → JSON Schema translation)

BINARY = os.environ.get("GROUND_CONTROL", str(ROOT / "build" / "release" / "src" / "groundcontrol" / "ground-control"))


class Contract:
    """The OpenAPI document: validates a response against its operation's schema."""

    def __init__(self):
        doc = yaml.safe_load((ROOT / "api" / "openapi.yaml").read_text())
        self.spec = openapi_lint.Spec(doc, openapi_lint.Problems())
        self.doc = doc

    def check(self, method, template, status, body):
        operation = self.doc["paths"].get(template, {}).get(method.lower())
        assert operation is not None, f"{method} {template} is not in api/openapi.yaml"
        responses = operation["responses"]
        response = responses.get(str(status)) or responses.get("default")
        assert response is not None, f"{method} {template}: {status} is not documented"
        response = self.spec.deref(response)
        content = (response or {}).get("content", {})
        if "application/json" not in content or body is None:
            return
        schema = self.spec.to_json_schema(content["application/json"]["schema"], "response")
        errors = list(jsonschema.Draft4Validator(schema).iter_errors(body))
        assert not errors, f"{method} {template} {status}: {errors[0].message} in {body}"

    def check_request(self, method, template, content_type, body):
        """Validates a request body the server accepted (2xx) against the operation's
        requestBody schema for its content type: what the tests send is what the file says."""
        operation = self.doc["paths"].get(template, {}).get(method.lower()) or {}
        request = self.spec.deref(operation.get("requestBody") or {})
        content = (request or {}).get("content", {})
        media = content.get(content_type.split(";")[0].strip())
        if media is None or "schema" not in media:
            return
        schema = self.spec.to_json_schema(media["schema"], "request")
        errors = list(jsonschema.Draft4Validator(schema).iter_errors(body))
        assert not errors, f"{method} {template} request: {errors[0].message} in {body}"

    def check_watch_event(self, template, event):
        """Validates one line of a watch stream of GET `template`."""
        response = self.spec.deref(self.doc["paths"][template]["get"]["responses"]["200"])
        content = response["content"]
        assert "application/json;stream=watch" in content, f"GET {template} does not stream"
        schema = self.spec.to_json_schema(
            content["application/json;stream=watch"]["schema"], "response")
        errors = list(jsonschema.Draft4Validator(schema).iter_errors(event))
        assert not errors, f"GET {template} watch event: {errors[0].message} in {event}"


class PostgresCluster:
    """A throw-away PostgreSQL 15 cluster, as tests/testutil/postgres_instance does in C++:
    initdb into a temp dir in /dev/shm (as the `postgres` user when the tests run as root:
    initdb and pg_ctl refuse root), pg_ctl on a free 127.0.0.1 port with its socket in that
    dir and durability off (speed, not crash safety); stop() ends it and removes the dir."""

    BINDIR = pathlib.Path(os.environ.get("PG_BINDIR", "/usr/lib/postgresql/15/bin"))

    def __init__(self):
        for tool in ("initdb", "pg_ctl"):
            assert os.access(self.BINDIR / tool, os.X_OK), \
                f"no {self.BINDIR / tool}: install the Debian package `postgresql` (scripts/bootstrap does)"
        self.dir = pathlib.Path(tempfile.mkdtemp(
            prefix="gc-pg-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
        self._run([self.BINDIR / "initdb", "-D", self.dir / "data", "-A", "trust", "-U", "postgres",
                   "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"])
        self.names = itertools.count()
        for attempt in range(3):  # a port free now may be taken before the server binds it
            self.port = free_port()
            try:
                self._run([self.BINDIR / "pg_ctl", "-D", self.dir / "data", "-l",
                           self.dir / "server.log", "-w", "-t", "30", "-o",
                           f"-k {self.dir} -p {self.port} -c listen_addresses=127.0.0.1 "
                           "-c fsync=off -c full_page_writes=off -c synchronous_commit=off "
                           "-c max_connections=200", "start"])
                return
            except AssertionError:
                if attempt == 2:
                    raise

    def _run(self, argv):
        argv = [str(arg) for arg in argv]
        if self.as_postgres:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        done = subprocess.run(argv, capture_output=True, text=True)
        log = self.dir / "server.log"
        assert done.returncode == 0, \
            f"{argv} failed: {done.stdout}{done.stderr}{log.read_text() if log.exists() else ''}"

    def url(self, name):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def new_database(self):
        """A new, empty database; its postgres:// URL."""
        name = f"gc_{next(self.names)}"
        self.psql("postgres", f'CREATE DATABASE "{name}" STRATEGY = FILE_COPY')
        return self.url(name)

    def psql(self, database_url, sql):
        url = database_url if "://" in database_url else self.url(database_url)
        done = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url,
                               "-c", sql], capture_output=True, text=True)
        assert done.returncode == 0, f"psql {sql}: {done.stderr}"
        return done.stdout

    def stop(self):
        self._run([self.BINDIR / "pg_ctl", "-D", self.dir / "data", "-m", "fast", "-w", "stop"])
        shutil.rmtree(self.dir, ignore_errors=True)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One ground-control process and what it printed at start. `extra` are more `serve`
    flags (`--db URL` for PostgreSQL), `env` more environment variables."""

    def __init__(self, data_dir, extra=(), env=None):
        self.data_dir = data_dir
        self.database = next((extra[i + 1] for i, flag in enumerate(extra) if flag == "--db"), None)
        self.process = subprocess.Popen(
            [BINARY, "serve", "--data-dir", data_dir, "--management-listen", "127.0.0.1:0",
             "--satellite-listen", "127.0.0.1:0", *extra],
            stdout=subprocess.PIPE, stderr=open(os.path.join(data_dir, "stderr.log"), "ab"),
            text=True, env={**os.environ, **(env or {})})
        self.printed = {}
        deadline = time.time() + 60
        while "ca" not in self.printed and time.time() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            for key in ("management listening on ", "satellite listening on ",
                        "admin password (shown once): ", "ca certificate "):
                if line.startswith(key):
                    self.printed[key.split()[0]] = line[len(key):].strip()
        assert "management" in self.printed and "satellite" in self.printed, \
            f"ground-control did not start: {self.stderr()}"
        self.ca_file = os.path.join(data_dir, "tls", "ca.crt")

    def stderr(self):
        return pathlib.Path(self.data_dir, "stderr.log").read_text()

    def stored_bytes(self):
        """Everything the deployment's database holds at rest: the SQLite files, or a
        pg_dump of the PostgreSQL database."""
        if self.database:
            return subprocess.run(["pg_dump", "-d", self.database], check=True,
                                  capture_output=True).stdout
        return b"".join(path.read_bytes()
                        for path in pathlib.Path(self.data_dir).glob("groundcontrol.db*"))

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=60)
        assert code == 0, f"ground-control exited {code}: {self.stderr()[-2000:]}"


class Client:
    """HTTPS to one listener; every answer is checked against the contract, and every JSON
    request body the server accepted (2xx) against the operation's requestBody schema."""

    def __init__(self, address, ca_file, contract, cert=None):
        host, port = address.rsplit(":", 1)
        self.host, self.port = host, int(port)
        self.context = ssl.create_default_context(cafile=ca_file)
        if cert:
            self.context.load_cert_chain(*cert)
        self.contract = contract
        self.token = None

    def call(self, method, template, params=None, body=None, headers=None, query="",
             raw=None, timeout=30):
        path = template.format(**(params or {})) + (("?" + query) if query else "")
        connection = http.client.HTTPSConnection(self.host, self.port, context=self.context,
                                                 timeout=timeout)
        sent = dict(headers or {})
        if self.token and "Authorization" not in sent:
            sent["Authorization"] = f"Bearer {self.token}"
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        if data is not None:
            sent.setdefault("Content-Type", "application/json")
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        text = response.read()
        connection.close()
        response.body_bytes = text  # for the answers that are not JSON
        document = None
        if response.getheader("Content-Type", "").startswith("application/json") and text:
            document = json.loads(text)
        self.contract.check(method, template, response.status, document)
        if 200 <= response.status < 300 and data is not None:
            try:
                sent_json = json.loads(data)
            except (TypeError, ValueError):
                sent_json = None
            if sent_json is not None:
                self.contract.check_request(method, template, sent.get("Content-Type", ""),
                                            sent_json)
        return response.status, document, response

    def watch(self, template, query, timeout=30):
        """Opens a watch stream (GET template?query): a Watch whose events() yields each
        event as it arrives, validated against the contract; a refused watch (not 200)
        has `status` and `error` (the envelope, checked against the contract too)."""
        return Watch(self, template, query, timeout)


class Watch:
    """One watch stream of a Client; close() (or `with`) ends it from this side."""

    def __init__(self, client, template, query, timeout):
        self.client, self.template = client, template
        self.connection = http.client.HTTPSConnection(client.host, client.port,
                                                      context=client.context, timeout=timeout)
        headers = {"Authorization": f"Bearer {client.token}"} if client.token else {}
        self.connection.request("GET", f"{template}?{query}", headers=headers)
        self.response = self.connection.getresponse()
        self.status = self.response.status
        self.content_type = self.response.getheader("Content-Type", "")
        self.error = None
        if self.status != 200:
            self.error = json.loads(self.response.read())
            client.contract.check("GET", template, self.status, self.error)
            self.close()

    def events(self):
        """The stream's events, each as soon as its line arrives, until the stream ends."""
        while self.status == 200:
            line = self.response.readline()
            if not line:
                return
            event = json.loads(line)
            self.client.contract.check_watch_event(self.template, event)
            yield event

    def close(self):
        self.connection.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@pytest.fixture(scope="session")
def contract():
    return Contract()


@pytest.fixture(scope="session")
def postgres():
    cluster = PostgresCluster()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def engine(request):
    return request.param


@pytest.fixture(scope="module")
def fresh_deployment(engine, request):
    """Gives the `serve` flags of a new, empty deployment on this module's engine: none on
    SQLite (its data dir holds the database), `--db` and a new database on PostgreSQL. A test
    that restarts a server passes the same flags again."""
    if engine == "sqlite":
        return lambda: []
    cluster = request.getfixturevalue("postgres")
    return lambda: ["--db", cluster.new_database()]


@pytest.fixture(scope="module")
def server(fresh_deployment):
    directory = tempfile.mkdtemp(prefix="gc-api-")
    instance = Server(directory, fresh_deployment())
    yield instance
    instance.stop()


def login(server, contract, username, password):
    """A management client of `server` holding `username`'s bearer token."""
    client = Client(server.printed["management"], server.ca_file, contract)
    status, body, _ = client.call("POST", "/api/v1/login",
                                  body={"username": username, "password": password})
    assert status == 200, body
    client.token = body["token"]
    return client


@pytest.fixture(scope="module")
def admin(server, contract):
    return login(server, contract, "admin", server.printed["admin"])


def make_key_and_csr(directory, name):
    """A P-256 key made here (as on a device) and its CSR, through the openssl CLI."""
    key = os.path.join(directory, f"{name}.key")
    csr = os.path.join(directory, f"{name}.csr")
    subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key],
                   check=True, capture_output=True)
    subprocess.run(["openssl", "req", "-new", "-key", key, "-subj", f"/CN={name}", "-out", csr],
                   check=True, capture_output=True)
    return key, pathlib.Path(csr).read_text()


def enroll(server, contract, token, name):
    """Enrolls with `token`; returns (status, body, cert pair for a Client)."""
    directory = server.data_dir
    key, csr = make_key_and_csr(directory, name)
    client = Client(server.printed["satellite"], server.ca_file, contract)
    status, body, _ = client.call("POST", "/satellite/v1/enroll", body={"token": token, "csr": csr})
    if status != 200:
        return status, body, None
    cert = os.path.join(directory, f"{name}.crt")
    pathlib.Path(cert).write_text(body["certificate"])
    return status, body, (cert, key)



def enrolled(server, contract, admin, name):
    """Satellite `name`, made and enrolled with a token; (enroll answer, certificate pair)."""
    assert admin.call("POST", "/api/v1/satellites", body={"metadata": {"name": name}})[0] == 201
    status, issued, _ = admin.call("POST", "/api/v1/satellites/{name}/token", {"name": name})
    assert status == 200, issued
    status, body, cert = enroll(server, contract, issued["token"], name)
    assert status == 200, body
    return body, cert

def basic_auth(user, password):
    """An Authorization header of HTTP basic credentials (Harbor's access id and secret)."""
    import base64
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def request_enrollment(server, contract, name, csr, **fields):
    """A device without token or certificate posts an EnrollmentRequest; (status, body)."""
    device = Client(server.printed["satellite"], server.ca_file, contract)
    status, body, _ = device.call("POST", "/satellite/v1/enrollmentrequests",
                                  body={"name": name, "csr": csr, **fields})
    return status, body


def wait_http(url, deadline=30):
    """Waits until `url` answers anything over HTTP."""
    end = time.time() + deadline
    while time.time() < end:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer")


def serve(command, ready_url):
    """Starts `command`, waits until `ready_url` answers, yields, then kills it."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(ready_url)
        yield
    finally:
        process.kill()
        process.wait()


def docker_registry(directory, user=None, password=None):
    """Debian's docker-registry on a free loopback port under `directory` (deletes enabled),
    behind htpasswd `user` when given; yields its URL while it runs."""
    auth = ""
    if user:
        htpasswd = os.path.join(directory, "htpasswd")
        with open(htpasswd, "w") as out:
            subprocess.run(["htpasswd", "-Bbn", user, password], stdout=out, check=True)
        auth = f"auth:\n  htpasswd:\n    realm: test\n    path: {htpasswd}\n"
    port = free_port()
    config = os.path.join(directory, "config.yml")
    pathlib.Path(config).write_text(
        f"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: "
        f"{directory}/data\n  delete:\n    enabled: true\n{auth}"
        f"http:\n  addr: 127.0.0.1:{port}\n")
    url = f"http://127.0.0.1:{port}"
    for _ in serve(["docker-registry", "serve", config], url + "/v2/"):
        yield url


def push_image(registry_url, repository, tag, seed):
    """Pushes a small OCI image made from `seed` to `repository:tag` (anonymous access);
    returns its manifest digest."""
    def put(method, url, data, content_type):
        request = urllib.request.Request(url, data=data, method=method,
                                         headers={"Content-Type": content_type})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer
    blobs = []
    for content, media_type in ((json.dumps({"architecture": "amd64", "os": "linux",
                                             "seed": seed}).encode(),
                                 "application/vnd.oci.image.config.v1+json"),
                                (f"layer of {seed}".encode(),
                                 "application/vnd.oci.image.layer.v1.tar")):
        digest = "sha256:" + hashlib.sha256(content).hexdigest()
        started = put("POST", f"{registry_url}/v2/{repository}/blobs/uploads/", b"",
                      "application/octet-stream")
        location = started.headers["Location"]
        if location.startswith("/"):
            location = registry_url + location
        location += ("&" if "?" in location else "?") + "digest=" + digest
        put("PUT", location, content, "application/octet-stream")
        blobs.append({"mediaType": media_type, "digest": digest, "size": len(content)})
    manifest = json.dumps({"schemaVersion": 2,
                           "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": blobs[0], "layers": [blobs[1]]}).encode()
    put("PUT", f"{registry_url}/v2/{repository}/manifests/{tag}", manifest,
        "application/vnd.oci.image.manifest.v1+json")
    return "sha256:" + hashlib.sha256(manifest).hexdigest()


FAKE_HARBOR = pathlib.Path(__file__).resolve().parents[3] / "tests" / "fakes" / "harbor" / \
    "fake_harbor.py"


def fake_harbor(directory, admin="admin:Harbor12345"):
    """The Harbor double (tests/fakes/harbor) with admin `admin`; yields its URL while it
    runs."""
    port_file = os.path.join(directory, "port")
    process = subprocess.Popen([sys.executable, str(FAKE_HARBOR), "--port", "0", "--port-file",
                                port_file, "--admin", admin],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        end = time.time() + 30
        while not (os.path.exists(port_file) and pathlib.Path(port_file).read_text().strip()):
            assert time.time() < end, "fake_harbor.py did not start"
            time.sleep(0.1)
        url = f"http://127.0.0.1:{pathlib.Path(port_file).read_text().strip()}"
        wait_http(url + "/api/v2.0/health")
        yield url
    finally:
        process.kill()
        process.wait()
