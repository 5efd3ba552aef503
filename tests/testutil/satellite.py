"""Helpers for the Python integration tests (standard library only, like lib.sh for bash).

Starts the real satellite binary ($SATELLITE) on a free loopback port in a private temp dir,
talks to it over raw sockets (for bytes no HTTP library would send) and http.client (for
setup), and stops it afterwards. Every socket operation has a timeout so a test never hangs.
"""

import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

SOCKET_TIMEOUT = 5.0


class Satellite:
    """A `satellite serve` process; use as a context manager or call stop()."""

    def __init__(self, *flags, preexec_fn=None):
        self.dir = tempfile.mkdtemp(prefix="satellite-test.")
        self.out_path = os.path.join(self.dir, "sat.out")
        self.log_path = os.path.join(self.dir, "sat.log")
        binary = os.environ["SATELLITE"]
        with open(self.out_path, "wb") as out, open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [binary, "serve", "--data-dir", os.path.join(self.dir, "data"),
                 "--listen", "127.0.0.1:0", *flags],
                stdout=out, stderr=log, preexec_fn=preexec_fn)
        self.host, self.port = self._wait_listening(10.0)

    def _wait_listening(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with open(self.out_path) as out:
                for line in out:
                    if line.startswith("listening on "):
                        host, port = line.split()[-1].rsplit(":", 1)
                        return host, int(port)
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError("satellite did not start:\n" + self.log())

    @property
    def address(self):
        return f"{self.host}:{self.port}"

    def log(self):
        with open(self.log_path, errors="replace") as log:
            return log.read()

    def cpu_seconds(self):
        """utime + stime of the process so far, from /proc/PID/stat."""
        with open(f"/proc/{self.process.pid}/stat") as stat:
            # The command name (field 2) may hold spaces: split after its closing paren.
            fields = stat.read().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self):
        """SIGTERM, then SIGKILL after 10 s; returns the exit status (non-zero on a leak)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if os.environ.get("TU_KEEP"):
            print("kept", self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        return self.process.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # --- raw sockets

    def connect(self):
        sock = socket.create_connection((self.host, self.port), timeout=SOCKET_TIMEOUT)
        sock.settimeout(SOCKET_TIMEOUT)
        return sock

    def exchange(self, data, half_close=False):
        """Sends raw bytes on a new connection, reads until EOF; returns (bytes, eof)."""
        with self.connect() as sock:
            sock.sendall(data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
            return read_to_eof(sock)

    # --- ordinary requests, for setup and checks

    def request(self, method, path, body=None, headers=None):
        """One request over http.client; returns (status, headers dict, body bytes)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=SOCKET_TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def push_blob(self, repo, data):
        """POST then PUT ?digest=; returns the digest. Raises unless 201."""
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        status, headers, _ = self.request("POST", f"/v2/{repo}/blobs/uploads/")
        assert status == 202, f"start upload: {status}"
        location = headers["Location"]
        status, _, _ = self.request(
            "PUT", f"{location}?digest={digest}", body=data,
            headers={"Content-Type": "application/octet-stream"})
        assert status == 201, f"finish upload: {status}"
        return digest

    def push_image(self, repo, tag):
        """Pushes a config, one layer and an image manifest tagged `tag`."""
        config = b'{"architecture":"amd64","os":"linux"}'
        layer = b"layer of " + repo.encode()
        manifest = json.dumps({
            "schemaVersion": 2,
            "mediaType": MANIFEST_TYPE,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": self.push_blob(repo, config), "size": len(config)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                        "digest": self.push_blob(repo, layer), "size": len(layer)}],
        }).encode()
        status, _, _ = self.request("PUT", f"/v2/{repo}/manifests/{tag}", body=manifest,
                                    headers={"Content-Type": MANIFEST_TYPE})
        assert status == 201, f"push manifest: {status}"
        return manifest


MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"


def read_to_eof(sock):
    """Reads until the peer closes; returns (bytes, True) or (bytes so far, False) on timeout."""
    chunks = []
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return b"".join(chunks), True
            chunks.append(chunk)
    except socket.timeout:
        return b"".join(chunks), False
    except ConnectionResetError:
        return b"".join(chunks), True


def status_codes(data):
    """The status code of every response in a raw byte stream, in order."""
    codes = []
    for line in data.split(b"\r\n"):
        if line.startswith(b"HTTP/1."):
            codes.append(int(line.split()[1]))
    return codes
