"""Watching resources (`?watch=true`): a stream of the changes after a list's
resourceVersion, one JSON event per line as each happens, filtered by label selector; a
BOOKMARK after 15 quiet seconds to resume from; the stream ends at timeoutSeconds; bad
watches refused. Every answer and every event is validated against api/openapi.yaml."""
import threading
import time


def test_a_stream_carries_each_change_as_it_happens_then_a_bookmark_then_ends(
        server, contract, admin):
    listed = admin.call("GET", "/api/v1/satellites")[1]
    version = listed["metadata"]["resourceVersion"]
    began = time.time()
    with admin.watch("/api/v1/satellites", f"watch=true&resourceVersion={version}"
                     "&labelSelector=watch%3Dyes&timeoutSeconds=20") as stream:
        assert stream.status == 200, stream.error
        assert stream.content_type == "application/json;stream=watch"
        events = stream.events()
        changes = [
            lambda: admin.call("POST", "/api/v1/satellites", body={
                "metadata": {"name": "sat-watched", "labels": {"watch": "yes"}}}),
            lambda: admin.call("PATCH", "/api/v1/satellites/{name}", {"name": "sat-watched"},
                               headers={"Content-Type": "application/merge-patch+json"},
                               body={"metadata": {"annotations": {"note": "moved"}}}),
            lambda: admin.call("DELETE", "/api/v1/satellites/{name}", {"name": "sat-watched"}),
        ]
        seen = []
        for expected, change in zip(("ADDED", "MODIFIED", "DELETED"), changes):
            # Changes the selector leaves out come first; the stream must skip them.
            admin.call("POST", "/api/v1/satellites",
                       body={"metadata": {"name": f"sat-other-{len(seen)}"}})
            threading.Timer(0.3, change).start()
            changed = time.time()
            event = next(events)
            assert time.time() - changed < 3, "the change reached the open stream late"
            seen.append((event["type"], event["object"]["metadata"]["name"]))
            assert seen[-1] == (expected, "sat-watched"), seen
            assert event["object"]["kind"] == "Satellite"
            last = int(event["object"]["metadata"]["resourceVersion"])
        quiet = time.time()
        bookmark = next(events)
        assert bookmark["type"] == "BOOKMARK", bookmark
        assert 14 <= time.time() - quiet < 18
        assert bookmark["object"]["kind"] == "Satellite"
        resume = bookmark["object"]["metadata"]["resourceVersion"]
        assert int(resume) >= last
        assert list(events) == []  # the end of the stream at timeoutSeconds
        assert 19 <= time.time() - began < 25

    # From the bookmark, nothing is repeated: a short stream ends with no event.
    with admin.watch("/api/v1/satellites",
                     f"watch=true&resourceVersion={resume}&timeoutSeconds=1") as stream:
        began = time.time()
        assert stream.status == 200
        assert list(stream.events()) == []
        assert 0.9 <= time.time() - began < 5


def test_a_client_that_leaves_a_stream_does_not_hold_the_server(server, contract, admin):
    version = admin.call("GET", "/api/v1/groups")[1]["metadata"]["resourceVersion"]
    streams = [admin.watch("/api/v1/groups", f"watch=true&resourceVersion={version}")
               for _ in range(20)]
    assert all(stream.status == 200 for stream in streams)
    for stream in streams:
        stream.close()
    # The server still answers, and a new stream still sees the next change at once.
    with admin.watch("/api/v1/groups", f"watch=true&resourceVersion={version}") as stream:
        threading.Timer(0.3, lambda: admin.call(
            "POST", "/api/v1/groups", body={"metadata": {"name": "after-leavers"}})).start()
        event = next(stream.events())
        assert (event["type"], event["object"]["metadata"]["name"]) == ("ADDED", "after-leavers")


def test_bad_watches_are_refused_naming_the_parameter(server, contract, admin):
    for query, field in (("watch=true", "resourceVersion"),
                         ("watch=true&resourceVersion=x", "resourceVersion"),
                         ("watch=true&resourceVersion=1&fieldSelector=metadata.name%3Da",
                          "fieldSelector"),
                         ("watch=true&resourceVersion=1&labelSelector=%3D%3D", "labelSelector"),
                         ("watch=true&resourceVersion=1&timeoutSeconds=-3", "timeoutSeconds")):
        with admin.watch("/api/v1/groups", query) as stream:
            assert stream.status == 400, (query, stream.error)
            assert stream.error["error"]["message"].startswith(field + ":"), stream.error
    viewerless = admin.call("GET", "/api/v1/groups", query="watch=true&resourceVersion=1",
                            headers={"Authorization": "Bearer nope"})
    assert viewerless[0] == 401
