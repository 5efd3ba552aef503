"""Signed state artifacts published by ground control (issue 13), through the real binary on
both engines into Debian's docker-registry: with --state-endpoint, each group's, satellite's
and config's state appears under satellite/{group,satellite,config}-state/<name>/state,
tagged latest and v<N>, signed so that cosign 2.5 verifies it; a change is a new version, an
unchanged fleet pushes nothing; the config state holds no credential; each satellite's
state over mTLS names the registry and the keys to trust; a restart continues the versions;
a deleted group's or satellite's state is deleted from the registry, and a group made again
continues the versions.
Without a signing key ground control refuses to start, saying why."""
import json
import os
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest

from conftest import (BINARY, Client, Server, docker_registry, enrolled, login, push_image)

COSIGN = os.environ.get("COSIGN", "")
ENV = {"COSIGN_PASSWORD": "state-pass"}


def get(url, accept=None):
    headers = {"Accept": accept} if accept else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
        return r.read()


def tags(registry, repository):
    try:
        return json.loads(get(f"{registry}/v2/{repository}/tags/list"))["tags"] or []
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return []
        raise


def document(registry, repository, tag="latest", deadline=5):
    """The state document that `tag` names. docker-registry's filesystem driver writes a tag's
    link in place (truncate, then write), so while a new version moves `latest` a read can
    find the tag listed but its link empty and answer 404, or half written and answer 500
    (seen in CI-like load): such answers are retried, briefly."""
    end = time.time() + deadline
    while True:
        try:
            manifest = json.loads(get(f"{registry}/v2/{repository}/manifests/{tag}",
                                      "application/vnd.oci.image.manifest.v1+json"))
            layer = manifest["layers"][0]["digest"]
            return json.loads(get(f"{registry}/v2/{repository}/blobs/{layer}"))
        except urllib.error.HTTPError as error:
            if error.code not in (404, 500) or time.time() > end:
                raise
            time.sleep(0.1)


def wait_for(predicate, what, deadline=30):
    end = time.time() + deadline
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}")


def cosign_verify(registry, repository, public_key):
    if not (COSIGN and os.access(COSIGN, os.X_OK)):
        pytest.fail(f"cosign is missing (COSIGN={COSIGN!r}): run scripts/bootstrap")
    reference = registry.removeprefix("http://") + f"/{repository}:latest"
    return subprocess.run([COSIGN, "verify", "--key", public_key, "--insecure-ignore-tlog=true",
                           "--allow-insecure-registry", reference],
                          capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def registry(engine):
    for url in docker_registry(tempfile.mkdtemp(prefix="gc-state-registry-")):
        yield url


@pytest.fixture(scope="module")
def keys():
    directory = tempfile.mkdtemp(prefix="gc-state-keys-")
    prefix = os.path.join(directory, "state")
    subprocess.run([BINARY, "keygen", "--output-key-prefix", prefix], check=True,
                   capture_output=True, env={**os.environ, **ENV})
    return prefix


def postgres_of(flags):
    return flags[flags.index("--db") + 1] if "--db" in flags else None


def forget_publications(database, flags, data_dir):
    """Deletes ground control's record of its publications (the server is stopped)."""
    if database:
        subprocess.run(["psql", "-q", "-d", database, "-c", "DELETE FROM state_publications"],
                       check=True, capture_output=True)
        return
    import sqlite3
    with sqlite3.connect(os.path.join(data_dir, "groundcontrol.db")) as db:
        db.execute("DELETE FROM state_publications")


def test_state_is_published_signed_and_versioned(fresh_deployment, contract, registry, keys):
    flags = fresh_deployment()
    data_dir = tempfile.mkdtemp(prefix="gc-state-")
    serve_flags = [*flags, "--state-endpoint", "central", "--state-signing-key", f"{keys}.key",
                   "--state-interval", "1s", "--state-keep-versions", "2"]
    server = Server(data_dir, serve_flags, ENV)
    password = server.printed["admin"]
    try:
        admin = login(server, contract, "admin", password)
        assert admin.call("POST", "/api/v1/registryendpoints", body={
            "metadata": {"name": "central"}, "spec": {"url": registry}})[0] == 201
        app = push_image(registry, "library/app", "1.0", "state-app")
        assert admin.call("PATCH", "/api/v1/satelliteconfigs/{name}", {"name": "default"},
                          body={"spec": {"upstream": {"url": registry, "username": "robot",
                                                      "password": "s3cret-pw"}}},
                          headers={"Content-Type": "application/merge-patch+json"})[0] == 200
        _, cert = enrolled(server, contract, admin, "edge-1")
        assert admin.call("POST", "/api/v1/groups", body={
            "metadata": {"name": "shop"},
            "spec": {"artifacts": [{"repository": "library/app", "digest": app,
                                    "tags": ["1.0"]}], "satellites": ["edge-1"]}})[0] == 201

        group_repo = "satellite/group-state/shop/state"
        wait_for(lambda: "latest" in tags(registry, group_repo), "the group state")
        group = document(registry, group_repo)
        assert group["artifacts"] == [{"repository": "library/app", "digest": app,
                                       "tags": ["1.0"], "type": "IMAGE"}], group
        first_version = group["version"]

        satellite_repo = "satellite/satellite-state/edge-1/state"
        wait_for(lambda: "latest" in tags(registry, satellite_repo), "the satellite state")
        ref = wait_for(lambda: (lambda d: d if d["groups"] else None)(
            document(registry, satellite_repo)), "the satellite state naming its group")
        assert ref["groups"] == [{"name": "shop", "state": group_repo}], ref
        assert ref["config"]["state"] == "satellite/config-state/default/state", ref

        config_repo = "satellite/config-state/default/state"
        wait_for(lambda: "latest" in tags(registry, config_repo), "the config state")
        config_text = json.dumps(document(registry, config_repo))
        assert registry in config_text
        assert "s3cret-pw" not in config_text and "robot" not in config_text, config_text

        # cosign verifies what ground control signed, with the key pair keygen made.
        verified = cosign_verify(registry, group_repo, f"{keys}.pub")
        assert verified.returncode == 0, verified.stderr

        # The satellite learns over mTLS where state is published and which keys to trust.
        satellite = Client(server.printed["satellite"], server.ca_file, contract, cert=cert)
        status, state, _ = satellite.call("GET", "/satellite/v1/state")
        assert status == 200, state
        assert state["stateRegistry"]["url"] == registry
        assert state["stateRegistry"]["project"] == "satellite"
        public_key = open(f"{keys}.pub").read()
        assert state["stateRegistry"]["trustedKeys"] == [public_key]

        # Nothing changes: nothing is pushed.
        before = sorted(tags(registry, group_repo))
        time.sleep(2.5)
        assert sorted(tags(registry, group_repo)) == before

        # A change is a new version; old versions beyond the kept two are pruned.
        for n, tag in enumerate(("1.1", "1.2", "1.3")):
            digest = push_image(registry, "library/app", tag, f"state-app-{tag}")
            assert admin.call("PATCH", "/api/v1/groups/{name}", {"name": "shop"}, body={
                "spec": {"artifacts": [{"repository": "library/app", "digest": digest,
                                        "tags": [tag]}]}},
                headers={"Content-Type": "application/merge-patch+json"})[0] == 200
            wait_for(lambda: document(registry, group_repo)["version"] == first_version + n + 1,
                     f"version {first_version + n + 1}")
        # Pruning follows the push of latest: wait for it rather than race it.
        kept = [f"v{first_version + 2}", f"v{first_version + 3}"]
        versions = lambda: sorted(t for t in tags(registry, group_repo) if t.startswith("v"))
        wait_for(lambda: versions() == kept, f"only {kept} kept", deadline=10)
    finally:
        server.stop()

    # A restart continues the versions rather than starting over, even when the record of
    # what was published is lost (the registry's newest version then counts).
    forget_publications(postgres_of(flags), flags, data_dir)
    server = Server(data_dir, serve_flags, ENV)
    try:
        admin = login(server, contract, "admin", password)
        digest = push_image(registry, "library/app", "1.4", "state-app-1.4")
        assert admin.call("PATCH", "/api/v1/groups/{name}", {"name": "shop"}, body={
            "spec": {"artifacts": [{"repository": "library/app", "digest": digest,
                                    "tags": ["1.4"]}]}},
            headers={"Content-Type": "application/merge-patch+json"})[0] == 200
        # (Its first round may republish the unchanged state first: the record is gone.)
        wait_for(lambda: (lambda d: d["artifacts"][0]["digest"] == digest and
                          d["version"] >= first_version + 4)(document(registry, group_repo)),
                 "a later version after a restart")

        # The group's signature policy travels with its state.
        public_key = open(f"{keys}.pub").read()
        assert admin.call("PATCH", "/api/v1/groups/{name}", {"name": "shop"}, body={
            "spec": {"signaturePolicy": {"mode": "enforce", "publicKeys": [public_key]}}},
            headers={"Content-Type": "application/merge-patch+json"})[0] == 200
        wait_for(lambda: document(registry, group_repo).get("signaturePolicy") ==
                 {"mode": "enforce", "publicKeys": [public_key]},
                 "the signature policy in the group state")
    finally:
        server.stop()


def test_a_state_endpoint_needs_a_signing_key():
    data_dir = tempfile.mkdtemp(prefix="gc-state-nokey-")
    run = subprocess.run([BINARY, "serve", "--data-dir", data_dir, "--state-endpoint", "central"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert "--state-endpoint needs --state-signing-key" in run.stderr, run.stderr
    run = subprocess.run([BINARY, "serve", "--data-dir", data_dir, "--state-endpoint", "central",
                          "--state-signing-key", os.path.join(data_dir, "absent.key")],
                         capture_output=True, text=True, timeout=60, env={**os.environ, **ENV})
    assert run.returncode != 0
    assert "absent.key" in run.stderr, run.stderr


def test_every_replica_names_the_state_registry(postgres, contract, registry, keys):
    """Two replicas on one PostgreSQL database: whichever publishes, both serve states that
    name the registry and the keys, so a satellite sees one digest whichever it reaches; an
    enrollment answer names them too."""
    database = postgres.new_database()
    key_file = os.path.join(tempfile.mkdtemp(prefix="gc-state-key-"), "master.key")
    subprocess.run(["openssl", "rand", "-base64", "-out", key_file, "32"], check=True)
    os.chmod(key_file, 0o600)
    flags = ["--db", database, "--master-key-file", key_file, "--state-endpoint", "central",
             "--state-signing-key", f"{keys}.key", "--state-interval", "1s"]
    a = Server(tempfile.mkdtemp(prefix="gc-state-a-"), flags, ENV)
    b = Server(tempfile.mkdtemp(prefix="gc-state-b-"), flags, ENV)
    try:
        admin = login(a, contract, "admin", a.printed["admin"])
        assert admin.call("POST", "/api/v1/registryendpoints", body={
            "metadata": {"name": "central"}, "spec": {"url": registry}})[0] == 201
        _, cert = enrolled(a, contract, admin, "edge-r")
        states = []
        for server in (a, b):
            client = Client(server.printed["satellite"], server.ca_file, contract, cert=cert)
            states.append(wait_for(lambda: (lambda s: s if s[0] == 200 and "stateRegistry" in s[1]
                                            else None)(client.call("GET", "/satellite/v1/state")),
                                   "a state naming the registry")[1])
        assert states[0]["stateRegistry"] == states[1]["stateRegistry"]
        assert states[0]["stateDigest"] == states[1]["stateDigest"]
        # A satellite enrolling now is told where and whom to trust in its enrollment answer.
        answer, _ = enrolled(b, contract, admin, "edge-late")
        assert answer["stateRegistry"] == states[0]["stateRegistry"], answer
    finally:
        b.stop()
        a.stop()


def test_states_that_leave_the_fleet_are_deleted_and_their_versions_continue(
        fresh_deployment, contract, registry, keys):
    """A deleted group's and satellite's states go from the registry once the states that named
    them are published without them; a group made again under the same name continues the
    versions (satellites refuse a version that goes back)."""
    flags = fresh_deployment()
    server = Server(tempfile.mkdtemp(prefix="gc-state-retire-"),
                    [*flags, "--state-endpoint", "central", "--state-signing-key",
                     f"{keys}.key", "--state-interval", "1s", "--state-project", "retiring"], ENV)
    try:
        admin = login(server, contract, "admin", server.printed["admin"])
        assert admin.call("POST", "/api/v1/registryendpoints", body={
            "metadata": {"name": "central"}, "spec": {"url": registry}})[0] == 201
        app = push_image(registry, "library/app", "2.0", "retire-app")
        enrolled(server, contract, admin, "edge-stays")
        enrolled(server, contract, admin, "edge-goes")
        group = {"metadata": {"name": "popup"},
                 "spec": {"artifacts": [{"repository": "library/app", "digest": app,
                                         "tags": ["2.0"]}],
                          "satellites": ["edge-stays", "edge-goes"]}}
        assert admin.call("POST", "/api/v1/groups", body=group)[0] == 201
        group_repo = "retiring/group-state/popup/state"
        stays_repo = "retiring/satellite-state/edge-stays/state"
        goes_repo = "retiring/satellite-state/edge-goes/state"
        names_popup = lambda: [g["name"] for g in document(registry, stays_repo)["groups"]] == [
            "popup"]
        wait_for(lambda: "latest" in tags(registry, group_repo), "the group state")
        wait_for(lambda: "latest" in tags(registry, goes_repo), "the satellite state")
        wait_for(names_popup, "the satellite state naming the group")
        # Two more versions, so that more than one manifest and signature go.
        for n in (1, 2):
            digest = push_image(registry, "library/app", f"2.{n}", f"retire-app-{n}")
            assert admin.call("PATCH", "/api/v1/groups/{name}", {"name": "popup"}, body={
                "spec": {"artifacts": [{"repository": "library/app", "digest": digest,
                                        "tags": [f"2.{n}"]}]}},
                headers={"Content-Type": "application/merge-patch+json"})[0] == 200
            wait_for(lambda: document(registry, group_repo)["artifacts"][0]["digest"] == digest,
                     f"group version with 2.{n}")
        last_version = document(registry, group_repo)["version"]
        assert any(t.endswith(".sig") for t in tags(registry, group_repo))

        assert admin.call("DELETE", "/api/v1/groups/{name}", {"name": "popup"})[0] == 200
        assert admin.call("DELETE", "/api/v1/satellites/{name}", {"name": "edge-goes"})[0] == 200
        wait_for(lambda: tags(registry, group_repo) == [], "the deleted group's state gone")
        wait_for(lambda: tags(registry, goes_repo) == [], "the deleted satellite's state gone")
        # The satellite that stays was told first: its state no longer names the group.
        assert document(registry, stays_repo)["groups"] == []
        assert "latest" in tags(registry, stays_repo)
        assert "state not published" not in server.stderr()

        # Made again: published anew, above the versions the deleted group had.
        assert admin.call("POST", "/api/v1/groups", body=group)[0] == 201
        wait_for(lambda: "latest" in tags(registry, group_repo), "the group state again")
        again = document(registry, group_repo)
        assert again["version"] > last_version, (again["version"], last_version)
        wait_for(names_popup, "the satellite state naming the group again")
    finally:
        server.stop()
