"""Every volumes.list / volumes.get body the suite received must match the discovery schema.

Runs last (file name). `helpers.RecordingHttp` (Google's client) and `helpers.RawApi`
(requests) record every 200 JSON body from /books/v1/volumes[/{id}]; this test checks them
all with `assert_matches_schema`. When run alone it first makes its own requests, so it is
never vacuous.
"""

from __future__ import annotations

import re

from discovery_schema import schema_problems
from helpers import RECORDED_BODY_PROBLEMS, RECORDED_VOLUME_BODIES

OWN_QUERIES = ["dracula", "inauthor:dickens", "misérables", "zzqxjvkwplm"]


def _ensure_some_bodies(books, raw):
    for q in OWN_QUERIES:
        books.volumes().list(q=q, maxResults=40).execute()
        books.volumes().list(q=q, projection="LITE").execute()
    body = books.volumes().list(q="dracula").execute()
    for item in body.get("items", [])[:3]:
        books.volumes().get(volumeId=item["id"]).execute()
        raw.volume(item["id"], projection="lite")


def test_all_received_volume_bodies_match_discovery_schema(books, raw):
    if len(RECORDED_VOLUME_BODIES) < 10:
        _ensure_some_bodies(books, raw)
    lists = [r for r in RECORDED_VOLUME_BODIES if r[1] == "Volumes"]
    gets = [r for r in RECORDED_VOLUME_BODIES if r[1] == "Volume"]
    assert lists and gets, f"recorded {len(lists)} list and {len(gets)} get bodies; expected both"
    assert any(b.get("items") for _, _, b in lists if isinstance(b, dict)), "no recorded search had items"

    failures = []
    seen = set()
    for desc, schema, body in RECORDED_VOLUME_BODIES:
        for problem in schema_problems(body, schema):
            path, _, what = problem.partition(": ")
            key = (schema, re.sub(r"\[\d+\]", "[]", path), what[:40])
            if key in seen:
                continue
            seen.add(key)
            failures.append(f"{desc}\n    {problem}")
    failures += [f"{desc}\n    {problem}" for desc, problem in RECORDED_BODY_PROBLEMS]
    assert not failures, (
        f"{len(failures)} distinct schema problem(s) in {len(RECORDED_VOLUME_BODIES)} recorded bodies:\n"
        + "\n".join(failures[:60])
    )
