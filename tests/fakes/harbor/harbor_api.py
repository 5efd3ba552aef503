"""The fake's Harbor operations, one function per swagger operationId, with the semantics of
Harbor v2.15.2's handlers (src/server/v2.0/handler/{project,repository,artifact,label,
robot}.go): who may call them (basic auth as the admin or a robot account; wrong or missing
credentials make the caller anonymous, as Harbor's security middleware does), their checks
and error messages, list filters (q, name, ...), default orders and paging headers.

A handler gets a Call (bound, typed parameters; JSON body; caller) and returns an Answer;
it runs with the store's lock held. Not thread-safe by itself."""
import dataclasses
import datetime
import re
import secrets
import urllib.parse

import store as st
from contract import GO_ZERO_TIME, go_time

NAME_RE = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")
# rbac PoliciesMap (src/common/rbac/const.go), the part a robot of this fake can be given
PROJECT_POLICIES = {
    ("project", a) for a in ("read", "update", "delete")} | {
    ("repository", a) for a in ("read", "update", "delete", "list", "pull", "push")} | {
    ("artifact", a) for a in ("read", "create", "list", "delete")} | {
    ("tag", a) for a in ("create", "list", "delete")} | {
    ("artifact-label", a) for a in ("create", "delete")} | {
    ("label", a) for a in ("read", "create", "delete", "list", "update")} | {
    ("scan", a) for a in ("create", "read", "stop")} | {
    ("artifact-addition", "read"), ("accessory", "list"), ("metadata", "read"),
    ("metadata", "list"), ("log", "list"), ("quota", "read"), ("immutable-tag", "list")}
SYSTEM_POLICIES = {("project", "list"), ("project", "create"), ("label", "read"),
                   ("label", "create"), ("label", "delete"), ("label", "update"),
                   ("audit-log", "list"), ("registry", "read"), ("registry", "list"),
                   ("replication", "read"), ("replication", "list"), ("catalog", "read"),
                   ("quota", "read"), ("quota", "list"), ("garbage-collection", "read")}
# what anyone may do in a public project
PUBLIC_READ = {("project", "read"), ("repository", "list"), ("repository", "pull"),
               ("repository", "read"), ("artifact", "list"), ("artifact", "read"),
               ("tag", "list"), ("label", "list"), ("label", "read"), ("artifact-addition", "read")}


@dataclasses.dataclass
class Caller:
    kind: str  # "admin", "robot" or "anonymous"
    robot: dict = None
    failed: bool = False  # credentials were given but did not verify


@dataclasses.dataclass
class Call:
    op: object
    values: dict
    body: object
    caller: Caller
    path: str
    query: dict


@dataclasses.dataclass
class Answer:
    status: int
    body: object = None
    headers: dict = dataclasses.field(default_factory=dict)


def error(status, code, message):
    return Answer(status, {"errors": [{"code": code, "message": message}]})


def bad_request(message):
    return error(400, "BAD_REQUEST", message)


def not_found(message):
    return error(404, "NOT_FOUND", message)


def _t(iso):
    return go_time(st.parse_time(iso))


class HarborApi:
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

    # -- who is calling ----------------------------------------------------------------
    def authenticate(self, user, password):
        """Caller for basic-auth credentials (None, None when there were none)."""
        if user is None:
            return Caller("anonymous")
        if user.startswith(self.prefix):
            robot = self.store.robot_by_name(user[len(self.prefix):])
            if robot and st.hash_secret(password, robot["salt"]) == robot["secret"] \
                    and not robot["disable"] and (robot["expires_at"] == -1 or
                                                  robot["expires_at"] > st.now().timestamp()):
                return Caller("robot", robot)
            return Caller("anonymous", failed=True)
        if (user, password) == self.admin:
            return Caller("admin")
        return Caller("anonymous", failed=True)

    def _project_allows(self, caller, project, resource, action):
        if caller.kind == "admin":
            return True
        if project and project["public"] and (resource, action) in PUBLIC_READ:
            return True
        if caller.kind != "robot":
            return False
        for perm in caller.robot["permissions"]:
            if perm["kind"] != "project" or perm["namespace"] not in ("*", project and project["name"]):
                continue
            for a in perm["access"]:
                if a.get("effect") == "deny" or a["resource"] not in (resource, "*"):
                    continue
                if a["action"] in (action, "*") or (action == "pull" and a["action"] == "push"):
                    return True
        return False

    def _system_allows(self, caller, resource, action):
        if caller.kind == "admin":
            return True
        return caller.kind == "robot" and any(
            perm["kind"] == "system" and a["resource"] == resource and a["action"] == action
            for perm in caller.robot["permissions"] for a in perm["access"])

    def require_project(self, caller, project, resource, action):
        if self._project_allows(caller, project, resource, action):
            return None
        if caller.kind == "anonymous":
            return error(401, "UNAUTHORIZED", "unauthorized")
        return error(403, "FORBIDDEN", "forbidden")

    def require_system(self, caller, resource, action):
        if caller.kind == "anonymous":
            return error(401, "UNAUTHORIZED", "unauthorized")
        if not self._system_allows(caller, resource, action):
            return error(403, "FORBIDDEN", self.prefix + caller.robot["name"] if caller.robot else "forbidden")
        return None

    @staticmethod
    def require_authenticated(caller):
        return error(401, "UNAUTHORIZED", "unauthorized") if caller.kind == "anonymous" else None

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
        if not NAME_RE.match(name) or len(name) > 255:
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

    # -- robots --------------------------------------------------------------------------
    def _robot_view(self, r):
        return {"id": r["id"], "name": self.prefix + r["name"], "description": r.get("description", ""),
                "expires_at": r["expires_at"], "duration": r["duration"], "level": r["level"],
                "disable": r["disable"], "editable": True, "creator_type": "local", "creator_ref": 1,
                "creation_time": _t(r["creation_time"]), "update_time": _t(r["update_time"]),
                "permissions": [dict(p) for p in r["permissions"]]}

    def _check_robot(self, duration, level, permissions):
        """robot.go validate(): duration, level, and every access in Harbor's policy lists;
        then that each project a permission names exists (controller toScope)."""
        if not (duration == -1 or 0 < duration < 2**31 - 1):
            return bad_request(f"bad request error duration input: {duration}, duration must be "
                               "either -1(Never) or a positive integer")
        if level not in ("system", "project"):
            return bad_request(f"bad request error level input: {level}")
        if not permissions:
            return bad_request("bad request empty permission")
        if any(not p.get("access") for p in permissions):
            return bad_request("bad request empty access")
        if level == "project" and len(permissions) > 1:
            return bad_request("bad request permission")
        for p in permissions:
            policies = {"system": SYSTEM_POLICIES, "project": PROJECT_POLICIES}.get(p.get("kind"))
            if policies is None:
                return bad_request(f"bad request permission level: {p.get('kind', '')}")
            for a in p["access"]:
                if (a.get("resource"), a.get("action")) not in policies:
                    return bad_request(f"bad request permission: {a.get('resource', '')}:{a.get('action', '')}")
        for p in permissions:
            ns = p.get("namespace", "")
            if p["kind"] == "project" and ns != "*" and not self.store.project(ns, is_name=True):
                return not_found(f"project {ns} not found")
        return None

    @staticmethod
    def _permissions(perms):
        keep = lambda a: {k: a[k] for k in ("resource", "action", "effect") if a.get(k)}
        return [{"kind": p["kind"], "namespace": p.get("namespace", ""),
                 "access": [keep(a) for a in p["access"]]} for p in perms]

    def _expires(self, created_iso, duration):
        if duration == -1:
            return -1
        return int((st.parse_time(created_iso) + datetime.timedelta(days=duration)).timestamp())

    def CreateRobot(self, call):
        body = call.body
        name = body.get("name") or ""
        if not NAME_RE.match(name):
            return bad_request("robot name is not in lower case or contains illegal characters")
        level, perms = body.get("level") or "", body.get("permissions") or []
        denied = self._check_robot(body.get("duration") or 0, level, perms)
        if denied:
            return denied
        project_id = 0
        if level == "system":
            denied = self.require_system(call.caller, "robot", "create")
        else:
            p = self.store.project(perms[0].get("namespace", ""), is_name=True)
            if not p:
                return not_found(f"project {perms[0].get('namespace', '')} not found")
            denied = self.require_project(call.caller, p, "robot", "create")
            project_id = p["id"]
            name = f"{p['name']}+{name}"
        if denied:
            return denied
        if self.store.robot_by_name(name):
            return error(409, "CONFLICT", f"robot account {name} already exists")
        secret, salt, stamp = st.random_secret(), secrets.token_hex(16), st.now().isoformat()
        robot = self.store.add("robots", {
            "name": name, "description": body.get("description", ""), "level": level,
            "project_id": project_id, "duration": body["duration"], "disable": bool(body.get("disable")),
            "expires_at": self._expires(stamp, body["duration"]), "salt": salt,
            "secret": st.hash_secret(secret, salt), "permissions": self._permissions(perms), "at": stamp})
        self.store.save()
        created = {"id": robot["id"], "name": self.prefix + name, "secret": secret,
                   "creation_time": _t(robot["creation_time"]), "expires_at": robot["expires_at"]}
        return Answer(201, self.contract.shape("RobotCreated", created), {"Location": f"{call.path.rstrip('/')}/{robot['id']}"})

    def ListRobot(self, call):
        denied = self.require_authenticated(call.caller)
        if denied:
            return denied
        conditions = self._query(call)
        level, project_id = "system", 0
        if "Level" in conditions:
            level = conditions.pop("Level")[1]
            if level not in ("system", "project"):
                return bad_request("bad request error level input")
            if level == "project":
                if "ProjectID" not in conditions:
                    return bad_request("must with project ID when to query project robots")
                raw = str(conditions.pop("ProjectID")[1])
                if not raw.isdigit() or int(raw) <= 0:
                    return bad_request("ProjectID must be a positive integer")
                project_id = int(raw)
        conditions.pop("ProjectID", None)
        if level == "system":
            denied = self.require_system(call.caller, "robot", "list")
        else:
            denied = self.require_project(call.caller, self.store.get("projects", project_id), "robot", "list")
        if denied:
            return denied
        robots = [r for r in self.store.all("robots") if r["project_id"] == project_id and
                  all(st.matches(c, r.get(k)) for k, c in conditions.items() if k in ("name", "id", "description"))]
        return self._listing(call, self._sorted(robots, call.values.get("sort"), [("id", False)]),
                             "Robot", self._robot_view)

    def _robot_for(self, call, action):
        denied = self.require_authenticated(call.caller)
        if denied:
            return None, denied
        r = self.store.get("robots", call.values["robot_id"])
        if not r:
            return None, not_found(f"robot account {call.values['robot_id']} not found")
        if r["level"] == "system":
            denied = self.require_system(call.caller, "robot", action)
        else:
            denied = self.require_project(call.caller, self.store.get("projects", r["project_id"]), "robot", action)
        return r, denied

    def GetRobotByID(self, call):
        r, denied = self._robot_for(call, "read")
        return denied or Answer(200, self.contract.shape("Robot", self._robot_view(r)))

    def UpdateRobot(self, call):
        r, denied = self._robot_for(call, "update")
        if denied:
            return denied
        body = call.body
        duration = body["duration"] if body.get("duration") is not None else r["duration"]
        perms = body.get("permissions") or []
        denied = self._check_robot(duration, body.get("level") or "", perms)
        if denied:
            return denied
        if r["level"] != "system":
            p = self.store.project(perms[0]["namespace"], is_name=True)
            if not p or p["id"] != r["project_id"]:
                return bad_request("cannot update the project id of robot")
        if body.get("level") != r["level"] or body.get("name") != self.prefix + r["name"]:
            return bad_request("cannot update the level or name of robot")
        if duration != r["duration"]:
            r["duration"], r["expires_at"] = duration, self._expires(r["creation_time"], duration)
        r["description"], r["disable"] = body.get("description", ""), bool(body.get("disable"))
        r["permissions"] = self._permissions(perms)
        r["update_time"] = st.now().isoformat()
        self.store.save()
        return Answer(200)

    def RefreshSec(self, call):
        r, denied = self._robot_for(call, "update")
        if denied:
            return denied
        given = (call.body or {}).get("secret") or ""
        if given and not st.valid_secret(given):
            return bad_request("the secret must be 8-128, inclusively, characters long with at least "
                               "1 uppercase letter, 1 lowercase letter and 1 number")
        secret = given or st.random_secret()
        r["secret"] = st.hash_secret(secret, r["salt"])
        r["update_time"] = st.now().isoformat()
        self.store.save()
        return Answer(200, self.contract.shape("RobotSec", {"secret": "" if given else secret}))

    def DeleteRobot(self, call):
        r, denied = self._robot_for(call, "delete")
        if denied:
            return denied
        self.store.remove("robots", r["id"])
        self.store.save()
        return Answer(200)
