#!/usr/bin/env python3
"""A test double of Harbor's REST API /api/v2.0, for tests only: not Harbor, and no part of
the product. Everything it answers is built from Harbor v2.15.2's published swagger
(swagger.yaml beside this file); see README.md for what it implements.

    python3 fake_harbor.py --port 0 --port-file F --admin USER:PASS [--state FILE]

Serves HTTP on 127.0.0.1 only. Each request is routed and checked against the swagger
(contract.py), answered by harbor_api.py (with access.py and robots.py), and the answer is
checked against the swagger too. What breaks the contract is recorded as a violation: a bad request is refused as Harbor
refuses it (422 for what go-swagger's binding rejects, 404/405 for unknown paths or
methods), and an answer of the fake that breaks it becomes a 500.

Control endpoints, not Harbor's, under /_fake/ (no auth):
  POST   /_fake/seed        projects, repositories, artifacts (tags, labels, push_time), labels
  GET    /_fake/calls       every Harbor call: method, path, query, body, status, caller, robot_id
  DELETE /_fake/calls       forgets them
  GET    /_fake/violations  every contract violation; DELETE forgets them
  POST   /_fake/fail        {"path", "method"?, "times"?, "status", "body"?}: the next `times`
                            calls of that path answer `status` with `body` (raw text, e.g.
                            garbage) or else Harbor's error envelope
  POST   /_fake/age         {"robot": name without "robot$", "days"}: the robot made that
                            many days older (creation and expiry), as time passing would

One ThreadingHTTPServer; one lock (the store's) serialises the handlers and the records."""
import argparse
import base64
import binascii
import datetime
import http.server
import json
import os
import pathlib
import sys
import urllib.parse
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import contract as ct  # noqa: E402
import answers  # noqa: E402
import harbor_api  # noqa: E402
import seed as seeding  # noqa: E402
import store as st  # noqa: E402


class Fake:
    """The double's state beyond Harbor's: the recorded calls and violations and the
    pending injected failures. Guarded by store.lock."""

    def __init__(self, state_file, admin_user, admin_password):
        self.store = st.Store(state_file)
        self.contract = ct.Contract()
        self.api = harbor_api.HarborApi(self.store, self.contract, admin_user, admin_password)
        self.calls, self.violations, self.failures = [], [], []

    def violation(self, kind, method, path, operation, messages, rejected):
        self.violations.append({"kind": kind, "method": method, "path": path, "operation": operation,
                                "messages": messages, "rejected": rejected})

    def injected(self, method, path):
        for rule in self.failures:
            if rule["path"] == path and rule.get("method", method).upper() == method and rule["times"] > 0:
                rule["times"] -= 1
                return rule
        return None

    def harbor(self, method, path, query, headers, raw_body):
        """Answers one Harbor call: (answers.Answer, operation id or None, Caller, whether the
        answer is not Harbor's own: injected, unimplemented or the fake's failure)."""
        caller = answers.Caller("anonymous")
        rule = self.injected(method, path)
        if rule:
            if "body" in rule:
                return answers.Answer(rule["status"], rule["body"], {"_raw": True}), None, caller, True
            text = http.HTTPStatus(rule["status"]).phrase.upper().replace(" ", "_")
            return answers.error(rule["status"], text, "injected by /_fake/fail"), None, caller, True
        try:
            op, path_params = self.contract.route(method, path)
        except ct.Problem as p:
            kind = "unknown-method" if p.status == 405 else "unknown-path"
            self.violation(kind, method, path, None, [p.message], True)
            return answers.error(p.status, p.code, p.message), None, caller, False
        caller = self.api.authenticate(*basic_auth(headers.get("Authorization")))
        try:
            values, body, notes = self.contract.bind(op, path_params, query, headers, raw_body,
                                                     headers.get("Content-Type"))
        except ct.Problem as p:
            self.violation("request", method, path, op.id, p.message.split("\n")[-1:] if p.status == 415
                           else p.message.split("\n")[1:], True)
            return answers.error(p.status, p.code, p.message), op.id, caller, False
        if notes:
            self.violation("request-ignored", method, path, op.id, notes, False)
        if not self.api.implements(op.id):
            message = f"the fake does not implement {op.id} ({method} {op.template})"
            self.violation("unimplemented", method, path, op.id, [message], True)
            return answers.error(501, "NOT_IMPLEMENTED", message), op.id, caller, True
        call = answers.Call(op, values, body, caller, path, query)
        try:
            answer = self.api.answer(call)
        except Exception as e:  # a bug of the fake
            self.violation("fake-error", method, path, op.id, [f"{type(e).__name__}: {e}"], True)
            return answers.error(500, "UNKNOWN", "internal server error"), op.id, caller, True
        problems = self.contract.check_answer(op, answer.status, answer.headers, answer.body)
        if problems:
            self.violation("answer", method, path, op.id, problems, True)
            return answers.error(500, "UNKNOWN", "internal server error"), op.id, caller, True
        return answer, op.id, caller, False

    def control(self, method, path, raw_body):
        """The /_fake/ endpoints: (status, JSON body)."""
        if path == "/_fake/calls" and method in ("GET", "DELETE"):
            if method == "DELETE":
                self.calls.clear()
            return 200, self.calls
        if path == "/_fake/violations" and method in ("GET", "DELETE"):
            if method == "DELETE":
                self.violations.clear()
            return 200, self.violations
        try:
            body = json.loads(raw_body or b"{}")
        except ValueError as e:
            return 400, {"error": f"not JSON: {e}"}
        if path == "/_fake/seed" and method == "POST":
            try:
                return 200, seeding.seed(self.store, body)
            except (KeyError, TypeError, ValueError) as e:
                return 400, {"error": f"bad seed: {e!r}"}
        if path == "/_fake/fail" and method == "POST":
            if not isinstance(body.get("path"), str) or not isinstance(body.get("status"), int):
                return 400, {"error": "needs path (string) and status (integer)"}
            rule = {"path": body["path"], "status": body["status"], "times": body.get("times", 1)}
            if "method" in body:
                rule["method"] = body["method"].upper()
            if "body" in body:
                rule["body"] = body["body"]
            self.failures.append(rule)
            return 200, rule
        if path == "/_fake/age" and method == "POST":
            return self.age_robot(body)
        return 404, {"error": f"no control endpoint {method} {path}"}

    def age_robot(self, body):
        """POST /_fake/age: moves a robot's creation (and so its expiry) `days` into the past."""
        if not isinstance(body.get("robot"), str) or not isinstance(body.get("days"), (int, float)):
            return 400, {"error": "needs robot (string) and days (number)"}
        with self.store.lock:
            robot = self.store.robot_by_name(body["robot"])
            if robot is None:
                return 404, {"error": f"no robot {body['robot']}"}
            created = st.parse_time(robot["creation_time"]) - datetime.timedelta(days=body["days"])
            robot["creation_time"] = created.isoformat()
            if robot["duration"] != -1:
                robot["expires_at"] = int(
                    (created + datetime.timedelta(days=robot["duration"])).timestamp())
            self.store.save()
            return 200, {"creation_time": robot["creation_time"], "expires_at": robot["expires_at"]}


def basic_auth(header):
    """(user, password) of a Basic Authorization header, or (None, None)."""
    if not header or not header.lower().startswith("basic "):
        return None, None
    try:
        user, sep, password = base64.b64decode(header[6:].strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    return (user, password) if sep else (None, None)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-harbor"
    fake = None  # set by main()

    def log_message(self, *args):
        pass

    def _serve(self):
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        fake = self.fake
        with fake.store.lock:
            if url.path.startswith("/_fake/"):
                status, body = fake.control(self.command, url.path, raw_body)
                return self._send(status, json.dumps(body).encode(), "application/json", {})
            query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
            answer, op_id, caller, injected = fake.harbor(self.command, url.path, query, self.headers,
                                                          raw_body.decode("utf-8", "replace"))
            fake.calls.append({
                "method": self.command, "path": url.path, "query": query,
                "body": _json_or_text(raw_body), "status": answer.status, "operation": op_id,
                "caller": caller.kind, "robot_id": caller.robot["id"] if caller.robot else None,
                "auth_failed": caller.failed, "injected": injected})
        headers = {k: v for k, v in answer.headers.items() if not k.startswith("_")}
        headers["X-Request-Id"] = self.headers.get("X-Request-Id") or str(uuid.uuid4())
        if answer.headers.get("_raw"):
            return self._send(answer.status, str(answer.body).encode(), "application/json", headers)
        if answer.body is None:
            return self._send(answer.status, b"", None, headers)
        kind = "application/json; charset=utf-8" if answer.status >= 400 else "application/json"
        return self._send(answer.status, (json.dumps(answer.body) + "\n").encode(), kind, headers)

    def _send(self, status, payload, content_type, headers):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve


def _json_or_text(raw):
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", help="where to write the bound port once listening")
    parser.add_argument("--admin", required=True, metavar="USER:PASS")
    parser.add_argument("--state", help="JSON file the state is kept in across restarts")
    args = parser.parse_args()
    user, sep, password = args.admin.partition(":")
    if not sep or not user:
        parser.error("--admin takes USER:PASS")
    Handler.fake = Fake(args.state, user, password)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    if args.port_file:
        tmp = args.port_file + ".tmp"
        pathlib.Path(tmp).write_text(f"{server.server_address[1]}\n")
        os.replace(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
