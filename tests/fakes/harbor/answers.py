"""What the fake's operations take and give: a Call (the bound, typed parameters, the JSON
body, the caller) and an Answer (status, JSON body or None, headers), and Harbor's error
envelope {"errors": [{"code", "message"}]} with the codes of src/lib/errors. Plain values."""
import dataclasses

import store as st
from contract import go_time


@dataclasses.dataclass
class Caller:
    """Who sent a request, as Harbor's security middleware decides it."""
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


def harbor_time(iso):
    """A stored ISO time as Harbor answers it."""
    return go_time(st.parse_time(iso))
