"""The fake Harbor's operations, one method per swagger operationId, with the semantics of
Harbor v2.15.2's handlers (src/server/v2.0/handler/{health,systeminfo,project,repository,
artifact,label}.go; robots in robots.py, who may call what in access.py): their checks and
error messages, list filters (q, name, ...), default orders and paging headers.

An operation gets a Call and returns an Answer (answers.py); it runs with the store's lock
held. Not thread-safe by itself."""
import urllib.parse

import store as st
from access import Access
from answers import Answer, bad_request, error, harbor_time as _t, not_found
from contract import GO_ZERO_TIME, go_time
from robots import RobotOperations

class HarborApi(Access, RobotOperations):
    """Every operation of the fake; `implements` tells which swagger operations those are."""

    def __init__(self, store, contract, admin_user, admin_password, robot_prefix="robot$"):
        self.store, self.contract = store, contract
        self.admin = (admin_user, admin_password)
        self.prefix = robot_prefix

    def answer(self, call):
        """Runs the operation of `call` (which must be implemented: see implements())."""
        try:
            return getattr(self, call.op.id)(call)
        except st.QueryError as e:  # a q Harbor cannot parse, from any list operation
            return bad_request(str(e))

    def implements(self, operation_id):
        return callable(getattr(self, operation_id, None)) and operation_id[:1] != "_"

    # -- list helpers --------------------------------------------------------------------
    def _listing(self, call, items, definition, shape):
        """Pages `items` (already filtered and sorted) as Harbor's list handlers do."""
        number, size = call.values.get("page", 1), call.values.get("page_size", 10)
        total = len(items)
        headers = {"X-Total-Count": str(total)}
        link = st.link_header(call.path, call.query, total, number, size)
        if link:
            headers["Link"] = link
        body = [self.contract.shape(definition, shape(i)) for i in st.page(items, number, size)]
        return Answer(200, body, headers)

    @staticmethod
    def _query(call):
        return st.parse_q(call.values.get("q"))

    @staticmethod
    def _sorted(items, sort, default):
        """Sorts by `sort` ("a,-b"; unknown keys ignored) or the model's default sorts."""
        keys = [(k.lstrip("-"), k.startswith("-")) for k in sort.split(",") if k] if sort else []
        keys = [k for k in keys if any(k[0] in i for i in items)] or default
        for key, desc in reversed(keys):
            items = sorted(items, key=lambda i: (i.get(key) is None, i.get(key)), reverse=desc)
        return items

    # -- system --------------------------------------------------------------------------
    def getHealth(self, call):
        names = ("core", "database", "jobservice", "portal", "redis", "registry", "registryctl")
        return Answer(200, {"status": "healthy",
                            "components": [{"name": n, "status": "healthy"} for n in names]})

    def getSystemInfo(self, call):
        info = {"auth_mode": "db_auth", "primary_auth_mode": False, "harbor_version": "v2.15.2-fake",
                "self_registration": False, "has_ca_root": False, "read_only": False,
                "current_time": go_time(st.now()), "banner_message": "",
                "project_creation_restriction": "everyone", "notification_enable": True,
                "registry_storage_provider_name": "filesystem"}
        if call.caller.kind == "anonymous":  # Harbor shows the rest to signed-in users only
            info = {k: info[k] for k in ("auth_mode", "primary_auth_mode", "harbor_version",
                                         "self_registration", "banner_message", "current_time")}
        return Answer(200, info)

    # -- projects ------------------------------------------------------------------------
    def _project_view(self, p):
        repos = self.store.repositories_of(p["id"])
        return {"project_id": p["id"], "owner_id": 1, "name": p["name"], "registry_id": 0,
                "creation_time": _t(p["creation_time"]), "update_time": _t(p["update_time"]),
                "deleted": False, "owner_name": "admin", "repo_count": len(repos),
                "metadata": {"public": str(p["public"]).lower()},
                "cve_allowlist": {"id": p["id"], "project_id": p["id"], "items": [],
                                  "creation_time": _t(p["creation_time"]),
                                  "update_time": _t(p["update_time"])}}

    def listProjects(self, call):
        conditions = self._query(call)
        if call.values.get("name"):
            conditions["name"] = ("fuzzy", call.values["name"])
        if call.values.get("owner"):
            conditions["owner"] = ("exact", call.values["owner"])
        public = call.values.get("public")
        caller = call.caller
        projects = self.store.all("projects")
        if caller.kind == "anonymous":
            if public is False:
                return Answer(200, [], {"X-Total-Count": "0"})
            projects = [p for p in projects if p["public"]]
        elif caller.kind == "robot":
            names = {perm["namespace"] for perm in caller.robot["permissions"] if perm["kind"] == "project"}
            if "*" not in names:
                projects = [p for p in projects if p["name"] in names or (public is not False and p["public"])]
        if public is not None:
            projects = [p for p in projects if p["public"] == public]
        fields = lambda p: {"name": p["name"], "project_id": p["id"], "public": p["public"], "owner": "admin"}
        projects = [p for p in projects if all(st.matches(c, fields(p).get(k)) for k, c in conditions.items()
                                               if k in fields(p))]
        if not projects:
            return Answer(200, [], {"X-Total-Count": "0"})
        projects = self._sorted(projects, call.values.get("sort"), [("id", False)])
        return self._listing(call, projects, "Project", self._project_view)

    def headProject(self, call):
        denied = self.require_authenticated(call.caller)
        if denied:
            return denied
        name = call.values["project_name"]
        if not self.store.project(name, is_name=True):
            return not_found(f"project {name} not found")
        return Answer(200)

    def createProject(self, call):
        denied = self.require_authenticated(call.caller)
        if denied:
            return denied
        robot = call.caller.robot
        if robot and robot["level"] != "system":
            return error(403, "FORBIDDEN", "Only system level robot can create project")
        req = call.body
        name = req.get("project_name") or ""
        if not st.NAME_RE.match(name) or len(name) > 255:
            return bad_request("project name is not in lower case or contains illegal characters")
        metadata = dict(req.get("metadata") or {})
        if req.get("public") is not None and not metadata.get("public"):
            metadata["public"] = str(req["public"]).lower()
        public = metadata.get("public") or "false"
        if public not in ("true", "false"):
            return bad_request(f"metadata.public should only be 'true' or 'false', but got: '{public}'")
        if self.store.project(name, is_name=True):
            return error(409, "CONFLICT", f"The project named {name} already exists")
        p = self.store.add("projects", {"name": name, "public": public == "true"})
        self.store.save()
        tail = name if call.values.get("X-Resource-Name-In-Location") else str(p["id"])
        return Answer(201, None, {"Location": f"{call.path.rstrip('/')}/{tail}"})

    def getProject(self, call):
        key = call.values["project_name_or_id"]
        p = self.store.project(key, is_name=call.values.get("X-Is-Resource-Name", False))
        denied = self.require_project(call.caller, p, "project", "read")
        if denied:
            return denied
        if not p:
            return not_found(f"project {key} not found")
        return Answer(200, self.contract.shape("Project", self._project_view(p)))

    # -- repositories and artifacts ------------------------------------------------------
    def _project_for(self, call, resource, action):
        name = call.values["project_name"]
        p = self.store.project(name, is_name=True)
        denied = self.require_project(call.caller, p, resource, action)
        if denied:
            return None, denied
        if not p:
            return None, not_found(f"project {name} not found")
        return p, None

    def _repository_view(self, r):
        return {"id": r["id"], "project_id": r["project_id"], "name": r["name"],
                "artifact_count": len(self.store.artifacts_of(r["id"])), "pull_count": 0,
                "creation_time": _t(r["creation_time"]), "update_time": _t(r["update_time"])}

    def listRepositories(self, call):
        p, denied = self._project_for(call, "repository", "list")
        if denied:
            return denied
        conditions = self._query(call)
        repos = [r for r in self.store.repositories_of(p["id"])
                 if all(st.matches(c, r.get(k)) for k, c in conditions.items() if k in ("name", "id"))]
        repos = self._sorted(repos, call.values.get("sort"), [("creation_time", True), ("id", True)])
        return self._listing(call, repos, "Repository", self._repository_view)

    def _repository_for(self, call, resource, action):
        p, denied = self._project_for(call, resource, action)
        if denied:
            return None, None, denied
        # the repository name arrives encoded twice ("a/b" as a%252Fb); routing decoded once
        full = f"{p['name']}/{urllib.parse.unquote(call.values['repository_name'])}"
        r = self.store.repository(full)
        if not r:
            return p, None, not_found(f"repository {full} not found")
        return p, r, None

    def _label_view(self, l):
        return {"id": l["id"], "name": l["name"], "description": l.get("description", ""),
                "color": l.get("color", ""), "scope": l["scope"], "project_id": l.get("project_id", 0),
                "creation_time": _t(l["creation_time"]), "update_time": _t(l["update_time"])}

    def _artifact_view(self, a, repo, with_tag, with_label):
        view = {"id": a["id"], "type": a["type"], "media_type": a["media_type"],
                "manifest_media_type": a["media_type"], "project_id": repo["project_id"],
                "repository_id": repo["id"], "repository_name": repo["name"], "digest": a["digest"],
                "size": a["size"], "push_time": _t(a["push_time"]), "pull_time": GO_ZERO_TIME,
                "extra_attrs": a.get("extra_attrs"), "annotations": a.get("annotations")}
        if with_tag:
            tags = sorted(a["tags"], key=lambda t: (t["push_time"], t["id"]), reverse=True)
            view["tags"] = [{"id": t["id"], "repository_id": repo["id"], "artifact_id": a["id"],
                             "name": t["name"], "push_time": _t(t["push_time"]),
                             "pull_time": GO_ZERO_TIME, "immutable": False} for t in tags]
        if with_label:
            labels = [self.store.get("labels", i) for i in a["labels"]]
            view["labels"] = [self._label_view(l) for l in labels if l]
        return view

    def listArtifacts(self, call):
        _, repo, denied = self._repository_for(call, "artifact", "list")
        if denied:
            return denied
        conditions = self._query(call)

        def keep(a):
            for key, cond in conditions.items():
                if key == "tags":
                    names = [t["name"] for t in a["tags"]]
                    if cond == ("exact", "*"):
                        ok = bool(names)
                    elif cond == ("exact", "nil"):
                        ok = not names
                    else:
                        ok = st.matches(cond, names)
                elif key == "labels":
                    ok = st.matches(cond, [str(i) for i in a["labels"]])
                elif key in ("digest", "type", "media_type", "id"):
                    ok = st.matches(cond, a.get(key))
                else:  # Harbor ignores keys its model cannot filter on
                    continue
                if not ok:
                    return False
            return True

        items = [a for a in self.store.artifacts_of(repo["id"]) if keep(a)]
        items = self._sorted(items, call.values.get("sort"), [("push_time", True), ("id", True)])
        with_tag, with_label = call.values["with_tag"], call.values["with_label"]
        return self._listing(call, items, "Artifact",
                             lambda a: self._artifact_view(a, repo, with_tag, with_label))

    def addLabel(self, call):
        _, repo, denied = self._repository_for(call, "artifact-label", "create")
        if denied:
            return denied
        ref = call.values["reference"]
        art = next((a for a in self.store.artifacts_of(repo["id"])
                    if a["digest"] == ref or ref in [t["name"] for t in a["tags"]]), None)
        if not art:
            return not_found(f"artifact {repo['name']}@{ref} not found")
        label_id = (call.body or {}).get("id")
        if not self.store.get("labels", label_id):
            return not_found(f"label {label_id} not found")
        if label_id in art["labels"]:
            return error(409, "CONFLICT", f"label {label_id} is already added to the artifact {art['id']}")
        art["labels"].append(label_id)
        self.store.save()
        return Answer(200)

    # -- labels --------------------------------------------------------------------------
    def ListLabels(self, call):
        conditions = self._query(call)
        scope = call.values.get("scope") or ""
        if scope not in ("g", "p"):
            return bad_request(f"invalid scope: {scope}")
        labels = [l for l in self.store.all("labels") if l["scope"] == scope]
        if scope == "p":
            pid = call.values.get("project_id") or 0
            if not pid:
                return bad_request("must with project ID when to query project labels")
            denied = self.require_project(call.caller, self.store.get("projects", pid), "label", "list")
            if denied:
                return denied
            labels = [l for l in labels if l.get("project_id") == pid]
        if call.values.get("name"):
            conditions["name"] = ("fuzzy", call.values["name"])
        labels = [l for l in labels if all(st.matches(c, l.get(k)) for k, c in conditions.items()
                                          if k in ("name", "id", "color"))]
        return self._listing(call, self._sorted(labels, call.values.get("sort"), [("id", False)]),
                             "Label", self._label_view)

    def CreateLabel(self, call):
        body = call.body
        scope = body.get("scope") or ""
        pid = body.get("project_id") or 0 if scope == "p" else 0
        denied = (self.require_system(call.caller, "label", "create") if scope != "p" else
                  self.require_project(call.caller, self.store.get("projects", pid), "label", "create"))
        if denied:
            return denied
        if not body.get("name"):
            return bad_request("name is empty")
        if scope not in ("g", "p"):
            return bad_request(f"unrecognized scope: {scope}")
        if self.store.label_by_name(body["name"], scope, pid):
            return error(409, "CONFLICT", f"label {body['name']} already exists")
        label = self.store.add("labels", {"name": body["name"], "scope": scope, "project_id": pid,
                                          "color": body.get("color", ""),
                                          "description": body.get("description", "")})
        self.store.save()
        return Answer(201, None, {"Location": f"{call.path.rstrip('/')}/{label['id']}"})

