"""Fixtures for the NATS command channel end to end (docs/nats.md): a real ground control
(SQLite) with --nats over TLS, Debian's nats-server running the operator block and server
certificate ground control wrote, an upstream docker-registry, and real satellites
(`satellite run --nats`). Reuses the API tests' fixtures (imported, not copied)."""
import http.server
import importlib.util
import json
import os
import threading
import urllib.request
import pathlib
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

_spec = importlib.util.spec_from_file_location(
    "groundcontrol_fixtures",
    pathlib.Path(__file__).resolve().parents[1] / "groundcontrol" / "conftest.py")
gc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gc)

SATELLITE = os.environ.get("SATELLITE", str(gc.ROOT / "build" / "release" / "src" / "satellite" / "satellite"))
NATS_SERVER = "/usr/sbin/nats-server"


def wait_for(what, check, seconds=30, interval=0.2):
    """Polls `check` until it returns something true; returns that, or fails naming `what`."""
    deadline = time.time() + seconds
    while True:
        got = check()
        if got:
            return got
        assert time.time() < deadline, f"timed out waiting for {what}"
        time.sleep(interval)


class NatsServer:
    """nats-server on a fixed loopback port with its monitoring on another (`monitor(path)`
    reads /connz, /leafz…), running ground control's operator block `include` plus `extra`;
    the hub has JetStream (its store in `directory`) and a leaf-node listener. kill() and
    start() keep ports and store, as a crash and a restart would."""

    def __init__(self, directory, port, include, extra="", jetstream=True):
        assert os.access(NATS_SERVER, os.X_OK), \
            "nats-server not found: install the Debian package nats-server (scripts/bootstrap)"
        os.makedirs(directory, exist_ok=True)
        self.directory, self.port, self.process = directory, port, None
        self.monitor_port = gc.free_port()
        self.leaf_port = gc.free_port()
        self.config = os.path.join(directory, "nats.conf")
        # The hub names its JetStream domain, so that clients behind a leaf node reach it.
        hub = (f"jetstream {{ store_dir: \"{directory}/jetstream\", domain: hub }}\n"
               f"leafnodes {{ listen: 127.0.0.1:{self.leaf_port} }}\n") if jetstream else ""
        # nats-server reads an include relative to its config's directory, whatever its form.
        shutil.copy(include, os.path.join(directory, "operator.conf"))
        pathlib.Path(self.config).write_text(
            f"listen: 127.0.0.1:{port}\nhttp: 127.0.0.1:{self.monitor_port}\n{hub}"
            f"include operator.conf\n{extra}")
        self.start()

    def monitor(self, path):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.monitor_port}{path}", timeout=5) as r:
            return json.loads(r.read())

    def start(self):
        log = open(os.path.join(self.directory, "nats.log"), "ab")
        self.process = subprocess.Popen([NATS_SERVER, "-c", self.config], stdout=log, stderr=log)
        wait_for("nats-server to listen", lambda: "Server is ready" in self.log(), 10, 0.05)

    def log(self):
        return pathlib.Path(self.directory, "nats.log").read_text(errors="replace")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        # The next start appends to the log: forget the old readiness line.
        os.rename(os.path.join(self.directory, "nats.log"),
                  os.path.join(self.directory, f"nats.{time.time_ns()}.log"))


class Satellites:
    """Real satellites (`satellite run --nats`) against the module's ground control."""

    def __init__(self, server, nats_url):
        self.server, self.nats_url, self.processes = server, nats_url, {}

    def start(self, name, directory=None, *flags, nats_url=None):
        directory = directory or tempfile.mkdtemp(prefix=f"nats-e2e-{name}-")
        out = open(os.path.join(directory, "stdout"), "w")
        process = subprocess.Popen(
            [SATELLITE, "run", "--data-dir", directory, "--listen", "127.0.0.1:0",
             "--ground-control", f"https://{self.server.printed['satellite']}",
             "--ca-file", self.server.ca_file, "--resync-interval", "1s",
             "--nats", nats_url or self.nats_url, *flags],
            stdout=out, stderr=open(os.path.join(directory, "stderr"), "a"))
        self.processes[name] = process
        wait_for(f"satellite {name} to listen",
                 lambda: process.poll() is not None or
                 "listening on " in pathlib.Path(directory, "stdout").read_text(), 20, 0.1)
        assert process.poll() is None, \
            f"satellite {name} exited: {pathlib.Path(directory, 'stderr').read_text()}"
        return directory

    def kill(self, name):
        process = self.processes.pop(name)
        process.kill()
        process.wait()

    def stop(self):
        for process in self.processes.values():
            process.kill()
            process.wait()


class WebhookReceiver:
    """An HTTP server on loopback that keeps every JSON body POSTed to it."""

    def __init__(self):
        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((self.path, self.headers["Content-Type"], json.loads(body)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


@pytest.fixture(scope="session")
def contract():
    return gc.Contract()


@pytest.fixture(scope="module")
def fleet(contract):
    """(ground control, nats-server, satellites, admin client, upstream URL, webhooks);
    the operator block nats-server includes is at fleet[0].nats_include."""
    directory = tempfile.mkdtemp(prefix="nats-e2e-")
    port = gc.free_port()
    include = os.path.join(directory, "operator.conf")
    url = f"tls://127.0.0.1:{port}"
    os.makedirs(os.path.join(directory, "gc"))
    hooks = WebhookReceiver()
    server = gc.Server(os.path.join(directory, "gc"),
                       ["--nats", url, "--nats-server-names", "127.0.0.1",
                        "--nats-server-config", include, "--command-ttl", "10m",
                        "--nats-sweep-interval", "2s",
                        "--webhook", f"{hooks.url}/sync=sync.completed,sync.failed"])
    nats = NatsServer(os.path.join(directory, "hub"), port, include)
    registry_dir = os.path.join(directory, "registry")
    os.makedirs(registry_dir)
    registry = gc.docker_registry(registry_dir)
    upstream = next(registry)
    admin = gc.login(server, contract, "admin", server.printed["admin"])
    status, answer, _ = admin.call("PATCH", "/api/v1/satelliteconfigs/{name}", {"name": "default"},
                                   body={"spec": {"upstream": {"url": upstream},
                                                  "heartbeatInterval": "5s"}})
    assert status == 200, answer
    server.nats_include = include
    satellites = Satellites(server, url)
    yield server, nats, satellites, admin, upstream, hooks
    satellites.stop()
    hooks.stop()
    if nats.process.poll() is None:
        nats.process.kill()
    registry.close()
    server.stop()
