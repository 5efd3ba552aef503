"""The robot account operations of the fake Harbor (handler/robot.go and controller/robot
of Harbor >= 2.2): CreateRobot, ListRobot, GetRobotByID, UpdateRobot, RefreshSec and
DeleteRobot. Robots are stored without the name prefix ("robot$"), which is added on the
way out, and with their secret only as a salted hash. A mixin of HarborApi. Call with the
store's lock held."""
import datetime
import secrets

import store as st
from access import PROJECT_POLICIES, SYSTEM_POLICIES
from answers import Answer, bad_request, error, harbor_time as _t, not_found

class RobotOperations:
    def _robot_view(self, r):
        return {"id": r["id"], "name": self.prefix + r["name"], "description": r.get("description", ""),
                "expires_at": r["expires_at"], "duration": r["duration"], "level": r["level"],
                "disable": r["disable"], "editable": True, "creator_type": "local", "creator_ref": 1,
                "creation_time": _t(r["creation_time"]), "update_time": _t(r["update_time"]),
                "permissions": [dict(p) for p in r["permissions"]]}

    def _check_robot(self, duration, level, permissions):
        """robot.go validate(): duration, level, and every access in Harbor's policy lists."""
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
        return None

    def _check_namespaces(self, permissions):
        """Each project a permission names must exist (controller toScope, after the access check)."""
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
        if not st.NAME_RE.match(name):
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
            denied = self.require_project(call.caller, p, "robot", "create")
            if p:
                project_id, name = p["id"], f"{p['name']}+{name}"
        denied = denied or self._check_namespaces(perms)
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
        return Answer(201, self.contract.shape("RobotCreated", created),
                      {"Location": f"{call.path.rstrip('/')}/{robot['id']}"})

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
        denied = self._check_namespaces(perms)
        if denied:
            return denied
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

