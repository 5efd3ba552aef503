"""Fixtures for gcctl's tests: ground control's own API fixtures (a real ground-control
process, an admin client checked against api/openapi.yaml), loaded from
tests/integration/groundcontrol/conftest.py rather than copied, on SQLite only, and `gcctl`,
which runs the real binary with its own config file and returns (exit code, stdout, stderr)."""
import importlib.util
import os
import pathlib
import re
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
GROUND_CONTROL_TESTS = HERE.parent / "groundcontrol"
sys.path.insert(0, str(GROUND_CONTROL_TESTS))
_spec = importlib.util.spec_from_file_location("groundcontrol_fixtures",
                                               GROUND_CONTROL_TESTS / "conftest.py")
gc = importlib.util.module_from_spec(_spec)
sys.modules["groundcontrol_fixtures"] = gc
_spec.loader.exec_module(gc)

# The fixtures this suite uses, as ground control's tests define them.
contract = gc.contract
fresh_deployment = gc.fresh_deployment
server = gc.server
admin = gc.admin

GCCTL = os.environ.get("GCCTL", str(gc.ROOT / "build" / "dev" / "src" / "cli" / "gcctl"))


@pytest.fixture(scope="module")
def engine():
    """SQLite only: the CLI sees the API, not the engine behind it."""
    return "sqlite"


class Gcctl:
    """Runs gcctl with GCCTL_CONFIG pointing at this test module's own file."""

    def __init__(self, config):
        self.config = config

    def __call__(self, *args, stdin=None, env=None, timeout=30):
        done = subprocess.run([GCCTL, *args], input=stdin, capture_output=True, text=True,
                              timeout=timeout,
                              env={**os.environ, "GCCTL_CONFIG": str(self.config), **(env or {})})
        return done.returncode, done.stdout, done.stderr

    def popen(self, *args):
        return subprocess.Popen([GCCTL, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env={**os.environ, "GCCTL_CONFIG": str(self.config)})


def management_url(server):
    return "https://" + server.printed["management"]


def fingerprint(server):
    """The sha256:HEX ground control printed for its CA."""
    return re.search(r"sha256:[0-9a-f]{64}", server.printed["ca"]).group(0)


@pytest.fixture(scope="module")
def gcctl(server, tmp_path_factory):
    """gcctl logged in to `server` as admin with its CA file (context "test")."""
    run = Gcctl(tmp_path_factory.mktemp("gcctl") / "config.yaml")
    code, out, err = run("login", management_url(server), "--username", "admin",
                         "--password-stdin", "--certificate-authority", server.ca_file,
                         "--context", "test", stdin=server.printed["admin"] + "\n")
    assert code == 0, err
    return run


def one_error_line(err):
    """stderr is exactly one `error: …` line; returns it."""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]
