"""Ground control keeps the satellites' consumers in NATS in line with its database
(docs/nats.md): what a deleted satellite leaves there (its durable consumer, the commands
stored for it) goes, also when NATS was down at the deletion; and after a NATS server lost
its store, the consumers of satellites on NATS are made again, so commands reach them.
Inspected through nats-server's monitoring (/jsz)."""
import os
import shutil
import time

from conftest import wait_for
from test_nats_channel import commands, final, issue, start_satellite, wait_on_nats

def stream(nats, name):
    """A stream's state and its consumers by name, as nats-server reports them."""
    jsz = nats.monitor("/jsz?accounts=true&streams=true&consumers=true")
    for account in jsz.get("account_details", []):
        for detail in account.get("stream_detail", []):
            if detail["name"] == name:
                consumers = {c["name"]: c for c in detail.get("consumer_detail", []) or []}
                return detail["state"], consumers
    return None, {}


def commands_stream(nats):
    return stream(nats, "SATELLITE_COMMANDS")


def offline_with_a_stored_command(fleet, name):
    """The satellite on NATS, then killed, with a command sent to it that waits in the stream."""
    _, nats, satellites, admin, _, _ = fleet
    start_satellite(fleet, name)
    wait_on_nats(admin, name)
    satellites.kill(name)
    sent = issue(admin, name, "report.status")
    wait_for("the command to be sent", lambda: any(
        c["id"] == sent["id"] and c["phase"] == "Sent" for c in commands(admin, name)))
    # Stored, and waiting (or delivered to the pull the killed satellite left open).
    state, consumers = commands_stream(nats)
    consumer = consumers[f"sat-{name}"]
    assert consumer["num_pending"] + consumer["num_ack_pending"] >= 1, consumer
    assert state["messages"] >= 1, state


def gone_from_nats(nats, name):
    state, consumers = commands_stream(nats)
    return state is not None and f"sat-{name}" not in consumers and state["messages"] == 0


def test_a_deleted_satellites_consumer_and_commands_leave_nats(fleet):
    _, nats, _, admin, _, _ = fleet
    offline_with_a_stored_command(fleet, "sat-deleted")
    assert admin.call("DELETE", "/api/v1/satellites/{name}", {"name": "sat-deleted"})[0] == 200
    wait_for("the consumer and its command to go", lambda: gone_from_nats(nats, "sat-deleted"))


def test_a_satellite_deleted_while_nats_is_down_is_cleared_when_it_returns(fleet):
    _, nats, _, admin, _, _ = fleet
    offline_with_a_stored_command(fleet, "sat-deleted-offline")
    nats.kill()
    assert admin.call("DELETE", "/api/v1/satellites/{name}",
                      {"name": "sat-deleted-offline"})[0] == 200
    nats.start()
    # The store kept both across the restart; the sweep removes them once NATS is back.
    wait_for("the consumer and its command to go",
             lambda: gone_from_nats(nats, "sat-deleted-offline"), 60)


def test_after_nats_lost_its_store_a_satellite_takes_commands_again(fleet):
    _, nats, _, admin, _, _ = fleet
    start_satellite(fleet, "sat-store-lost")
    wait_on_nats(admin, "sat-store-lost")
    nats.kill()
    shutil.rmtree(os.path.join(nats.directory, "jetstream"))
    nats.start()
    wait_for("the satellite's consumer to be made again",
             lambda: "sat-sat-store-lost" in commands_stream(nats)[1], 60)
    sent = issue(admin, "sat-store-lost", "report.status")
    assert final(admin, "sat-store-lost", sent["id"], 60)["phase"] == "Done"


def test_what_a_deleted_satellite_still_publishes_is_dropped(fleet):
    # Its NATS user stays valid until it expires; the running satellite, now refused by
    # ground control, says so in a sync.failed event: no webhook, no audit entry.
    _, nats, _, admin, _, hooks = fleet
    name = "sat-deleted-talking"
    start_satellite(fleet, name)
    wait_on_nats(admin, name)
    before = stream(nats, "SATELLITE_EVENTS")[0]["last_seq"]
    deleted_at = time.time()
    assert admin.call("DELETE", "/api/v1/satellites/{name}", {"name": name})[0] == 200

    def published_and_read():
        state, consumers = stream(nats, "SATELLITE_EVENTS")
        reader = consumers["ground-control"]
        return (state["last_seq"] > before and reader["num_pending"] == 0 and
                reader["num_ack_pending"] == 0 and time.time() > deleted_at + 3)
    wait_for("the deleted satellite to publish and ground control to read it", published_and_read)
    assert not [body for _, _, body in hooks.received
                if body["satellite"] == name and body["type"] == "sync.failed"], hooks.received
    trail = admin.call("GET", "/api/v1/events", query=f"kind=Satellite&name={name}")[1]["items"]
    assert not [e for e in trail if e["actor"] == f"satellite:{name}" and
                e["verb"] == "sync.failed"], trail
