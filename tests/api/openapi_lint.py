#!/usr/bin/env python3
"""Checks api/openapi.yaml, ground control's API contract (ctest: api.openapi_lint).

1. Structure: OpenAPI 3.0.3 keys, every $ref resolves (and has no siblings, which 3.0
   ignores), every operation has a unique operationId, a summary, declared tags and
   responses, every 4xx/5xx response carries the error envelope (or says it does not with
   `x-error-envelope: false`), path parameters are declared exactly as the template names
   them, security requirements name declared schemes, server variables are declared.
2. Schemas: only OpenAPI 3.0 schema keywords, `required` names declared properties,
   patterns compile, defaults and examples satisfy their own schema, no component schema
   is unused, and each one translates to a valid JSON Schema (draft 4).
3. Documents: tests/data/harbor-state-sample.json (Harbor's real file) and every example
   under tests/api/examples/ are validated against their component schema with jsonschema.
   Examples are named `<Schema>.<request|response>.<valid|invalid>[-what].json`; a valid
   one must pass, an invalid one must be refused, and each main schema has both.
4. Code: ErrorCode's enum is the name column of src/common/error_code.cpp, and every route
   pattern in src/groundcontrol/api/*.cpp and src/common/http/builtin_routes.cpp is a
   documented path, with its methods where the route names them literally.

Translation to JSON Schema: `$ref`s are inlined, `nullable: true` adds null to the type
(or enum), extension and annotation keywords are dropped. Direction matters as OpenAPI
says: validating a request, a readOnly property is not required; validating a response, a
writeOnly property is neither required nor allowed.

Uses python3's standard library, PyYAML and jsonschema (Debian: python3-yaml,
python3-jsonschema; scripts/bootstrap installs them). Exits 0 when all is well, 1 listing
every problem found, 2 when a dependency is missing.
"""

import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "api" / "openapi.yaml"
EXAMPLES = ROOT / "tests" / "api" / "examples"
HARBOR_SAMPLE = ROOT / "tests" / "data" / "harbor-state-sample.json"
ERROR_CODE_TABLE = ROOT / "src" / "common" / "error_code.cpp"
ROUTE_SOURCES = sorted((ROOT / "src" / "groundcontrol" / "api").glob("*.cpp")) + [
    ROOT / "src" / "common" / "http" / "builtin_routes.cpp"
]

# The schemas that must have a valid and an invalid example.
MAIN_SCHEMAS = [
    "Error", "ObjectMeta", "Satellite", "SatelliteList", "Group", "GroupList",
    "SatelliteConfig", "SatelliteConfigList", "MergePatch", "HarborStateFile",
    "HarborIngestResult", "HarborArtifactList", "EventList", "LoginRequest",
    "LoginResponse", "User", "UserCreate", "UserList", "SatelliteState", "SatelliteCreated",
    "EnrollmentToken", "EnrollRequest", "RenewRequest", "EnrollmentResponse",
    "EnrollmentRequestSubmission", "EnrollmentRequest", "EnrollmentApproval",
    "GroupCredentialCreated", "ServingCertificateRequest", "ServingCertificate",
    "RegistryEndpoint", "GroupRuleEvaluation",
]

METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
TOP_LEVEL_KEYS = {"openapi", "info", "servers", "paths", "components", "security", "tags",
                  "externalDocs"}
SCHEME_TYPES = {"apiKey", "http", "oauth2", "openIdConnect",
                "mutualTLS"}  # mutualTLS: 3.1's type, used for the satellite listener
SCHEMA_KEYWORDS = {
    "title", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems",
    "maxProperties", "minProperties", "required", "enum", "type", "allOf", "oneOf", "anyOf",
    "not", "items", "properties", "additionalProperties", "description", "format", "default",
    "nullable", "discriminator", "readOnly", "writeOnly", "xml", "externalDocs", "example",
    "deprecated", "$ref",
}
SCHEMA_TYPES = {"string", "number", "integer", "boolean", "array", "object"}
# Dropped on the way to JSON Schema (annotations, or handled separately).
NOT_JSON_SCHEMA = {"nullable", "discriminator", "readOnly", "writeOnly", "xml", "externalDocs",
                   "example", "deprecated"}
RESPONSE_KEY = re.compile(r"^(default|[1-5]XX|[1-5][0-9][0-9])$")
EXAMPLE_NAME = re.compile(r"^(?P<schema>[A-Za-z]+)\.(?P<direction>request|response)\."
                          r"(?P<verdict>valid|invalid)(-[a-z0-9-]+)?\.json$")


def load_dependencies():
    """yaml and jsonschema; re-runs under Debian's python3 when this one lacks them."""
    try:
        import jsonschema
        import yaml
        return yaml, jsonschema
    except ImportError as error:
        debian = "/usr/bin/python3"
        if (os.path.exists(debian) and os.path.realpath(sys.executable) != os.path.realpath(debian)
                and not os.environ.get("OPENAPI_LINT_REEXEC")):
            env = dict(os.environ, OPENAPI_LINT_REEXEC="1")
            os.execve(debian, [debian, __file__] + sys.argv[1:], env)
        print(f"openapi_lint: cannot import {error.name}: install python3-yaml and "
              "python3-jsonschema (scripts/bootstrap does)", file=sys.stderr)
        sys.exit(2)


class Problems:
    def __init__(self):
        self.items = []

    def add(self, where, what):
        self.items.append(f"{where}: {what}")


def pointer(path):
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)


def resolve_pointer(doc, ref):
    """The node `ref` ("#/a/b") names in `doc`, or None."""
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return None
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


class Spec:
    def __init__(self, doc, problems):
        self.doc = doc
        self.problems = problems
        self.schemas = doc.get("components", {}).get("schemas", {}) or {}

    def deref(self, node, seen=()):
        """Follows $ref chains; None when a ref does not resolve or loops."""
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                return None
            seen = seen + (ref,)
            node = resolve_pointer(self.doc, ref)
        return node

    # -- structure ---------------------------------------------------------------------
    def check_refs(self):
        def walk(node, path):
            if isinstance(node, dict):
                if "$ref" in node:
                    ref = node["$ref"]
                    if resolve_pointer(self.doc, ref) is None:
                        self.problems.add(pointer(path), f"$ref {ref!r} does not resolve")
                    siblings = sorted(k for k in node if k != "$ref")
                    if siblings:
                        self.problems.add(pointer(path), f"$ref has siblings {siblings}, which "
                                          "OpenAPI 3.0 ignores (wrap the $ref in allOf)")
                for key, value in node.items():
                    if key != "$ref":
                        walk(value, path + [key])
            elif isinstance(node, list):
                for i, value in enumerate(node):
                    walk(value, path + [i])
        walk(self.doc, [])

    def check_top(self):
        doc = self.doc
        if doc.get("openapi") != "3.0.3":
            self.problems.add("openapi", f"expected 3.0.3, got {doc.get('openapi')!r}")
        for key in doc:
            if key not in TOP_LEVEL_KEYS and not str(key).startswith("x-"):
                self.problems.add(key, "not an OpenAPI 3.0 top-level key")
        info = doc.get("info") or {}
        for key in ("title", "version"):
            if not info.get(key):
                self.problems.add("info", f"{key} is required")
        servers = doc.get("servers") or []
        if len(servers) != 2:
            self.problems.add("servers", f"expected two entries (management, satellite), got "
                              f"{len(servers)}")
        self.check_servers(servers, "servers")
        if not isinstance(doc.get("paths"), dict) or not doc["paths"]:
            self.problems.add("paths", "required, a non-empty object")

    def check_servers(self, servers, where):
        for i, server in enumerate(servers or []):
            if not isinstance(server, dict) or not server.get("url"):
                self.problems.add(f"{where}[{i}]", "a server needs a url")
                continue
            variables = server.get("variables") or {}
            for name in re.findall(r"\{([^}]+)\}", server["url"]):
                if name not in variables:
                    self.problems.add(f"{where}[{i}]", f"url variable {{{name}}} not declared")
                elif "default" not in variables[name]:
                    self.problems.add(f"{where}[{i}].variables.{name}", "default is required")

    def check_security(self):
        schemes = self.doc.get("components", {}).get("securitySchemes", {}) or {}
        for name, scheme in schemes.items():
            where = f"components.securitySchemes.{name}"
            kind = (scheme or {}).get("type")
            if kind not in SCHEME_TYPES:
                self.problems.add(where, f"type {kind!r} is not one of {sorted(SCHEME_TYPES)}")
            if kind == "http" and not scheme.get("scheme"):
                self.problems.add(where, "an http scheme needs `scheme`")
        self.check_requirements(self.doc.get("security"), "security", schemes)
        return schemes

    def check_requirements(self, requirements, where, schemes):
        for requirement in requirements or []:
            for name in requirement:
                if name not in schemes:
                    self.problems.add(where, f"security scheme {name!r} is not declared")

    def check_paths(self):
        tags = {t.get("name") for t in self.doc.get("tags") or []}
        schemes = self.doc.get("components", {}).get("securitySchemes", {}) or {}
        operation_ids = {}
        operations = 0
        for path, item in (self.doc.get("paths") or {}).items():
            if not path.startswith("/"):
                self.problems.add(path, "a path starts with '/'")
            if not isinstance(item, dict):
                self.problems.add(path, "a path item is an object")
                continue
            self.check_servers(item.get("servers"), f"{path}.servers")
            template = re.findall(r"\{([^}]+)\}", path)
            if len(set(template)) != len(template):
                self.problems.add(path, "a template parameter appears twice")
            shared = self.parameters(item.get("parameters"), path)
            found = [m for m in item if m in METHODS]
            if not found:
                self.problems.add(path, "no operation")
            for method in found:
                operations += 1
                op = item[method]
                where = f"{method.upper()} {path}"
                operation_id = op.get("operationId")
                if not operation_id:
                    self.problems.add(where, "operationId is required")
                elif operation_id in operation_ids:
                    self.problems.add(where, f"operationId {operation_id!r} is also used by "
                                      f"{operation_ids[operation_id]}")
                else:
                    operation_ids[operation_id] = where
                if not op.get("summary"):
                    self.problems.add(where, "summary is required")
                if not op.get("tags"):
                    self.problems.add(where, "at least one tag is required")
                for tag in op.get("tags") or []:
                    if tag not in tags:
                        self.problems.add(where, f"tag {tag!r} is not declared in `tags`")
                self.check_requirements(op.get("security"), where, schemes)
                own = self.parameters(op.get("parameters"), where)
                effective = dict(shared)
                effective.update(own)
                declared = {name for (name, location) in effective if location == "path"}
                for name in template:
                    if name not in declared:
                        self.problems.add(where, f"path parameter {{{name}}} is not declared")
                for name in declared - set(template):
                    self.problems.add(where, f"path parameter {name!r} is not in the path")
                self.check_request_body(op, method, where)
                self.check_responses(op, method, where)
        return operations

    def parameters(self, parameters, where):
        out = {}
        for i, raw in enumerate(parameters or []):
            param = self.deref(raw)
            here = f"{where} parameters[{i}]"
            if not isinstance(param, dict):
                self.problems.add(here, "does not resolve to a parameter")
                continue
            name, location = param.get("name"), param.get("in")
            if not name or location not in ("query", "header", "path", "cookie"):
                self.problems.add(here, "a parameter needs a name and `in` "
                                  "(query, header, path or cookie)")
                continue
            if location == "path" and param.get("required") is not True:
                self.problems.add(here, f"path parameter {name!r} must be required: true")
            if "schema" not in param and "content" not in param:
                self.problems.add(here, f"parameter {name!r} needs a schema")
            if (name, location) in out:
                self.problems.add(here, f"parameter {name!r} in {location} is listed twice")
            out[(name, location)] = param
        return out

    def check_request_body(self, op, method, where):
        if "requestBody" not in op:
            return
        if method in ("get", "head", "delete"):
            self.problems.add(where, f"{method.upper()} takes no request body")
        body = self.deref(op["requestBody"])
        if not isinstance(body, dict) or not body.get("content"):
            self.problems.add(where, "requestBody needs content")
            return
        for media, content in body["content"].items():
            if not isinstance(content, dict) or "schema" not in content:
                self.problems.add(f"{where} requestBody {media}", "needs a schema")

    def check_responses(self, op, method, where):
        responses = op.get("responses")
        if not isinstance(responses, dict) or not responses:
            self.problems.add(where, "responses are required")
            return
        error_schema = self.schemas.get("Error")
        for code, raw in responses.items():
            code = str(code)
            here = f"{where} {code}"
            if not RESPONSE_KEY.match(code):
                self.problems.add(here, "not a status code, a range (4XX) or default")
            response = self.deref(raw)
            if not isinstance(response, dict):
                self.problems.add(here, "does not resolve to a response")
                continue
            if not response.get("description"):
                self.problems.add(here, "description is required")
            content = response.get("content") or {}
            if method == "head" and content:
                self.problems.add(here, "a HEAD answer has no body")
            if code[0] not in "45":
                continue
            enveloped = (raw.get("x-error-envelope", True) if isinstance(raw, dict) else True) and \
                response.get("x-error-envelope", True)
            if not enveloped:
                if "application/json" in content:
                    self.problems.add(here, "x-error-envelope: false yet answers JSON")
                continue
            media = content.get("application/json")
            schema = self.deref(media.get("schema")) if isinstance(media, dict) else None
            if schema is None or schema is not error_schema:
                self.problems.add(here, "a 4xx/5xx answer must carry application/json with "
                                  "#/components/schemas/Error (or say x-error-envelope: false)")

    # -- schemas -----------------------------------------------------------------------
    def check_schemas(self, jsonschema):
        used = set()

        def note_refs(node):
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                    used.add(ref.rsplit("/", 1)[1])
                for value in node.values():
                    note_refs(value)
            elif isinstance(node, list):
                for value in node:
                    note_refs(value)
        note_refs({k: v for k, v in self.doc.items() if k != "components"})
        components = self.doc.get("components", {})
        note_refs({k: v for k, v in components.items() if k != "schemas"})
        # Schemas referenced from used schemas are used too.
        pending = list(used)
        while pending:
            name = pending.pop()
            before = set(used)
            note_refs(self.schemas.get(name))
            pending.extend(used - before)
        for name in self.schemas:
            if name not in used:
                self.problems.add(f"components.schemas.{name}", "not referenced anywhere")

        for name, schema in self.schemas.items():
            self.check_schema_node(schema, f"components.schemas.{name}", jsonschema)
            for direction in ("request", "response"):
                try:
                    translated = self.to_json_schema(schema, direction)
                    jsonschema.Draft4Validator.check_schema(translated)
                except RecursionError:
                    self.problems.add(f"components.schemas.{name}", "its $refs loop")
                except jsonschema.exceptions.SchemaError as error:
                    self.problems.add(f"components.schemas.{name}",
                                      f"not a valid JSON Schema once translated: {error.message}")

        # Schemas inline in parameters, headers and media types get the keyword checks too.
        def walk_inline(node, path):
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "schema" and isinstance(value, dict):
                        self.check_schema_node(value, ".".join(map(str, path + [key])),
                                               jsonschema)
                    elif key != "schemas":
                        walk_inline(value, path + [key])
            elif isinstance(node, list):
                for i, value in enumerate(node):
                    walk_inline(value, path + [i])
        walk_inline({k: v for k, v in self.doc.items() if k != "components"}, [])
        walk_inline(components, ["components"])

    def check_schema_node(self, node, where, jsonschema):
        if not isinstance(node, dict):
            self.problems.add(where, "a schema is an object")
            return
        if "$ref" in node:
            return
        for key in node:
            if key not in SCHEMA_KEYWORDS and not str(key).startswith("x-"):
                self.problems.add(where, f"{key!r} is not an OpenAPI 3.0 schema keyword")
        kind = node.get("type")
        if kind is not None and kind not in SCHEMA_TYPES:
            self.problems.add(where, f"type {kind!r} is not an OpenAPI 3.0 type (one string; "
                              "null is `nullable: true`)")
        if node.get("nullable") and "type" not in node:
            self.problems.add(where, "nullable needs a type beside it")
        if node.get("readOnly") and node.get("writeOnly"):
            self.problems.add(where, "readOnly and writeOnly at once")
        if "pattern" in node:
            try:
                re.compile(node["pattern"])
            except re.error as error:
                self.problems.add(where, f"pattern does not compile: {error}")
        properties = node.get("properties")
        if properties is not None and not isinstance(properties, dict):
            self.problems.add(where, "properties is an object")
            properties = {}
        for name in node.get("required") or []:
            if properties is not None and name not in properties:
                self.problems.add(where, f"required {name!r} is not among its properties")
            if properties is None and node.get("additionalProperties") is False:
                self.problems.add(where, f"required {name!r} but no properties are allowed")
        for name, value in (properties or {}).items():
            self.check_schema_node(value, f"{where}.{name}", jsonschema)
        for key in ("items", "not"):
            if isinstance(node.get(key), dict):
                self.check_schema_node(node[key], f"{where}.{key}", jsonschema)
        if isinstance(node.get("additionalProperties"), dict):
            self.check_schema_node(node["additionalProperties"], f"{where}.additionalProperties",
                                   jsonschema)
        for key in ("allOf", "anyOf", "oneOf"):
            for i, value in enumerate(node.get(key) or []):
                self.check_schema_node(value, f"{where}.{key}[{i}]", jsonschema)
        for key in ("default", "example"):
            if key not in node:
                continue
            try:
                errors = list(jsonschema.Draft4Validator(self.to_json_schema(node, "request"))
                              .iter_errors(node[key]))
            except (RecursionError, jsonschema.exceptions.SchemaError):
                continue  # reported with the schema itself
            if errors:
                self.problems.add(where, f"its {key} {node[key]!r} does not satisfy it: "
                                  f"{errors[0].message}")

    def flag(self, node, key):
        """Whether `node` (a property's schema) says `key` (readOnly, writeOnly), itself,
        through a $ref, or through a single allOf entry."""
        node = self.deref(node)
        if not isinstance(node, dict):
            return False
        if node.get(key):
            return True
        parts = node.get("allOf") or []
        return len(parts) == 1 and self.flag(parts[0], key)

    def to_json_schema(self, node, direction, depth=0):
        """The JSON Schema (draft 4) for OpenAPI schema `node`, read for `direction`."""
        if depth > 64:
            raise RecursionError
        if isinstance(node, list):
            return [self.to_json_schema(n, direction, depth + 1) for n in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return self.to_json_schema(resolve_pointer(self.doc, node["$ref"]), direction,
                                       depth + 1)
        out = {}
        for key, value in node.items():
            if key in NOT_JSON_SCHEMA or str(key).startswith("x-"):
                continue
            if key == "properties":
                out[key] = {name: self.to_json_schema(v, direction, depth + 1)
                            for name, v in value.items()}
            elif key in ("items", "not", "additionalProperties") and isinstance(value, dict):
                out[key] = self.to_json_schema(value, direction, depth + 1)
            elif key in ("allOf", "anyOf", "oneOf"):
                out[key] = [self.to_json_schema(v, direction, depth + 1) for v in value]
            else:
                out[key] = value
        required = list(out.get("required") or [])
        for name, value in (node.get("properties") or {}).items():
            if direction == "request" and self.flag(value, "readOnly"):
                required = [r for r in required if r != name]
            if direction == "response" and self.flag(value, "writeOnly"):
                required = [r for r in required if r != name]
                out["properties"][name] = {"not": {}}  # never in a response
        if "required" in out:
            if required:
                out["required"] = required
            else:
                del out["required"]  # draft 4 wants at least one name
        if node.get("nullable") is True:
            if "type" in out:
                out["type"] = [out["type"], "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = list(out["enum"]) + [None]
        return out


def check_examples(spec, jsonschema, problems):
    """Validates the Harbor sample and tests/api/examples; returns (valid, refused) counts."""
    def errors_of(schema_name, direction, document):
        schema = spec.to_json_schema({"$ref": f"#/components/schemas/{schema_name}"}, direction)
        return sorted(jsonschema.Draft4Validator(schema).iter_errors(document),
                      key=lambda e: list(e.absolute_path))

    def describe(error):
        where = "/".join(str(p) for p in error.absolute_path) or "(document)"
        return f"at {where}: {error.message}"

    valid = refused = 0
    if "HarborStateFile" not in spec.schemas:
        problems.add("components.schemas", "HarborStateFile is missing")
    else:
        document = json.loads(HARBOR_SAMPLE.read_text())
        errors = errors_of("HarborStateFile", "request", document)
        if errors:
            problems.add(HARBOR_SAMPLE.relative_to(ROOT),
                         f"Harbor's sample does not satisfy HarborStateFile {describe(errors[0])}")
        else:
            valid += 1

    seen = {}
    files = sorted(EXAMPLES.glob("*.json")) if EXAMPLES.is_dir() else []
    for path in files:
        where = path.relative_to(ROOT)
        match = EXAMPLE_NAME.match(path.name)
        if not match:
            problems.add(where, "name it <Schema>.<request|response>.<valid|invalid>[-what].json")
            continue
        name, direction, verdict = match["schema"], match["direction"], match["verdict"]
        if name not in spec.schemas:
            problems.add(where, f"no component schema {name!r}")
            continue
        seen.setdefault(name, set()).add(verdict)
        try:
            document = json.loads(path.read_text())
        except json.JSONDecodeError as error:
            problems.add(where, f"not JSON: {error}")
            continue
        errors = errors_of(name, direction, document)
        if verdict == "valid" and errors:
            problems.add(where, f"a valid {direction} example is refused by {name} "
                         f"{describe(errors[0])}")
        elif verdict == "invalid" and not errors:
            problems.add(where, f"an invalid {direction} example is accepted by {name}")
        elif verdict == "valid":
            valid += 1
        else:
            refused += 1
            if "-v" in sys.argv:
                print(f"openapi_lint: {where}: refused {describe(errors[0])}")
    for name in MAIN_SCHEMAS:
        for verdict in ("valid", "invalid"):
            if verdict not in seen.get(name, set()):
                problems.add(EXAMPLES.relative_to(ROOT), f"no {verdict} example for {name}")
    return valid, refused


def check_code(spec, problems):
    """ErrorCode against the code table; documented paths against the route tables."""
    if ERROR_CODE_TABLE.exists():
        names = re.findall(r'\{"([A-Z_]+)",\s*"[A-Z_]+",\s*\d{3},', ERROR_CODE_TABLE.read_text())
        documented = (spec.schemas.get("ErrorCode") or {}).get("enum") or []
        if names and names != documented:
            missing = [n for n in names if n not in documented]
            extra = [n for n in documented if n not in names]
            problems.add("components.schemas.ErrorCode",
                         f"enum differs from {ERROR_CODE_TABLE.relative_to(ROOT)} (in table order)"
                         + (f"; missing {missing}" if missing else "")
                         + (f"; not in the table {extra}" if extra else ""))
    paths = spec.doc.get("paths") or {}
    route = re.compile(r"\{\s*((?:Method::k[A-Za-z]+\s*,?\s*)+)\}\s*,\s*\"(/[^\"]*)\"")
    literal = re.compile(r"\"(/(?:api|satellite|healthz|readyz|metrics)[^\"\s]*)\"")
    comment = re.compile(r"(^|\s)//.*$", re.MULTILINE)
    for source in ROUTE_SOURCES:
        if not source.exists():
            continue
        text = comment.sub(r"\1", source.read_text())
        where = source.relative_to(ROOT)
        for pattern in sorted(set(literal.findall(text))):
            if pattern not in paths:
                problems.add(where, f"route {pattern} is not documented in paths")
        for methods, pattern in route.findall(text):
            item = paths.get(pattern)
            if item is None:
                continue  # reported above
            for method in re.findall(r"Method::k([A-Za-z]+)", methods):
                if method.lower() not in item:
                    problems.add(where, f"{method.upper()} {pattern} is not documented")


def main():
    yaml, jsonschema = load_dependencies()
    problems = Problems()
    try:
        doc = yaml.safe_load(SPEC.read_text())
    except (OSError, yaml.YAMLError) as error:
        print(f"openapi_lint: FAIL: {SPEC.relative_to(ROOT)}: cannot be read as YAML: {error}")
        return 1
    if not isinstance(doc, dict):
        print(f"openapi_lint: FAIL: {SPEC.relative_to(ROOT)}: not a YAML mapping")
        return 1
    spec = Spec(doc, problems)
    spec.check_top()
    spec.check_refs()
    spec.check_security()
    operations = spec.check_paths()
    spec.check_schemas(jsonschema)
    valid, refused = check_examples(spec, jsonschema, problems)
    check_code(spec, problems)

    if problems.items:
        for item in problems.items:
            print(f"openapi_lint: FAIL: {item}")
        print(f"openapi_lint: {len(problems.items)} problem(s) in {SPEC.relative_to(ROOT)} "
              "or its examples")
        return 1
    print(f"openapi_lint: ok: {len(doc['paths'])} paths, {operations} operations, "
          f"{len(spec.schemas)} schemas; {valid} documents valid, {refused} invalid ones refused "
          f"(jsonschema {jsonschema_version()})")
    return 0


def jsonschema_version():
    try:
        from importlib.metadata import version as package_version
        return package_version("jsonschema")
    except Exception:  # an old or vendored install: the version is only informative
        return "?"


if __name__ == "__main__":
    sys.exit(main())
