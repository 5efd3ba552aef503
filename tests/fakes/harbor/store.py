"""The fake Harbor's state: projects, repositories, artifacts with tags and labels, labels
and robot accounts, in memory, optionally written to a JSON file after every change and read
back at start (--state). Also Harbor's list helpers: the `q` query language (lib/q) and
paging (lib/orm: page_size 0 means everything; the Link header of handler/base.go).

Records are plain dicts in Harbor's database terms (robot names without the "robot$"
prefix, secrets only as salted SHA-256). One lock guards everything: callers hold
`store.lock` across a read-modify-write; save() is called with it held."""
import datetime
import hashlib
import json
import os
import pathlib
import re
import secrets
import string
import threading
import urllib.parse

KINDS = ("projects", "repositories", "artifacts", "labels", "robots")
# the names Harbor accepts for projects and robot accounts
NAME_RE = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def hash_secret(secret, salt):
    return hashlib.sha256((secret + salt).encode()).hexdigest()


def random_secret():
    """32 characters with at least one upper, one lower letter and a digit (robot.IsValidSec)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        s = "".join(secrets.choice(alphabet) for _ in range(32))
        if any(c.isupper() for c in s) and any(c.islower() for c in s) and any(c.isdigit() for c in s):
            return s


def valid_secret(s):
    return 8 <= len(s) <= 128 and any(c.isupper() for c in s) and any(c.islower() for c in s) \
        and any(c.isdigit() for c in s)


class Store:
    def __init__(self, state_file=None):
        self.lock = threading.RLock()
        self.state_file = pathlib.Path(state_file) if state_file else None
        if self.state_file and self.state_file.exists():
            self.data = json.loads(self.state_file.read_text())
        else:
            self.data = {"next_id": {k: 1 for k in KINDS}, **{k: {} for k in KINDS}}
            # every Harbor has the public project "library", owned by admin
            self.add("projects", {"name": "library", "public": True})
            self.save()

    def save(self):
        if not self.state_file:
            return
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1, sort_keys=True))
        os.replace(tmp, self.state_file)

    def add(self, kind, record):
        """Stores `record` under a new id (and creation/update times unless given)."""
        rid = self.data["next_id"][kind]
        self.data["next_id"][kind] = rid + 1
        stamp = record.pop("at", None) or now().isoformat()
        record = {"id": rid, "creation_time": stamp, "update_time": stamp, **record}
        self.data[kind][str(rid)] = record
        return record

    def get(self, kind, rid):
        return self.data[kind].get(str(rid))

    def all(self, kind):
        return sorted(self.data[kind].values(), key=lambda r: r["id"])

    def remove(self, kind, rid):
        self.data[kind].pop(str(rid), None)

    # -- lookups -------------------------------------------------------------------------
    def project(self, name_or_id, is_name=False):
        """By id when it reads as an integer and is_name is false (X-Is-Resource-Name), else by name."""
        if not is_name and str(name_or_id).lstrip("-").isdigit():
            return self.get("projects", int(name_or_id))
        return next((p for p in self.all("projects") if p["name"] == name_or_id), None)

    def repository(self, full_name):
        return next((r for r in self.all("repositories") if r["name"] == full_name), None)

    def repositories_of(self, project_id):
        return [r for r in self.all("repositories") if r["project_id"] == project_id]

    def artifacts_of(self, repository_id):
        return [a for a in self.all("artifacts") if a["repository_id"] == repository_id]

    def label_by_name(self, name, scope="g", project_id=0):
        return next((l for l in self.all("labels") if l["name"] == name and l["scope"] == scope
                     and l.get("project_id", 0) == project_id), None)

    def robot_by_name(self, name):
        return next((r for r in self.all("robots") if r["name"] == name), None)


# -- lib/q ---------------------------------------------------------------------------------
class QueryError(ValueError):
    pass


def parse_q(text):
    """Harbor's q: "k=v,k=~fuzzy,k=[min~max],k={or list},k=(and list)" -> {key: (kind, value)}."""
    if not text:
        return {}
    text = urllib.parse.unquote(text)
    out = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key or not value:
            raise QueryError('the query string must contain "=" and the key/value cannot be empty')
        if value[0] == "~":
            if len(value) < 2:
                raise QueryError(f"invalid query string value: {value}")
            out[key] = ("fuzzy", value[1:])
        elif value[0] == "[":
            if value[-1] != "]" or value.count("~") != 1:
                raise QueryError(f"invalid query string value: {value}")
            low, high = (v.strip() for v in value[1:-1].split("~"))
            out[key] = ("range", (low or None, high or None))
        elif value[0] in "{(":
            if value[-1] != {"{": "}", "(": ")"}[value[0]]:
                raise QueryError(f"invalid query string value: {value}")
            items = [v.strip().strip("'\"") for v in value[1:-1].split(" ") if v.strip()]
            out[key] = ("or" if value[0] == "{" else "and", items)
        else:
            out[key] = ("exact", value.strip("'\""))
    return out


def matches(condition, value):
    """Whether a field `value` (a scalar, or a list for multi-valued fields) meets condition."""
    kind, want = condition
    values = value if isinstance(value, list) else [value]
    text = [str(v).lower() if isinstance(v, bool) else str(v) for v in values]
    if kind == "exact":
        return want in text
    if kind == "fuzzy":
        return any(want in v for v in text)
    if kind == "or":
        return any(w in text for w in want)
    if kind == "and":
        return all(w in text for w in want)
    low, high = want
    return any((low is None or v >= low) and (high is None or v <= high) for v in text)


def page(items, page_number, page_size):
    """The slice lib/orm returns: everything when page_size is 0."""
    if page_size <= 0:
        return items
    start = page_size * (page_number - 1) if page_number > 0 else 0
    return items[start:start + page_size]


def link_header(path, query, total, page_number, page_size):
    """handler/base.go Links(): prev and next with page and page_size set, the query
    re-encoded (keys sorted, as Go's url.Values.Encode) and then unescaped."""
    if page_size == 0:
        return None
    links = []

    def url(number):
        q = {k: list(v) for k, v in query.items()}
        q["page"], q["page_size"] = [str(number)], [str(page_size)]
        encoded = urllib.parse.urlencode(sorted(((k, v) for k, vs in q.items() for v in vs), key=lambda kv: kv[0]))
        return f"{path}?{urllib.parse.unquote_plus(encoded)}"

    if page_number > 1 and (page_number - 1) * page_size < total:
        links.append(f'<{url(page_number - 1)}>; rel="prev"')
    if page_size * page_number < total:
        links.append(f'<{url(page_number + 1)}>; rel="next"')
    return " , ".join(links) if links else None
