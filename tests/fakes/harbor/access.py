"""Who may do what in the fake Harbor: basic-auth credentials become a Caller (the admin, a
robot account by its name and current secret, or anonymous, which is also what credentials
that do not verify give, as in Harbor's security middleware), and the checks of Harbor's
BaseAPI (RequireProjectAccess, RequireSystemAccess, RequireAuthenticated) over the
resource:action policies of src/common/rbac/const.go. A mixin of HarborApi: uses
self.store and self.prefix. Call with the store's lock held."""
import store as st
from answers import Caller, error

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


class Access:
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
