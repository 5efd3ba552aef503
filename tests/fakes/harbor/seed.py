"""POST /_fake/seed: puts test data into the store the way pushes to a real Harbor would.

    {"labels": [{"name": "prod", "scope": "g", "color": "#00ff00", "description": ""}],
     "projects": [{"name": "p1", "public": false,
                   "repositories": [{"name": "nginx",          # or "team/nginx"
                                     "artifacts": [{"digest": "sha256:...",   # made up if left out
                                                    "tags": ["latest", {"name": "1.25", "push_time": "..."}],
                                                    "labels": ["prod"],
                                                    "push_time": "2026-01-02T03:04:05Z",
                                                    "type": "IMAGE", "media_type": "...", "size": 1234}]}]}]}

Projects and repositories that exist already are added to, labels are found by name.
Answers the ids: {"labels": {name: id}, "projects": {name: id}, "repositories": {full name: id},
"artifacts": [id, ...]}. Call with store.lock held."""
import hashlib

import store as st

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def seed(store, body):
    out = {"labels": {}, "projects": {}, "repositories": {}, "artifacts": []}
    for spec in body.get("labels", []):
        scope = spec.get("scope", "g")
        pid = store.project(spec["project"], is_name=True)["id"] if scope == "p" else 0
        label = store.label_by_name(spec["name"], scope, pid) or store.add("labels", {
            "name": spec["name"], "scope": scope, "project_id": pid, "color": spec.get("color", ""),
            "description": spec.get("description", "")})
        out["labels"][label["name"]] = label["id"]
    for pspec in body.get("projects", []):
        project = store.project(pspec["name"], is_name=True) or store.add(
            "projects", {"name": pspec["name"], "public": bool(pspec.get("public", False))})
        out["projects"][project["name"]] = project["id"]
        for rspec in pspec.get("repositories", []):
            full = f"{project['name']}/{rspec['name']}"
            repo = store.repository(full) or store.add(
                "repositories", {"name": full, "project_id": project["id"]})
            out["repositories"][full] = repo["id"]
            for aspec in rspec.get("artifacts", []):
                out["artifacts"].append(_artifact(store, project, repo, aspec)["id"])
    store.save()
    return out


def _artifact(store, project, repo, spec):
    push_time = _utc(spec.get("push_time")) if spec.get("push_time") else st.now().isoformat()
    nonce = f"{repo['name']}:{store.data['next_id']['artifacts']}"
    tags = []
    for i, t in enumerate(spec.get("tags", [])):
        t = {"name": t} if isinstance(t, str) else dict(t)
        tags.append({"id": store.data["next_id"]["artifacts"] * 1000 + i, "name": t["name"],
                     "push_time": _utc(t["push_time"]) if t.get("push_time") else push_time})
    labels = []
    for name in spec.get("labels", []):
        label = store.label_by_name(name) or store.label_by_name(name, "p", project["id"])
        if label is None:
            raise ValueError(f"no label {name!r}: seed it under labels first")
        labels.append(label["id"])
    return store.add("artifacts", {
        "repository_id": repo["id"], "project_id": project["id"],
        "digest": spec.get("digest") or "sha256:" + hashlib.sha256(nonce.encode()).hexdigest(),
        "type": spec.get("type", "IMAGE"), "media_type": spec.get("media_type", OCI_MANIFEST),
        "size": spec.get("size", 1024), "push_time": push_time, "tags": tags, "labels": labels,
        "extra_attrs": spec.get("extra_attrs"), "annotations": spec.get("annotations")})


def _utc(text):
    """An ISO 8601 time (ValueError if it is not one) in the form the store sorts by."""
    return st.parse_time(text).astimezone(st.datetime.timezone.utc).isoformat()
