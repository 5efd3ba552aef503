#!/usr/bin/env python3
"""A registry token service (distribution's docs/spec/auth/token.md) for tests: answers
GET /token?service=...&scope=repository:NAME:ACTIONS with an RS256 JWT that docker-registry
(auth.token with rootcertbundle = --cert) accepts, to the one user it knows (HTTP basic);
401 to anyone else. The JWT carries the certificate in x5c; openssl signs it. Each request
is logged to stderr with its status (http.server's log)."""
import argparse
import base64
import http.server
import json
import os
import subprocess
import time
import urllib.parse


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main() -> None:
    parser = argparse.ArgumentParser()
    for flag in ("--port", "--key", "--cert", "--issuer", "--service", "--user", "--password"):
        parser.add_argument(flag, required=True)
    args = parser.parse_args()
    with open(args.cert) as f:
        pem = f.read()
    der_b64 = "".join(line for line in pem.splitlines() if not line.startswith("-----"))
    expected = "Basic " + base64.b64encode(f"{args.user}:{args.password}".encode()).decode()

    def sign(claims: dict) -> str:
        header = {"typ": "JWT", "alg": "RS256", "x5c": [der_b64]}
        signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
        signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", args.key],
                                   input=signing_input.encode(), capture_output=True,
                                   check=True).stdout
        return signing_input + "." + b64url(signature)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urllib.parse.urlparse(self.path)
            query = urllib.parse.parse_qs(url.query)
            if url.path != "/token" or self.headers.get("Authorization") != expected:
                self.send_response(401)
                self.end_headers()
                return
            access = []
            for scope in query.get("scope", []):
                kind, name, actions = scope.split(":", 2) if scope.count(":") >= 2 else ("", "", "")
                access.append({"type": kind, "name": name, "actions": actions.split(",")})
            now = int(time.time())
            token = sign({"iss": args.issuer, "sub": args.user, "aud": args.service,
                          "exp": now + 300, "nbf": now - 10, "iat": now,
                          "jti": b64url(os.urandom(12)), "access": access})
            body = json.dumps({"token": token, "expires_in": 300}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    http.server.ThreadingHTTPServer(("127.0.0.1", int(args.port)), Handler).serve_forever()


if __name__ == "__main__":
    main()
