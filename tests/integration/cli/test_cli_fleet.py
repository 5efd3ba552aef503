"""gcctl's fleet commands against a real ground control: approve/deny enrollment requests,
token, state (desired against reported), get -w, wait, edit (with EDITOR a script) and
shell completion."""
import os
import pathlib
import re
import stat
import subprocess
import threading
import time

import yaml

from conftest import gc, one_error_line

DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "b" * 64
DIGEST_OLD = "sha256:" + "c" * 64


def satellite_client(server, contract, gcctl, name, labels=""):
    """Satellite `name` made with gcctl, enrolled with a token gcctl issued; its mTLS client."""
    assert gcctl("apply", "-f", "-", stdin=f"kind: Satellite\nmetadata: {{name: {name}, "
                 f"labels: {{{labels}}}}}\n")[0] == 0
    code, token, err = gcctl("token", name)
    assert code == 0 and re.fullmatch(r"gce_\S+\n", token), err
    status, body, cert = gc.enroll(server, contract, token.strip(), name)
    assert status == 200, body
    return gc.Client(server.printed["satellite"], server.ca_file, contract, cert=cert)


def test_approve_and_deny_enrollment_requests(server, contract, gcctl, admin):
    for name in ("device-ok", "device-bad"):
        _, csr = gc.make_key_and_csr(server.data_dir, name)
        assert gc.request_enrollment(server, contract, name, csr, labels={"site": "lab"})[0] == 201
    code, out, _ = gcctl("get", "er", "--field-selector", "status.phase=Pending", "-o", "name")
    assert out == "enrollmentrequest/device-bad\nenrollmentrequest/device-ok\n"
    code, out, err = gcctl("approve", "device-ok", "--label", "tier=edge", "--reason", "checked")
    assert (code, out) == (0, "enrollmentrequest/device-ok approved\n"), err
    code, out, err = gcctl("deny", "er/device-bad", "--reason", "unknown serial")
    assert (code, out) == (0, "enrollmentrequest/device-bad denied\n"), err
    satellite = admin.call("GET", "/api/v1/satellites/{name}", {"name": "device-ok"})[1]
    assert satellite["metadata"]["labels"] == {"site": "lab", "tier": "edge"}
    code, out, _ = gcctl("get", "er", "-o", "wide")
    rows = [re.split(r" {3,}", line) for line in out.splitlines()]
    assert rows[1][:2] == ["device-bad", "Denied"] and rows[2][:2] == ["device-ok", "Approved"]
    assert rows[2][3] == "user:admin"
    code, _, err = gcctl("approve", "device-bad")  # decided already
    assert code == 5 and one_error_line(err)
    code, _, err = gcctl("approve", "no-such-device")
    assert code == 6 and one_error_line(err)


def test_state_shows_desired_against_reported_per_artifact(server, contract, gcctl):
    satellite = satellite_client(server, contract, gcctl, "sat-state", "site: paris")
    assert gcctl("apply", "-f", "-", stdin=f"""\
kind: Group
metadata: {{name: paris-apps}}
spec:
  selector: {{matchLabels: {{site: paris}}}}
  artifacts:
    - {{repository: library/nginx, digest: "{DIGEST_A}", tags: ["1.27"]}}
    - {{repository: library/redis, digest: "{DIGEST_B}", tags: ["7"]}}
""")[0] == 0
    desired = satellite.call("GET", "/satellite/v1/state")[1]["stateDigest"]
    assert satellite.call("POST", "/satellite/v1/status", body={
        "stateDigest": desired, "artifacts": [
            {"repository": "library/nginx", "digest": DIGEST_A, "state": "present"},
            {"repository": "library/old", "digest": DIGEST_OLD, "state": "present"},
            {"repository": "library/redis", "digest": DIGEST_B, "state": "pulling",
             "bytesDone": 25, "bytesTotal": 100}]})[0] == 202
    deadline = time.time() + 10
    while True:
        code, out, err = gcctl("state", "sat-state")
        assert code == 0, err
        if "pulling" in out or time.time() > deadline:
            break
        time.sleep(0.2)
    lines = [re.split(r" {3,}", line) for line in out.splitlines()]
    assert lines[0] == ["Satellite sat-state: connectivity offline, sync syncing, groups paris-apps"]
    assert lines[1:] == [
        ["REPOSITORY", "TAGS", "DESIRED", "REPORTED", "STATE"],
        ["library/nginx", "1.27", DIGEST_A[:19], DIGEST_A[:19], "present"],
        ["library/redis", "7", DIGEST_B[:19], DIGEST_B[:19], "pulling 25%"],
        ["library/old", "<none>", "<none>", DIGEST_OLD[:19], "unwanted"]], out


def test_get_watch_prints_a_change_and_wait_meets_or_times_out(server, contract, gcctl):
    satellite = satellite_client(server, contract, gcctl, "sat-watch", "watch: 'yes'")
    code, _, err = gcctl("wait", "satellite/sat-watch", "--for=condition=Online", "--timeout", "1s")
    assert code == 7
    assert one_error_line(err) == \
        "error: timed out after 1s waiting for condition=Online on satellite/sat-watch"

    watcher = gcctl.popen("get", "satellites", "-l", "watch=yes", "-w")
    try:
        first = watcher.stdout.readline() + watcher.stdout.readline()
        assert re.split(r" {3,}", first.splitlines()[1])[:3] == ["sat-watch", "offline", "unknown"]
        digest = satellite.call("GET", "/satellite/v1/state")[1]["stateDigest"]
        assert satellite.call("POST", "/satellite/v1/heartbeat",
                              body={"stateDigest": digest, "version": "0.1.0"})[0] == 200
        code, out, err = gcctl("wait", "sat/sat-watch", "--for=condition=Online",
                               "--timeout", "20s")
        assert (code, out) == (0, "satellite/sat-watch condition met\n"), err
        code, out, err = gcctl("wait", "sat", "sat-watch",
                               "--for=jsonpath={.status.heartbeat.version}=0.1.0")
        assert code == 0, err
        timer = threading.Timer(20, watcher.kill)
        timer.start()
        row = watcher.stdout.readline()
        timer.cancel()
        assert re.split(r" {3,}", row.strip())[:2] == ["sat-watch", "online"], row
    finally:
        watcher.kill()
        watcher.wait()

    assert gcctl("delete", "sat", "sat-watch")[0] == 0
    code, out, err = gcctl("wait", "satellite/sat-watch", "--for=delete")
    assert (code, out) == (0, "satellite/sat-watch deleted\n"), err
    code, _, err = gcctl("wait", "satellite/sat-watch", "--for=ready")
    assert code == 2 and one_error_line(err)


def editor_script(tmp_path, body):
    script = tmp_path / "editor.sh"
    script.write_text("#!/bin/sh\nset -e\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def racing_editor(tmp_path, gcctl, document, sed):
    """An EDITOR that first applies `document` (printf's format: \\n for a newline) as
    someone else would, then edits the file with the `sed` expression."""
    gcctl_cmd = f"GCCTL_CONFIG='{gcctl.config}' '{gc_path()}'"
    return editor_script(tmp_path, f"printf '{document}' | {gcctl_cmd} apply -f - >/dev/null\n"
                                   f"sed -i '{sed}' \"$1\"\n")


def test_edit_with_editor_a_script_and_a_conflict_retried(gcctl, admin, tmp_path):
    gcctl("apply", "-f", "-", stdin="kind: Group\nmetadata: {name: edited, labels: {a: '1'}}\n"
          "spec: {satellites: [one]}\n")
    code, out, err = gcctl("edit", "group", "edited", env={"EDITOR": "true", "VISUAL": ""})
    assert (code, out) == (0, "Edit cancelled, no changes made.\n"), err

    editor = editor_script(tmp_path, "sed -i 's/- one/- two/' \"$1\"\n")
    code, out, err = gcctl("edit", "group/edited", env={"EDITOR": editor, "VISUAL": ""})
    assert (code, out) == (0, "group/edited edited\n"), err
    shown = admin.call("GET", "/api/v1/groups/{name}", {"name": "edited"})[1]
    assert shown["spec"]["satellites"] == ["two"]

    # Someone else changes the group while the editor is open: the edit is applied to the
    # newer version, and both changes stay.
    editor = racing_editor(tmp_path, gcctl, 'kind: Group\\nmetadata: {name: edited, labels: '
                           '{a: "2"}}\\nspec: {satellites: [two]}\\n', "s/- two/- three/")
    code, out, err = gcctl("edit", "group/edited", env={"EDITOR": editor, "VISUAL": ""})
    assert (code, out) == (0, "group/edited edited\n"), err
    shown = admin.call("GET", "/api/v1/groups/{name}", {"name": "edited"})[1]
    assert shown["spec"]["satellites"] == ["three"]
    assert shown["metadata"]["labels"] == {"a": "2"}

    # Text that does not parse is not thrown away: the error names the file that keeps it.
    broken = editor_script(tmp_path, "echo 'spec: [' >> \"$1\"\n")
    code, _, err = gcctl("edit", "group/edited", env={"EDITOR": broken, "VISUAL": ""})
    line = one_error_line(err)
    assert code == 2 and line.startswith("error: the edited group/edited: line "), err
    kept = re.search(r"; your edit is kept in (\S+)$", line)
    assert kept, line
    assert pathlib.Path(kept.group(1)).read_text().endswith("spec: [\n")
    pathlib.Path(kept.group(1)).unlink()


def test_edit_does_not_overwrite_a_concurrent_change_to_a_field_it_also_changed(
        gcctl, admin, tmp_path):
    gcctl("apply", "-f", "-", stdin="kind: Group\nmetadata: {name: raced}\n"
          "spec: {satellites: [one]}\n")
    # While the editor is open someone adds a satellite; the user replaces `one` with `mine`.
    # A merge patch replaces the array whole, so re-sending it would drop `other`.
    editor = racing_editor(tmp_path, gcctl, "kind: Group\\nmetadata: {name: raced}\\n"
                           "spec: {satellites: [one, other]}\\n", "s/- one/- mine/")
    code, out, err = gcctl("edit", "group/raced", env={"EDITOR": editor, "VISUAL": ""})
    line = one_error_line(err)
    kept = re.fullmatch(r"error: group/raced was changed by someone else while you edited it, "
                        r"in spec\.satellites; your edit is kept in (\S+)", line)
    assert (code, out) == (5, "") and kept, err
    assert "- mine" in pathlib.Path(kept.group(1)).read_text()
    pathlib.Path(kept.group(1)).unlink()
    shown = admin.call("GET", "/api/v1/groups/{name}", {"name": "raced"})[1]
    assert shown["spec"]["satellites"] == ["one", "other"]


def gc_path():
    from conftest import GCCTL
    return GCCTL


def test_completion_scripts_are_valid_shell_and_help_is_everywhere(gcctl):
    code, script, _ = gcctl("completion", "bash")
    assert code == 0 and "complete -F _gcctl gcctl" in script
    assert subprocess.run(["bash", "-n"], input=script, text=True).returncode == 0
    words = subprocess.run(
        ["bash", "-c", script + '\nCOMP_WORDS=(gcctl ge); COMP_CWORD=1; _gcctl; echo "${COMPREPLY[@]}"'],
        capture_output=True, text=True).stdout.split()
    assert words == ["get"]
    code, script, _ = gcctl("completion", "zsh")
    assert code == 0 and script.startswith("#compdef gcctl\n")
    code, _, err = gcctl("completion", "fish")
    assert code == 2 and one_error_line(err)
    for command in ("login", "logout", "config", "get", "describe", "apply", "delete", "edit",
                    "approve", "deny", "token", "state", "wait", "completion"):
        code, out, _ = gcctl(command, "--help")
        assert code == 0 and "Usage:" in out, command


def test_command_sends_lists_and_waits_for_a_satellites_command(gcctl, admin):
    assert admin.call("POST", "/api/v1/satellites", body={"metadata": {"name": "sat-cmd"}})[0] == 201
    code, out, err = gcctl("command", "sat-cmd")
    assert (code, out) == (0, "No commands sent to sat-cmd.\n"), err
    code, out, err = gcctl("command", "sat-cmd", "report.status", "--ttl", "10m")
    assert code == 0, err
    match = re.fullmatch(r"command/(\S+) \(report\.status\) Pending\n", out)
    assert match, out
    sent = admin.call("GET", "/api/v1/satellites/{name}/commands/{id}",
                      {"name": "sat-cmd", "id": match.group(1)})[1]
    assert sent["expiresAt"] > sent["createdAt"]
    code, out, _ = gcctl("command", "sat-cmd")
    rows = [re.split(r" {3,}", line) for line in out.splitlines()]
    assert rows[0][:3] == ["ID", "TYPE", "PHASE"]
    assert rows[1][:3] == [match.group(1), "report.status", "Pending"]
    # Without NATS nobody answers: --wait gives up with the timeout's code.
    code, out, err = gcctl("command", "sat-cmd", "collect.garbage", "--wait", "--timeout", "1s")
    assert code == 7, (out, err)
    assert "still Pending after 1s" in one_error_line(err)
    code, _, err = gcctl("command", "sat-cmd", "format.disk")
    assert code == 2 and "type" in one_error_line(err), err
    code, _, err = gcctl("command", "sat-cmd", "--wait")
    assert code == 2 and "need a command TYPE" in one_error_line(err), err
    code, _, err = gcctl("command", "nobody", "report.status")
    assert code == 6, err
