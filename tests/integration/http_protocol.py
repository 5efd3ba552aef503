"""HTTP/1.1 framing as an attacker sends it (driven by http_protocol_test.sh).

Each request-smuggling case sends raw bytes whose framing is ambiguous or invalid, with a
second request (a DELETE of a pushed manifest) hidden where a lenient parser would take it
for the next request. The server must answer 400 (501 for a transfer coding it does not
know), close the connection, and never run the hidden DELETE. Malformed and truncated bodies
are the client's error (400, at once), unknown methods get 501 from the server itself, and
a correct chunked request still works.
"""

import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "testutil"))
from satellite import MANIFEST_TYPE, Satellite, read_to_eof, status_codes  # noqa: E402

# A long --io-timeout, so a server that waits for the rest of a body shows as a slow answer.
IO_TIMEOUT = 30


def delete(repo):
    return f"DELETE /v2/{repo}/manifests/v1 HTTP/1.1\r\nHost: x\r\n\r\n".encode()


class ProtocolTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sat = Satellite("--io-timeout", f"{IO_TIMEOUT}s", "--threads", "2")

    @classmethod
    def tearDownClass(cls):
        code = cls.sat.stop()
        if code != 0:
            raise AssertionError(f"satellite exited with {code} (sanitizer report in its log?)")

    def setUp(self):
        # One repository per test, holding the manifest its hidden DELETE would remove.
        self.repo = "smuggle/" + self.id().rsplit(".", 1)[-1].lower()
        self.sat.push_image(self.repo, "v1")

    def assert_rejected(self, raw, status=400):
        data, eof = self.sat.exchange(raw)
        self.assertTrue(eof, f"connection left open after {data[:200]!r}")
        self.assertEqual([status], status_codes(data), f"answer: {data[:300]!r}")
        self.assert_manifest_kept()

    def assert_manifest_kept(self):
        status, _, _ = self.sat.request("GET", f"/v2/{self.repo}/manifests/v1",
                                        headers={"Accept": MANIFEST_TYPE})
        self.assertEqual(200, status, "the hidden DELETE ran")

    def post(self, *headers, version="1.1"):
        lines = [f"POST /v2/ HTTP/{version}", "Host: x", *headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    # --- request smuggling: RFC 9112 §6.1 and §6.3

    def test_transfer_coding_not_chunked(self):
        hidden = delete(self.repo)
        self.assert_rejected(self.post("Transfer-Encoding: gzip",
                                       f"Content-Length: {len(hidden)}") + hidden)
        self.assert_rejected(self.post("Transfer-Encoding: gzip") + hidden)

    def test_chunked_not_final(self):
        self.assert_rejected(self.post("Transfer-Encoding: chunked, identity") + delete(self.repo))
        self.assert_rejected(
            self.post("Transfer-Encoding: chunked", "Transfer-Encoding: identity") +
            delete(self.repo))

    def test_unknown_coding_before_chunked(self):
        self.assert_rejected(self.post("Transfer-Encoding: gzip, chunked") + b"0\r\n\r\n" +
                             delete(self.repo), status=501)

    def test_content_length_and_transfer_encoding(self):
        hidden = delete(self.repo)
        body = b"0\r\n\r\n" + hidden
        self.assert_rejected(self.post("Content-Length: 5", "Transfer-Encoding: chunked") + body)
        self.assert_rejected(self.post("Transfer-Encoding: chunked", "Content-Length: 5") + body)

    def test_differing_content_lengths(self):
        hidden = delete(self.repo)
        self.assert_rejected(
            self.post("Content-Length: 0", f"Content-Length: {len(hidden)}") + hidden)
        self.assert_rejected(self.post(f"Content-Length: 0, {len(hidden)}") + hidden)

    def test_negative_content_length(self):
        self.assert_rejected(self.post("Content-Length: -1") + delete(self.repo))

    def test_nul_in_header(self):
        self.assert_rejected(self.post("X-Note: a\0b") + delete(self.repo))

    def test_transfer_encoding_in_http10(self):
        self.assert_rejected(
            self.post("Transfer-Encoding: chunked", version="1.0") + b"0\r\n\r\n" +
            delete(self.repo))

    def test_missing_or_repeated_host(self):
        self.assert_rejected(b"GET /v2/ HTTP/1.1\r\n\r\n" + delete(self.repo))
        self.assert_rejected(b"GET /v2/ HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n" +
                             delete(self.repo))

    # --- methods

    def test_unknown_methods_get_501(self):
        for method in ("FOO", "TRACE", "CONNECT"):
            data, _ = self.sat.exchange(
                f"{method} /v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            self.assertEqual([501], status_codes(data), f"{method}: {data[:300]!r}")
            self.assertNotIn(b"{}", data, f"{method} was dispatched like a GET")
        # The connection stays usable after a 501: the framing was fine.
        with self.sat.connect() as sock:
            sock.sendall(b"FOO /v2/ HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                         b"GET /v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data, _ = read_to_eof(sock)
        self.assertEqual([501, 200], status_codes(data))

    # --- bodies

    def put_manifest_head(self, *framing):
        lines = [f"PUT /v2/{self.repo}/manifests/v2 HTTP/1.1", "Host: x",
                 f"Content-Type: {MANIFEST_TYPE}", *framing]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def test_malformed_chunked_body_is_400(self):
        raw = self.put_manifest_head("Transfer-Encoding: chunked") + b"zz\r\n{}\r\n0\r\n\r\n"
        data, eof = self.sat.exchange(raw)
        self.assertEqual([400], status_codes(data), f"answer: {data[:300]!r}")
        self.assertTrue(eof)

    def test_valid_chunked_body_still_works(self):
        manifest = self.sat.push_image(self.repo, "v1")  # the same bytes again, as v2
        half = len(manifest) // 2
        chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part)
                           for part in (manifest[:half], manifest[half:])) + b"0\r\n\r\n"
        raw = (self.put_manifest_head("Transfer-Encoding: chunked", "Connection: close") +
               chunked)
        data, _ = self.sat.exchange(raw)
        self.assertEqual([201], status_codes(data), f"answer: {data[:300]!r}")

    def test_empty_chunked_body_arriving_byte_by_byte(self):
        # Beast 1.81 asserts on the final chunk "0\r\n\r\n" of an empty body arriving in
        # pieces (a false assertion: boostorg/beast PR 2861): a debug or sanitizer build died.
        sock = self.sat.connect()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(f"POST /v2/{self.repo}/blobs/uploads/ HTTP/1.1\r\nHost: x\r\n"
                     "Content-Length: 0\r\n\r\n".encode())
        answer = sock.recv(65536).decode()
        location = [line.split(": ", 1)[1] for line in answer.split("\r\n")
                    if line.lower().startswith("location:")][0]
        raw = (f"PATCH {location} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
               "0\r\n\r\nGET /v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").encode()
        for i in range(len(raw)):  # every byte its own segment, as a slow link delivers them
            sock.sendall(raw[i:i + 1])
            time.sleep(0.002)
        data, _ = read_to_eof(sock)
        sock.close()
        self.assertEqual([202, 200], status_codes(data), f"answer: {data[:300]!r}")
        self.test_server_still_serves()

    def test_truncated_body_then_half_close_is_answered_at_once(self):
        raw = self.put_manifest_head("Content-Length: 100") + b'{"schemaVe'
        started = time.monotonic()
        data, eof = self.sat.exchange(raw, half_close=True)
        elapsed = time.monotonic() - started
        self.assertEqual([400], status_codes(data), f"answer: {data[:300]!r}")
        self.assertTrue(eof)
        self.assertLess(elapsed, 3, f"answered after {elapsed:.1f}s (io-timeout {IO_TIMEOUT}s)")

    def test_server_still_serves(self):
        status, _, body = self.sat.request("GET", "/v2/")
        self.assertEqual((200, b"{}"), (status, body))


if __name__ == "__main__":
    unittest.main(verbosity=2)
