"""gcctl login, get, describe, apply and delete against a real ground control: what a user
sees on stdout, stderr and in the exit code."""
import contextlib
import http.server
import json
import os
import pathlib
import re
import threading

import yaml

from conftest import Gcctl, fingerprint, gc, management_url, one_error_line

HERE = pathlib.Path(__file__).resolve().parent
GOLDEN = HERE / "golden"

FLEET = """\
apiVersion: groundcontrol/v1
kind: SatelliteConfig
metadata:
  name: fast
spec:
  heartbeatInterval: 30s
---
kind: Satellite
metadata:
  name: berlin-1
  labels: {region: eu, site: berlin}
spec:
  config: fast
---
kind: Satellite
metadata:
  name: austin-1
  labels: {region: us, site: austin}
---
kind: Group
metadata:
  name: edge-eu
  labels: {tier: edge}
spec:
  selector:
    matchLabels: {region: eu}
  artifacts:
    - repository: library/nginx
      digest: sha256:1111111111111111111111111111111111111111111111111111111111111111
      tags: [latest, "1.27"]
"""


def table_cells(text):
    """A table as rows of cells (columns are 3+ spaces apart), the AGE column's values
    replaced by <age>: what golden files hold, stable across runs."""
    lines = text.splitlines()
    header = re.split(r" {3,}", lines[0])
    ages = [i for i, name in enumerate(header) if name in ("AGE", "LAST HEARTBEAT")]
    rows = []
    for line in lines:
        cells = re.split(r" {3,}", line)
        if line is not lines[0]:
            cells = ["<age>" if i in ages and re.fullmatch(r"\d+[smhd]", cell) else cell
                     for i, cell in enumerate(cells)]
        rows.append(" | ".join(cells))
    return "\n".join(rows) + "\n"


def check_golden(name, text):
    path = GOLDEN / name
    if os.environ.get("GOLDEN_UPDATE"):
        path.write_text(text)
    assert text == path.read_text(), f"{name}:\n{text}"


def test_login_by_ca_file_and_by_fingerprint_and_a_wrong_pin_is_refused(server, tmp_path):
    run = Gcctl(tmp_path / "config.yaml")
    password = server.printed["admin"] + "\n"
    code, out, err = run("login", management_url(server), "-u", "admin", "--password-stdin",
                         "--certificate-authority", server.ca_file, "--context", "by-file",
                         stdin=password)
    assert (code, err) == (0, ""), err  # over https, no warning
    assert 'context "by-file"' in out
    assert os.stat(tmp_path / "config.yaml").st_mode & 0o777 == 0o600
    code, out, err = run("login", management_url(server), "-u", "admin", "--password-stdin",
                         "--ca-fingerprint", fingerprint(server), "--context", "by-pin",
                         stdin=password)
    assert code == 0, err
    code, out, err = run("get", "satelliteconfigs", "default", "-o", "name")
    assert (code, out) == (0, "satelliteconfig/default\n"), err
    code, out, err = run("--context", "by-file", "get", "sc", "-o", "name")
    assert code == 0 and "satelliteconfig/default\n" in out, err
    code, out, _ = run("config", "get-contexts")
    assert table_cells(out).splitlines()[1:] == [
        f" | by-file | {management_url(server)} | admin | yes",
        f"* | by-pin | {management_url(server)} | admin | yes"]

    wrong = "sha256:" + "ab" * 32
    code, out, err = run("login", management_url(server), "-u", "admin", "--password-stdin",
                         "--ca-fingerprint", wrong, "--context", "wrong", stdin=password)
    assert code == 3
    assert "presents no CA certificate with fingerprint " + wrong in one_error_line(err)
    # Without a CA, the server's certificate is not trusted.
    code, _, err = run("login", management_url(server), "-u", "admin", "--password-stdin",
                       "--context", "no-ca", stdin=password)
    assert code == 3 and "not trusted" in one_error_line(err)
    code, _, err = run("config", "use-context", "wrong")
    assert code == 6 and one_error_line(err)
    code, _, err = run("login", management_url(server), "-u", "admin", "--password-stdin",
                       "--certificate-authority", server.ca_file, stdin="wrong\n")
    assert code == 4 and one_error_line(err) == \
        "error: login refused: wrong user name or password"


@contextlib.contextmanager
def answering(status):
    """A plain-HTTP server on loopback that answers every request with `status` and ground
    control's error envelope; yields its http://127.0.0.1:PORT."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = json.dumps({"error": {"code": "unavailable" if status == 503 else "internal",
                                         "message": f"answered {status}"}}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_login_over_plain_http_warns_that_the_password_is_not_encrypted(tmp_path):
    run = Gcctl(tmp_path / "config.yaml")
    with answering(200) as url:
        code, _, err = run("login", url, "-u", "admin", "--password-stdin", stdin="secret\n")
    lines = err.splitlines()
    assert lines[0] == (f"warning: {url} is plain HTTP: the password and the session token "
                        "travel unencrypted (use https://)"), err
    assert len([line for line in lines if line.startswith("warning: ")]) == 1, err


def test_a_503_is_unavailable_like_unreachable_and_other_5xx_are_server_errors(tmp_path):
    # A script may retry on 3 (ground control unavailable: starting, overloaded, its
    # database down); a 500 is a server failure, 1 (docs/cli.md).
    run = Gcctl(tmp_path / "config.yaml")
    for status, expected in ((503, 3), (500, 1), (502, 1)):
        with answering(status) as url:
            code, _, err = run("login", url, "-u", "admin", "--password-stdin", stdin="x\n")
        assert code == expected, (status, err)
        assert err.splitlines()[-1] == f"error: answered {status}", err


def test_apply_round_trip_changes_nothing_the_second_time(gcctl, tmp_path):
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(FLEET)
    code, out, err = gcctl("apply", "-f", str(fleet))
    assert code == 0, err
    assert out == ("satelliteconfig/fast created\nsatellite/berlin-1 created\n"
                   "satellite/austin-1 created\ngroup/edge-eu created\n")
    code, out, err = gcctl("apply", "-f", str(fleet))
    assert out == ("satelliteconfig/fast unchanged\nsatellite/berlin-1 unchanged\n"
                   "satellite/austin-1 unchanged\ngroup/edge-eu unchanged\n"), err

    code, shown, err = gcctl("get", "group", "edge-eu", "-o", "yaml")
    assert code == 0, err
    document = yaml.safe_load(shown)
    assert document["kind"] == "Group" and document["metadata"]["labels"] == {"tier": "edge"}
    assert document["spec"]["artifacts"][0]["tags"] == ["1.27", "latest"]
    exported = tmp_path / "exported.yaml"
    exported.write_text(shown)
    assert gcctl("apply", "-f", str(exported))[1] == "group/edge-eu unchanged\n"
    # Several resources print as a List, which apply takes back from stdin.
    code, listed, _ = gcctl("get", "satellites", "-o", "yaml")
    assert yaml.safe_load(listed)["kind"] == "List"
    assert gcctl("apply", "-f", "-", stdin=listed)[1] == \
        "satellite/austin-1 unchanged\nsatellite/berlin-1 unchanged\n"
    # JSON works as well, and a directory's files are applied in name order.
    directory = tmp_path / "dir"
    directory.mkdir()
    (directory / "b.json").write_text(gcctl("get", "sc", "fast", "-o", "json")[1])
    (directory / "a.yaml").write_text(shown)
    assert gcctl("apply", "-f", str(directory))[1] == \
        "group/edge-eu unchanged\nsatelliteconfig/fast unchanged\n"

    # A change is configured, and then the same file is unchanged again.
    changed = tmp_path / "changed.yaml"
    changed.write_text(FLEET.replace("heartbeatInterval: 30s", "heartbeatInterval: 20s"))
    code, out, _ = gcctl("apply", "-f", str(changed))
    assert out.splitlines()[0] == "satelliteconfig/fast configured"
    assert gcctl("apply", "-f", str(changed))[1].splitlines()[0] == "satelliteconfig/fast unchanged"
    gcctl("apply", "-f", str(fleet))


def test_dry_run_shows_what_would_change_and_changes_nothing(gcctl, admin, tmp_path):
    gcctl("apply", "-f", "-", stdin=FLEET)
    before = admin.call("GET", "/api/v1/groups/{name}", {"name": "edge-eu"})[1]
    edited = FLEET.replace("tier: edge", "tier: core") + \
        "---\nkind: Group\nmetadata: {name: brand-new}\n"
    code, out, err = gcctl("apply", "--dry-run", "-f", "-", stdin=edited)
    assert code == 0, err
    assert out == ("satelliteconfig/fast unchanged (dry run)\n"
                   "satellite/berlin-1 unchanged (dry run)\n"
                   "satellite/austin-1 unchanged (dry run)\n"
                   "group/edge-eu configured (dry run)\n"
                   "  ~ metadata.labels.tier: \"edge\" -> \"core\"\n"
                   "group/brand-new created (dry run)\n")
    after = admin.call("GET", "/api/v1/groups/{name}", {"name": "edge-eu"})[1]
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]
    assert admin.call("GET", "/api/v1/groups/{name}", {"name": "brand-new"})[0] == 404


def test_golden_tables(gcctl, server, contract):
    gcctl("apply", "-f", "-", stdin=FLEET)
    # berlin-1 enrolls and sends a heartbeat with the state it applied: online and in sync.
    status, _, cert = gc.enroll(server, contract, gcctl("token", "berlin-1")[1].strip(), "berlin-1")
    assert status == 200
    berlin = gc.Client(server.printed["satellite"], server.ca_file, contract, cert=cert)
    digest = berlin.call("GET", "/satellite/v1/state")[1]["stateDigest"]
    assert berlin.call("POST", "/satellite/v1/heartbeat",
                       body={"stateDigest": digest, "version": "0.1.0"})[0] == 200
    for condition in ("condition=Online", "condition=InSync"):
        code, _, err = gcctl("wait", "sat/berlin-1", "--for", condition, "--timeout", "20s")
        assert code == 0, err
    for name, args in [("satellites.txt", ["get", "satellites"]),
                       ("satellites-wide.txt", ["get", "sat", "-o", "wide", "-L", "site"]),
                       ("satellites-eu.txt", ["get", "sat", "-l", "region=eu"]),
                       ("groups.txt", ["get", "groups", "edge-eu"]),
                       ("groups-wide.txt", ["get", "grp", "edge-eu", "-o", "wide"]),
                       ("satelliteconfigs.txt", ["get", "sc", "--sort-by", "-metadata.name"])]:
        code, out, err = gcctl(*args)
        assert code == 0, err
        check_golden(name, table_cells(out))
    # Paging: one item per request still lists them all, in order.
    code, out, _ = gcctl("get", "sat", "-o", "name", "--limit", "1")
    assert out == "satellite/austin-1\nsatellite/berlin-1\n"
    code, out, _ = gcctl("get", "sat", "--field-selector", "metadata.name=berlin-1", "-o", "name")
    assert out == "satellite/berlin-1\n"
    assert gcctl("get", "er") == (0, "No resources found.\n", "")
    code, out, _ = gcctl("describe", "satellite/berlin-1")
    assert code == 0
    assert "Name:             berlin-1\n" in out and "region=eu, site=berlin" in out
    assert re.search(r"Events:\n  AGE +ACTOR +VERB +MESSAGE\n  \S+ +user:admin +create", out), out


def test_errors_are_one_line_with_their_exit_code(gcctl, server, admin, tmp_path):
    code, _, err = gcctl("get", "group", "missing")
    assert code == 6 and one_error_line(err) == 'error: Group "missing" not found'
    code, _, err = gcctl("get", "widgets")
    assert code == 2 and one_error_line(err).startswith('error: unknown resource type "widgets"')
    code, _, err = gcctl("get", "sat", "-l", "region in (eu")
    assert code == 2 and one_error_line(err)
    code, _, err = gcctl("get", "sat", "-o", "xml")
    assert code == 2 and one_error_line(err) == \
        "error: -o xml: expected table, wide, yaml, json or name"
    code, _, err = gcctl("frobnicate")
    assert code == 2 and one_error_line(err)

    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: Group\nmetadata: {name: x\n")
    code, _, err = gcctl("apply", "-f", str(bad))
    assert code == 2 and one_error_line(err).startswith(f"error: {bad}: line ")
    bad.write_text("kind: Widget\nmetadata: {name: x}\n")
    code, _, err = gcctl("apply", "-f", str(bad))
    assert code == 2 and one_error_line(err) == f'error: {bad}: unknown kind "Widget"'
    bad.write_text("kind: Group\nmetadata: {name: x}\nspec: {artifactz: []}\n")
    code, _, err = gcctl("apply", "-f", str(bad))
    assert code == 2 and "unknown field" in one_error_line(err)

    # A document that carries an old resourceVersion is a conflict, not a lost update.
    gcctl("apply", "-f", "-", stdin=FLEET)
    stale = yaml.safe_load(gcctl("get", "sc", "fast", "-o", "yaml")[1])
    gcctl("apply", "-f", "-", stdin=FLEET.replace("30s", "25s"))
    stale["spec"]["heartbeatInterval"] = "15s"
    code, _, err = gcctl("apply", "-f", "-", stdin=json.dumps(stale))
    assert code == 5 and one_error_line(err).startswith("error: satelliteconfig/fast: ")
    assert "resourceVersion" in err
    # Written by hand as an unquoted YAML number, the old version is a conflict all the same.
    pinned = (f"apiVersion: groundcontrol/v1\nkind: SatelliteConfig\nmetadata: {{name: fast, "
              f"resourceVersion: {int(stale['metadata']['resourceVersion'])}}}\n"
              f"spec: {{heartbeatInterval: 15s}}\n")
    code, _, err = gcctl("apply", "-f", "-", stdin=pinned)
    assert code == 5 and one_error_line(err).startswith("error: satelliteconfig/fast: "), err

    unreachable = Gcctl(tmp_path / "unreachable.yaml")
    code, _, err = unreachable("login", "https://127.0.0.1:1", "-u", "admin", "--password-stdin",
                               "--insecure-skip-tls-verify", stdin="x\n")
    assert code == 3
    assert one_error_line(err).startswith("error: cannot reach ground control at https://127.0.0.1:1")
    code, _, err = Gcctl(tmp_path / "nothing.yaml")("get", "sat")
    assert code == 4 and one_error_line(err) == "error: not logged in: run `gcctl login SERVER` first"


def test_a_logged_out_token_is_refused_with_code_4(server, tmp_path):
    run = Gcctl(tmp_path / "config.yaml")
    assert run("login", management_url(server), "-u", "admin", "--password-stdin",
               "--certificate-authority", server.ca_file, stdin=server.printed["admin"] + "\n")[0] == 0
    config = (tmp_path / "config.yaml").read_text()
    code, out, err = run("logout")
    assert code == 0 and out.startswith("Logged out of "), err
    code, _, err = run("get", "sat")
    assert code == 4 and "not logged in" in one_error_line(err)
    # The old token (as from a copy of the file) is dead on the server: 401.
    (tmp_path / "config.yaml").write_text(config)
    code, _, err = run("get", "sat")
    assert code == 4 and one_error_line(err).endswith("(log in again: gcctl login)"), err


def test_delete_by_name_and_by_file(gcctl, admin, tmp_path):
    doc = "kind: Group\nmetadata: {name: doomed}\n---\nkind: Group\nmetadata: {name: doomed-2}\n"
    gcctl("apply", "-f", "-", stdin=doc)
    code, out, err = gcctl("delete", "group", "doomed")
    assert (code, out) == (0, 'group "doomed" deleted\n'), err
    code, _, err = gcctl("delete", "group", "doomed")
    assert code == 6 and one_error_line(err)
    assert gcctl("delete", "group", "doomed", "--ignore-not-found")[0] == 0
    path = tmp_path / "doomed.yaml"
    path.write_text(doc)
    code, out, err = gcctl("delete", "-f", str(path), "--ignore-not-found")
    assert (code, out) == (0, 'group "doomed-2" deleted\n'), err
    assert admin.call("GET", "/api/v1/groups/{name}", {"name": "doomed-2"})[0] == 404
