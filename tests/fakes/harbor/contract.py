"""Harbor's swagger 2.0 document (swagger.yaml beside this file) as a checker: finds the
operation of a request, checks and converts its parameters and JSON body, and checks an
answer against the response of its status. It also shapes model objects the way
go-swagger's generated Go models marshal them (zero values omitted unless x-omitempty is
false), so the fake's answers look like Harbor's.

Definitions become JSON Schema draft 4 (the draft whose "integer" rejects 1.0, as Go's
decoder does): x-nullable allows null, every other property rejects it (stricter than Go,
which decodes null as the zero value). In "strict" mode an object with properties and no
additionalProperties rejects unknown properties: answers are always checked that way, and a
request's unknown fields are reported (Harbor ignores them) without rejecting it.

Read-only after construction; safe to share between threads."""
import copy
import datetime
import json
import pathlib
import re
import urllib.parse

import jsonschema
import yaml

SWAGGER = pathlib.Path(__file__).with_name("swagger.yaml")
_SWAGGER_ONLY = {"discriminator", "readOnly", "xml", "externalDocs", "example"}
_TRUE = {"true", "1", "yes", "y", "on", "ok", "selected", "checked"}  # go-openapi swag.ConvertBool
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _formats():
    checker = jsonschema.FormatChecker(formats=())

    @checker.checks("int32")
    def _int32(value):
        return not isinstance(value, int) or -2**31 <= value < 2**31

    @checker.checks("int64")
    def _int64(value):
        return not isinstance(value, int) or -2**63 <= value < 2**63

    @checker.checks("date-time")
    def _date_time(value):
        return not isinstance(value, str) or bool(_DATE_TIME.match(value))

    return checker


def go_time(when):
    """A UTC datetime as strfmt.DateTime marshals it (RFC 3339, milliseconds, Z)."""
    return when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{when.microsecond // 1000:03d}Z"


GO_ZERO_TIME = "0001-01-01T00:00:00.000Z"


class Operation:
    """One method of one swagger path, its parameters resolved."""

    def __init__(self, contract, template, method, node):
        self.template, self.method, self.node = template, method, node
        self.id = node["operationId"]
        self.params = [contract.deref(p) for p in node.get("parameters", [])]
        self.responses = {str(k): contract.deref(v) for k, v in node["responses"].items()}


class Problem(Exception):
    """A request the contract rejects: Harbor's status and message (go-swagger's wording)."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class Contract:
    def __init__(self, path=SWAGGER):
        self.doc = yaml.safe_load(pathlib.Path(path).read_text())
        self.base = self.doc["basePath"]
        self._defs = {mode: {k: self._convert(v, mode == "strict") for k, v in
                             self.doc["definitions"].items()} for mode in ("lenient", "strict")}
        self._formats = _formats()
        self._routes = []  # (literal segment count, segments, template, {method: Operation})
        for template, item in self.doc["paths"].items():
            ops = {m: Operation(self, template, m, op) for m, op in item.items()
                   if m in ("get", "put", "post", "delete", "head", "patch", "options")}
            segments = template.strip("/").split("/")
            literals = sum(1 for s in segments if not s.startswith("{"))
            self._routes.append((literals, segments, template, ops))
        self._routes.sort(key=lambda r: -r[0])

    def deref(self, node):
        while isinstance(node, dict) and "$ref" in node:
            target = self.doc
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = target
        return node

    # -- swagger schema -> JSON Schema -----------------------------------------------------
    def _convert(self, node, strict):
        if isinstance(node, list):
            return [self._convert(v, strict) for v in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key in _SWAGGER_ONLY or key.startswith("x-"):
                continue
            if key == "properties":
                out[key] = {name: self._convert(v, strict) for name, v in value.items()}
            elif key == "type" and value == "file":
                continue
            else:
                out[key] = self._convert(value, strict)
        if "$ref" in out:  # draft 4 ignores a $ref's siblings
            out = {"$ref": out["$ref"]}
        if node.get("x-nullable"):
            if "$ref" in out:
                out = {"anyOf": [out, {"type": "null"}]}
            elif "type" in out:
                out["type"] = [out["type"], "null"]
        if strict and "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out

    def schema_errors(self, schema, value, strict):
        """Messages of `value` against swagger `schema` (may hold #/definitions refs)."""
        mode = "strict" if strict else "lenient"
        root = dict(self._convert(schema, strict))
        root["definitions"] = self._defs[mode]
        validator = jsonschema.Draft4Validator(root, format_checker=self._formats)
        return [f"{'/'.join(str(p) for p in e.absolute_path) or '(body)'}: {e.message}"
                for e in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))]

    def definition(self, name):
        return {"$ref": f"#/definitions/{name}"}

    # -- routing -------------------------------------------------------------------------
    def route(self, method, path):
        """(Operation, path params) for a request path under basePath; raises Problem with
        404 (no such path) or 405 (path without that method) as go-openapi's router does."""
        if not (path == self.base or path.startswith(self.base + "/")):
            raise Problem(404, "NOT_FOUND", f"path {path} was not found")
        raw = path[len(self.base):].strip("/").split("/")
        # one decoding, as the router does: a repository "a/b" arrives as a%252Fb -> a%2Fb
        segments = [urllib.parse.unquote(s) for s in raw]
        for _, pattern, template, ops in self._routes:
            if len(pattern) != len(segments):
                continue
            params = {}
            for want, got in zip(pattern, segments):
                if want.startswith("{"):
                    if got == "":
                        break
                    params[want[1:-1]] = got
                elif want != got:
                    break
            else:
                if method.lower() not in ops:
                    allowed = ",".join(sorted(m.upper() for m in ops))
                    raise Problem(405, "METHOD_NOT_ALLOWED",
                                  f"method {method} is not allowed, but [{allowed}] are")
                return ops[method.lower()], params
        raise Problem(404, "NOT_FOUND", f"path {path} was not found")

    # -- requests ------------------------------------------------------------------------
    def bind(self, op, path_params, query, headers, raw_body, content_type):
        """Checks a request against `op` and returns (values by parameter name, body, notes):
        values converted to their types with swagger defaults applied; notes are findings
        Harbor would accept silently (unknown query parameters or body fields, booleans
        spelled other than true/false). Raises Problem(422) for what go-swagger's binding
        rejects and Problem(415) for a body that is not application/json."""
        failures, notes, values, body = [], [], {}, None
        known_query = set()
        for p in op.params:
            name, where = p["name"], p["in"]
            if where == "body":
                body, body_failures, body_notes = self._bind_body(p, raw_body, content_type)
                failures += body_failures
                notes += body_notes
                continue
            if where == "query":
                known_query.add(name)
                raw = query.get(name, [None])[0]
            elif where == "path":
                raw = path_params.get(name)
            elif where == "header":
                raw = headers.get(name)
            else:  # formData is not used by the operations of this fake
                continue
            if raw is None:
                if p.get("required"):
                    failures.append(f"{name} in {where} is required")
                elif "default" in p:
                    values[name] = p["default"]
                continue
            value, problem, note = self._convert_param(p, raw)
            if note:
                notes.append(note)
            if problem:
                failures.append(problem)
            else:
                values[name] = value
        for name in query:
            if name not in known_query:
                notes.append(f"query parameter {name!r} is not a parameter of {op.id} (Harbor ignores it)")
        if raw_body and not any(p["in"] == "body" for p in op.params):
            notes.append(f"{op.id} takes no body (Harbor ignores it)")
        if failures:
            unsupported = [f for f in failures if f.startswith("415:")]
            if unsupported:
                raise Problem(415, "UNSUPPORTED_MEDIA_TYPE", unsupported[0][4:])
            raise Problem(422, "UNPROCESSABLE_ENTITY", "validation failure list:\n" + "\n".join(failures))
        return values, body, notes

    def _convert_param(self, p, raw):
        name, where, kind = p["name"], p["in"], p.get("type", "string")
        note = None
        if kind == "integer":
            if not re.fullmatch(r"[+-]?\d+", raw):
                return None, f"{name} in {where} must be of type {p.get('format', 'int64')}: {raw!r}", None
            value = int(raw)
        elif kind == "number":
            try:
                value = float(raw)
            except ValueError:
                return None, f"{name} in {where} must be of type number: {raw!r}", None
        elif kind == "boolean":
            value = raw.lower() in _TRUE
            if raw not in ("true", "false"):
                note = f"{name} in {where}: {raw!r} is not true/false (Harbor reads it as {str(value).lower()})"
        else:
            value = raw
        if "maximum" in p and value > p["maximum"]:
            return None, f"{name} in {where} should be less than or equal to {p['maximum']}", note
        if "minimum" in p and value < p["minimum"]:
            return None, f"{name} in {where} should be greater than or equal to {p['minimum']}", note
        if "enum" in p and value not in p["enum"]:
            return None, f"{name} in {where} should be one of {p['enum']}", note
        if "minLength" in p and len(raw) < p["minLength"]:
            return None, f"{name} in {where} should be at least {p['minLength']} chars long", note
        if "maxLength" in p and len(raw) > p["maxLength"]:
            return None, f"{name} in {where} should be at most {p['maxLength']} chars long", note
        if "pattern" in p and not re.search(p["pattern"], raw):
            return None, f"{name} in {where} should match '{p['pattern']}'", note
        return value, None, note

    def _bind_body(self, p, raw_body, content_type):
        name = p["name"]
        if not raw_body:
            return None, ([f"{name} in body is required"] if p.get("required") else []), []
        media = (content_type or "").split(";")[0].strip().lower()
        if media != "application/json":
            return None, [f"415:unsupported media type {content_type or '(none)'!r}"], []
        try:
            body = json.loads(raw_body)
        except ValueError as e:
            return None, [f"parsing {name} body from \"\" failed, because {e}"], []
        failures = self.schema_errors(p["schema"], body, strict=False)
        if failures:
            return body, [f"parsing {name} body from \"\" failed, because {f}" for f in failures], []
        notes = [f"{name} body: {f} (Harbor ignores unknown fields)"
                 for f in self.schema_errors(p["schema"], body, strict=True)]
        return body, [], notes

    # -- answers -------------------------------------------------------------------------
    def check_answer(self, op, status, headers, body):
        """Messages of an answer that does not match `op`'s response for `status`. An error
        status the operation does not list is checked against Errors: Harbor's middleware
        answers 401/403/404/422 on operations whose swagger omits them."""
        response = op.responses.get(str(status)) or op.responses.get("default")
        if response is None:
            if status < 400:
                return [f"{op.id} has no response {status} in the swagger"]
            response = {"schema": self.definition("Errors")}
        problems = []
        for name, spec in response.get("headers", {}).items():
            if name in headers and spec.get("type") == "integer" and not re.fullmatch(r"\d+", str(headers[name])):
                problems.append(f"header {name}: {headers[name]!r} is not an integer")
        if "schema" not in response:
            if body is not None:
                problems.append(f"{op.id} {status} has no body in the swagger, but one was given")
            return problems
        if body is None:
            return problems + [f"{op.id} {status} needs a body"]
        return problems + self.schema_errors(response["schema"], body, strict=True)

    # -- go-swagger marshalling ----------------------------------------------------------
    def shape(self, definition, value):
        """`value` as the go-swagger model `definition` marshals it: properties that are zero
        ("", 0, false, empty list or map, None) are left out unless x-omitempty is false;
        pointer-typed ones (x-nullable or an object $ref) only when None."""
        return self._shape(self.doc["definitions"][definition], copy.deepcopy(value))

    def _shape(self, schema, value):
        if isinstance(schema, dict) and "$ref" in schema:
            schema = self.deref(schema)
        if isinstance(value, list):
            return [self._shape(schema.get("items", {}), v) for v in value]
        if not isinstance(value, dict) or "properties" not in schema:
            return value
        out = {}
        for name, v in value.items():
            prop = schema["properties"].get(name, {})
            pointer = prop.get("x-nullable") or "$ref" in prop
            if v is None and (pointer or prop.get("x-omitempty") is not False):
                continue
            if not pointer and prop.get("x-omitempty") is not False and v in ("", 0, False, [], {}):
                continue
            out[name] = self._shape(prop, v)
        return out
