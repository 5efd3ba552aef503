"""`ground-control backup` on a SQLite deployment that keeps serving and writing: the copy
is consistent (integrity_check, and the satellites created during the backup form a prefix
of the order they were created in), and a server started on the restored copy and master key
serves the same fleet (satellites, admin's password, a certificate issued before the backup).
Bad input gets a one-line error and a non-zero exit. PostgreSQL deployments are refused:
pg_dump backs them up (docs/runbook.md), and the runbook's pg_dump and pg_restore commands,
run against a deployment that keeps writing, give a database that serves the same fleet."""
import os
import pathlib
import shutil
import sqlite3
import stat
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import BINARY, Client, Server, enroll, login


def backup(data_dir, out, *flags):
    return subprocess.run([BINARY, "backup", "--data-dir", data_dir, "--out", str(out), *flags],
                          capture_output=True, text=True, timeout=60)


def create_satellite(admin, name):
    status, body, _ = admin.call("POST", "/api/v1/satellites", body={"metadata": {"name": name}})
    assert status == 201, body
    return body["enrollment"]["token"]


@pytest.fixture(scope="module")
def live(contract):
    """A SQLite deployment with two satellites, one enrolled, and its admin client."""
    server = Server(tempfile.mkdtemp(prefix="gc-backup-"))
    admin = login(server, contract, "admin", server.printed["admin"])
    create_satellite(admin, "before-0")
    token = create_satellite(admin, "before-1")
    _, _, cert = enroll(server, contract, token, "before-1")
    yield server, admin, cert
    server.stop()


class Writer(threading.Thread):
    """Creates satellites one after the other through the API until stopped."""

    def __init__(self, admin):
        super().__init__()
        self.admin = admin
        self.created = []
        self.failures = []
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            name = f"during-{len(self.created)}"
            status, body, _ = self.admin.call("POST", "/api/v1/satellites",
                                              body={"metadata": {"name": name}})
            if status != 201:
                self.failures.append((status, body))
                return
            self.created.append(name)


def assert_same_fleet(restored, server, contract, writer, during, cert):
    """`restored` serves what `server` held when its backup began: the same CA and admin
    password, the satellites made before it, those made while it ran as a prefix of their
    order (one consistent snapshot), and a certificate issued before it."""
    assert pathlib.Path(restored.ca_file).read_text() == pathlib.Path(server.ca_file).read_text()
    again = login(restored, contract, "admin", server.printed["admin"])
    names = [s["metadata"]["name"]
             for s in again.call("GET", "/api/v1/satellites", query="limit=1000")[1]["items"]]
    assert {"before-0", "before-1"} <= set(names)
    copied = sorted((n for n in names if n.startswith("during-")),
                    key=lambda n: int(n.split("-")[1]))
    assert copied == writer.created[:len(copied)]
    assert 5 <= len(copied) <= during
    satellite = Client(restored.printed["satellite"], restored.ca_file, contract, cert=cert)
    status, state, _ = satellite.call("GET", "/satellite/v1/state")
    assert status == 200 and state["satellite"] == "before-1"


def test_a_backup_taken_under_writes_restores_the_same_fleet(live, contract, tmp_path):
    server, admin, cert = live
    out = tmp_path / "groundcontrol-backup.db"
    writer = Writer(admin)
    writer.start()
    while len(writer.created) < 5:
        time.sleep(0.01)
    done = backup(server.data_dir, out)
    during = len(writer.created)
    time.sleep(0.3)
    writer.halt.set()
    writer.join()
    assert done.returncode == 0, done.stderr
    assert not writer.failures, writer.failures  # serve kept writing throughout
    assert len(writer.created) > during
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"backup {out} (") and "schema version" in lines[0], lines
    assert lines[1].startswith(f"master key {out}.master-key "), lines
    key_file = pathlib.Path(f"{out}.master-key")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name, key_file.name]
    with sqlite3.connect(out) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]

    restored_dir = tempfile.mkdtemp(prefix="gc-restored-")
    shutil.copy(out, os.path.join(restored_dir, "groundcontrol.db"))
    shutil.copy(key_file, os.path.join(restored_dir, "master.key"))
    restored = Server(restored_dir)
    try:
        assert_same_fleet(restored, server, contract, writer, during, cert)
    finally:
        restored.stop()


def one_line_failure(done):
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ground-control: "), done.stderr
    return lines[0]


def test_bad_targets_are_refused_in_one_line(live, tmp_path):
    server, _, _ = live
    missing = one_line_failure(backup(server.data_dir, tmp_path / "no-such-dir" / "copy.db"))
    assert "no directory" in missing and "no-such-dir" in missing

    existing = tmp_path / "existing.db"
    existing.write_text("an older backup")
    refused = one_line_failure(backup(server.data_dir, existing))
    assert "exists (--force replaces it)" in refused
    assert existing.read_text() == "an older backup"
    assert not pathlib.Path(f"{existing}.master-key").exists()
    forced = backup(server.data_dir, existing, "--force")
    assert forced.returncode == 0, forced.stderr
    with sqlite3.connect(existing) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]

    live_db = os.path.join(server.data_dir, "groundcontrol.db")
    assert "the live database" in one_line_failure(backup(server.data_dir, live_db, "--force"))
    empty = tempfile.mkdtemp(prefix="gc-empty-")
    assert "no database at" in one_line_failure(backup(empty, tmp_path / "x.db"))


def test_without_the_master_key_only_the_database_is_written(live, tmp_path):
    server, _, _ = live
    out = tmp_path / "db-only.db"
    done = backup(server.data_dir, out, "--without-master-key")
    assert done.returncode == 0, done.stderr
    assert "master key not copied" in done.stdout
    assert out.exists() and not pathlib.Path(f"{out}.master-key").exists()


def test_a_wrong_master_key_is_refused_before_anything_is_written(live, tmp_path):
    server, _, _ = live
    other = tmp_path / "other.key"
    subprocess.run(["openssl", "rand", "-base64", "-out", str(other), "32"], check=True)
    other.chmod(0o600)
    out = tmp_path / "wrong-key.db"
    message = one_line_failure(backup(server.data_dir, out, "--master-key-file", str(other)))
    assert "master key" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.key"]


def test_a_postgresql_deployment_is_pointed_at_pg_dump(tmp_path):
    done = backup(str(tmp_path), tmp_path / "x.db", "--db", "postgres://postgres@127.0.0.1:1/gc")
    assert "pg_dump" in one_line_failure(done)


def test_a_postgresql_deployment_restored_from_pg_dump_serves_the_same_fleet(postgres, contract,
                                                                             tmp_path):
    """docs/runbook.md's commands, as written: pg_dump of a serving deployment while it writes,
    pg_restore into an empty database, a server on it with the master key file."""
    database = postgres.new_database()
    data_dir = tempfile.mkdtemp(prefix="gc-pg-backup-")
    server = Server(data_dir, ["--db", database])
    try:
        admin = login(server, contract, "admin", server.printed["admin"])
        create_satellite(admin, "before-0")
        _, _, cert = enroll(server, contract, create_satellite(admin, "before-1"), "before-1")
        writer = Writer(admin)
        writer.start()
        while len(writer.created) < 5:
            time.sleep(0.01)
        dump = tmp_path / "gc.dump"
        done = subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", database],
                              capture_output=True, text=True, timeout=60)
        during = len(writer.created)
        time.sleep(0.3)
        writer.halt.set()
        writer.join()
        assert done.returncode == 0, done.stderr
        assert not writer.failures, writer.failures
        assert len(writer.created) > during
    finally:
        server.stop()

    restored_db = postgres.new_database()
    done = subprocess.run(["pg_restore", "--no-owner", f"--dbname={restored_db}", str(dump)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    restored_dir = tempfile.mkdtemp(prefix="gc-pg-restored-")
    shutil.copy(os.path.join(data_dir, "master.key"), os.path.join(restored_dir, "master.key"))
    restored = Server(restored_dir, ["--db", restored_db])
    try:
        assert "admin" not in restored.printed  # the restored admin, not a new one
        assert_same_fleet(restored, server, contract, writer, during, cert)
    finally:
        restored.stop()
