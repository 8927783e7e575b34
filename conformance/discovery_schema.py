"""Checks JSON bodies against the schemas of the Books v1 discovery document.

`assert_matches_schema(obj, "Volumes")` fails (AssertionError) when `obj` contains a field
that the discovery schema does not declare, or a value whose JSON type does not match the
declared type. Every problem is reported with its JSON path, e.g.
`$.items[3].volumeInfo.pageCount: expected integer, got string "12"`.

Discovery type mapping (what Google puts on the wire):

* ``string`` -> JSON string, whatever the ``format`` (``int64``/``uint64`` are strings,
  ``byte`` is base64 text, ``date-time`` is RFC 3339 text)
* ``integer`` -> JSON number without fraction (``int32``/``uint32``); ``true``/``false`` are
  not integers
* ``number`` -> any JSON number (``double``/``float``)
* ``boolean`` -> ``true``/``false``
* ``object`` -> JSON object: keys from ``properties``; other keys only if the schema has
  ``additionalProperties`` (then checked against it)
* ``array`` -> JSON array, each element checked against ``items``
* ``any`` -> anything

``null`` is never accepted: Google omits absent fields instead of writing ``null``.

Also here: the "(In LITE projection)" markers of the discovery, turned into the set of
field paths a ``projection=lite`` volume may carry.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    """The shared reference folder: $COLOPHON_SHARED_DIR, default `<repo>/../shared`."""
    env = os.environ.get("COLOPHON_SHARED_DIR")
    return Path(env) if env else (REPO_DIR.parent / "shared")


def discovery_path() -> Path:
    return shared_dir() / "reference" / "books.v1.discovery.json"


@lru_cache(maxsize=None)
def load_discovery() -> dict:
    path = discovery_path()
    if not path.is_file():
        raise FileNotFoundError(
            f"discovery document not found at {path} (set COLOPHON_SHARED_DIR to the shared folder)"
        )
    with open(path, encoding="utf-8") as f:
        return json.load(f)


_INT64_FORMATS = {"int64", "uint64"}
_INT64_RE = re.compile(r"^-?[0-9]+$")


def _describe(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    if len(text) > 60:
        text = text[:57] + "..."
    kind = {
        dict: "object",
        list: "array",
        str: "string",
        bool: "boolean",
        int: "integer",
        float: "number",
        type(None): "null",
    }.get(type(value), type(value).__name__)
    return f"{kind} {text}"


def schema_problems(obj, schema_name: str, discovery: dict | None = None) -> list[str]:
    """All mismatches between `obj` and discovery schema `schema_name`, as readable strings."""
    disc = discovery if discovery is not None else load_discovery()
    schemas = disc["schemas"]
    if schema_name not in schemas:
        raise KeyError(f"no schema {schema_name!r} in the discovery document")
    problems: list[str] = []
    _check(obj, {"$ref": schema_name}, "$", schemas, problems)
    return problems


def assert_matches_schema(obj, schema_name: str, discovery: dict | None = None, context: str = "") -> None:
    """Fail with the path of every unknown field / wrong type in `obj` against `schema_name`."""
    problems = schema_problems(obj, schema_name, discovery)
    if problems:
        head = f"{context}: " if context else ""
        shown = problems[:50]
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise AssertionError(
            f"{head}body does not match discovery schema {schema_name} "
            f"({len(problems)} problem(s)):\n  " + "\n  ".join(shown) + more
        )


def _check(value, schema: dict, path: str, schemas: dict, problems: list[str]) -> None:
    # Resolve $ref (a property may carry both a $ref and a description).
    seen = set()
    while "$ref" in schema:
        ref = schema["$ref"]
        if ref in seen or ref not in schemas:
            problems.append(f"{path}: schema reference {ref!r} cannot be resolved")
            return
        seen.add(ref)
        schema = schemas[ref]

    expected = schema.get("type")
    if expected is None or expected == "any":
        return

    if value is None:
        problems.append(f"{path}: expected {expected}, got null (Google omits absent fields)")
        return

    if expected == "object":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected object, got {_describe(value)}")
            return
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, sub in value.items():
            sub_path = f"{path}.{key}"
            if key in props:
                _check(sub, props[key], sub_path, schemas, problems)
            elif extra is not None:
                _check(sub, extra, sub_path, schemas, problems)
            else:
                problems.append(f"{sub_path}: field not in the discovery schema")
        return

    if expected == "array":
        if not isinstance(value, list):
            problems.append(f"{path}: expected array, got {_describe(value)}")
            return
        item_schema = schema.get("items", {})
        for i, item in enumerate(value):
            _check(item, item_schema, f"{path}[{i}]", schemas, problems)
        return

    if expected == "string":
        if not isinstance(value, str):
            fmt = schema.get("format")
            hint = f" (format {fmt} is sent as a JSON string)" if fmt else ""
            problems.append(f"{path}: expected string{hint}, got {_describe(value)}")
        elif schema.get("format") in _INT64_FORMATS and not _INT64_RE.match(value):
            problems.append(f"{path}: expected a decimal {schema['format']} string, got {_describe(value)}")
        return

    if expected == "integer":
        # bool is a subclass of int in Python; 3.0 is not how Google writes an int32.
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"{path}: expected integer, got {_describe(value)}")
        return

    if expected == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"{path}: expected number, got {_describe(value)}")
        return

    if expected == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: expected boolean, got {_describe(value)}")
        return

    problems.append(f"{path}: unsupported schema type {expected!r}")


# ---------------------------------------------------------------------------------------
# projection=lite
# ---------------------------------------------------------------------------------------

LITE_MARKER = "(In LITE projection"


@lru_cache(maxsize=None)
def _lite_paths_cached(schema_name: str) -> tuple[frozenset, frozenset]:
    return lite_paths(load_discovery(), schema_name)


def lite_paths(discovery: dict, schema_name: str = "Volume") -> tuple[frozenset, frozenset]:
    """(marked, containers) for `schema_name`.

    `marked`: dotted paths (arrays are transparent) whose discovery description says
    "(In LITE projection)"; everything below a marked path is allowed too.
    `containers`: strict ancestors of marked paths (objects that may appear in a lite volume
    only as holders of marked fields, e.g. `volumeInfo`).
    """
    schemas = discovery["schemas"]
    marked: set[str] = set()

    def walk(schema: dict, prefix: str, refs: tuple) -> None:
        while "$ref" in schema:
            ref = schema["$ref"]
            if ref in refs:
                return
            refs = refs + (ref,)
            schema = schemas[ref]
        if schema.get("type") == "array":
            walk(schema.get("items", {}), prefix, refs)
            return
        for name, sub in schema.get("properties", {}).items():
            path = f"{prefix}.{name}" if prefix else name
            if LITE_MARKER in sub.get("description", ""):
                marked.add(path)
            walk(sub, path, refs)

    walk({"$ref": schema_name}, "", ())
    containers: set[str] = set()
    for p in marked:
        parts = p.split(".")
        for i in range(1, len(parts)):
            containers.add(".".join(parts[:i]))
    return frozenset(marked), frozenset(containers)


def non_lite_fields(volume: dict, allow: tuple[str, ...] = ()) -> list[str]:
    """Paths present in `volume` that the discovery does not mark as part of LITE projection."""
    marked, containers = _lite_paths_cached("Volume")
    found: list[str] = []

    def walk(value, prefix: str) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item, prefix)
            return
        if not isinstance(value, dict):
            return
        for key, sub in value.items():
            path = f"{prefix}.{key}" if prefix else key
            if path in allow or path in marked:
                continue
            if path in containers:
                walk(sub, path)
                continue
            found.append(path)

    walk(volume, "")
    return found


def lite_projection_of(volume: dict) -> dict:
    """The subset of a full volume that the LITE markers keep (same nesting)."""
    marked, containers = _lite_paths_cached("Volume")

    def walk(value, prefix: str):
        if isinstance(value, list):
            return [walk(v, prefix) for v in value]
        if not isinstance(value, dict):
            return value
        out = {}
        for key, sub in value.items():
            path = f"{prefix}.{key}" if prefix else key
            if path in marked:
                out[key] = sub
            elif path in containers:
                kept = walk(sub, path)
                if kept not in ({}, []):
                    out[key] = kept
        return out

    return walk(volume, "")
