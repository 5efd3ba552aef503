"""Watching resources (`?watch=true`): the changes after a list's resourceVersion, held
until there is one, filtered by label selector; resumed from the answer's resourceVersion;
bad watches refused. Every answer is validated against api/openapi.yaml."""
import threading
import time


def test_a_watch_sees_added_modified_and_deleted_after_its_list(server, contract, admin):
    listed = admin.call("GET", "/api/v1/satellites")[1]
    version = listed["metadata"]["resourceVersion"]

    def changes():
        time.sleep(0.5)
        admin.call("POST", "/api/v1/groups", body={"metadata": {"name": "not-watched"}})
        admin.call("POST", "/api/v1/satellites", body={"metadata": {"name": "sat-other"}})
        admin.call("POST", "/api/v1/satellites",
                   body={"metadata": {"name": "sat-watched", "labels": {"watch": "yes"}}})
    threading.Thread(target=changes).start()
    began = time.time()
    events = []
    while not events:
        status, answer, _ = admin.call(
            "GET", "/api/v1/satellites", timeout=60,
            query=f"watch=true&resourceVersion={version}&labelSelector=watch%3Dyes&timeoutSeconds=30")
        assert status == 200, answer
        events, version = answer["items"], answer["resourceVersion"]
        assert time.time() - began < 10, "the watch was not woken by the change"
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "sat-watched")]
    assert events[0]["object"]["kind"] == "Satellite"

    admin.call("PATCH", "/api/v1/satellites/{name}", {"name": "sat-watched"},
               headers={"Content-Type": "application/merge-patch+json"},
               body={"metadata": {"annotations": {"note": "moved"}}})
    admin.call("DELETE", "/api/v1/satellites/{name}", {"name": "sat-watched"})
    seen = []
    while len(seen) < 2:
        status, answer, _ = admin.call(
            "GET", "/api/v1/satellites", timeout=60,
            query=f"watch=true&resourceVersion={version}&labelSelector=watch%3Dyes&timeoutSeconds=5")
        assert status == 200, answer
        assert answer["items"] or len(seen) == 2, "a change was missed"
        seen += [(e["type"], e["object"]["metadata"]["name"]) for e in answer["items"]]
        version = answer["resourceVersion"]
    assert seen == [("MODIFIED", "sat-watched"), ("DELETED", "sat-watched")]

    # Nothing more: the call is held for its timeout, then answers none to resume from.
    began = time.time()
    status, answer, _ = admin.call(
        "GET", "/api/v1/satellites",
        query=f"watch=true&resourceVersion={version}&labelSelector=watch%3Dyes&timeoutSeconds=1")
    assert status == 200 and answer["items"] == [], answer
    assert 0.9 <= time.time() - began < 5
    assert int(answer["resourceVersion"]) >= int(version)


def test_bad_watches_are_refused_naming_the_parameter(server, contract, admin):
    for query, field in (("watch=true", "resourceVersion"),
                         ("watch=true&resourceVersion=x", "resourceVersion"),
                         ("watch=true&resourceVersion=1&fieldSelector=metadata.name%3Da",
                          "fieldSelector"),
                         ("watch=true&resourceVersion=1&labelSelector=%3D%3D", "labelSelector"),
                         ("watch=true&resourceVersion=1&timeoutSeconds=-3", "timeoutSeconds")):
        status, body, _ = admin.call("GET", "/api/v1/groups", query=query)
        assert status == 400, (query, body)
        assert body["error"]["message"].startswith(field + ":"), body
    viewerless = admin.call("GET", "/api/v1/groups", query="watch=true&resourceVersion=1",
                            headers={"Authorization": "Bearer nope"})
    assert viewerless[0] == 401
