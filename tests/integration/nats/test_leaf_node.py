"""A site's NATS leaf node (docs/nats.md): two satellites connect to a nats-server on their
site, which holds the one connection to the central one with credentials ground control
issued for exactly those satellites; commands reach both and are acknowledged."""
import os
import pathlib

from conftest import NatsServer, gc, wait_for
from test_nats_channel import final, issue


def account_of(include):
    """The SATELLITES account's public key: the first key resolver_preload names."""
    lines = pathlib.Path(include).read_text().splitlines()
    start = lines.index("resolver_preload: {")
    return lines[start + 1].split(":")[0].strip()


def test_two_satellites_behind_one_leaf_node(fleet, tmp_path):
    server, hub, satellites, admin, _, _ = fleet
    names = ["sat-leaf-1", "sat-leaf-2"]
    tokens = {}
    for name in names:
        assert admin.call("POST", "/api/v1/satellites", body={"metadata": {"name": name}})[0] == 201
        tokens[name] = admin.call("POST", "/api/v1/satellites/{name}/token", {"name": name})[1]["token"]
    # 503 until ground control's own NATS link is up (it connects in the background).
    status, _, answer = wait_for("leaf node credentials", lambda: (
        lambda answer: answer if answer[0] != 503 else None)(
        admin.call("POST", "/api/v1/nats/leafnodes",
                   body={"name": "site-berlin", "satellites": names})))
    creds = answer.body_bytes.decode()
    assert (status, answer.getheader("Content-Type")) == (200, "text/plain"), creds
    assert "BEGIN NATS USER JWT" in creds and "BEGIN USER NKEY SEED" in creds
    creds_file = tmp_path / "leaf.creds"
    creds_file.write_text(creds)
    os.chmod(creds_file, 0o600)
    port = gc.free_port()
    leaf = NatsServer(str(tmp_path / "leaf"), port, server.nats_include, jetstream=False, extra=(
        f"leafnodes {{ remotes: [ {{ url: \"nats-leaf://127.0.0.1:{hub.leaf_port}\", "
        f"credentials: \"{creds_file}\", account: \"{account_of(server.nats_include)}\" }} ] }}\n"))
    try:
        wait_for("the leaf node to reach the hub", lambda: hub.monitor("/leafz")["leafnodes"] == 1)
        for name in names:
            satellites.start(name, None, "--token", tokens[name], "--nats-domain", "hub",
                             nats_url=f"tls://127.0.0.1:{port}")
        # Both satellites hold their connection to the leaf node, none to the hub.
        wait_for("both satellites on the leaf node",
                 lambda: leaf.monitor("/connz")["num_connections"] == 2)
        assert hub.monitor("/connz")["num_connections"] == 1  # ground control's own
        for name in names:
            sent = issue(admin, name, "report.status")
            answered = final(admin, name, sent["id"], 60)
            assert answered["phase"] == "Done", answered
    finally:
        for name in names:
            if name in satellites.processes:
                satellites.kill(name)
        leaf.process.kill()
        leaf.process.wait()
