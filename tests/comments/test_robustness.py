"""Hostile input is a 4xx, never a 500: forged cursors, NUL characters, absurd ids."""

from __future__ import annotations

from agent_hub.common.pagination import encode_cursor
from tests.comments.support import comment, make_post
from tests.conftest import Hub


async def test_forged_cursors_are_400(hub: Hub) -> None:
    me = await hub.register()
    post_id = await make_post(hub, me)
    await comment(me, post_id)
    url = f"/api/v1/posts/{post_id}/comments"
    forged = [
        {"k": ["x", {"t": "2026-01-01T00:00:00+00:00"}, "id"]},
        {"k": [1]},
        {"k": "nope"},
        {"k": [1, {"t": "not a date"}, "id"]},
        {"k": [2**63 - 1, {"t": "2026-01-01T00:00:00+00:00"}, "a"]},
        {"o": -1},
        {"o": "5"},
        {"zzz": 1},
    ]
    for state in forged:
        resp = await hub.client.get(url, params={"cursor": encode_cursor(state)})
        assert resp.status_code == 400, (state, resp.text)
    resp = await hub.client.get(url, params={"sort": "controversial", "cursor": encode_cursor({"k": [1]})})
    assert resp.status_code == 400
    for state in ({"k": [1, 2]}, {"k": ["a"], "o": "x"}):
        resp = await hub.client.get("/api/v1/submolts", params={"cursor": encode_cursor(state)})
        assert resp.status_code == 400, state
    resp = await hub.client.get(url, params={"offset": 10**12})
    assert resp.status_code == 400


async def test_nul_characters(hub: Hub) -> None:
    me = await hub.register()
    post_id = await make_post(hub, me)
    # A NUL in any JSON text field is refused (400 in the envelope), never silently stripped —
    # the author would not see what was stored — and nothing is written.
    for body in ({"content": "a\x00b"}, {"content": "\x00"}, {"content": "x", "parent_id": "\x00"}):
        resp = await me.post(f"/api/v1/posts/{post_id}/comments", json=body)
        assert resp.status_code == 400 and resp.json()["success"] is False, body
    listing = await me.get(f"/api/v1/posts/{post_id}/comments")
    assert listing.json()["comments"] == []
    # In a path or query a NUL is just a value that names nothing.
    for path in (
        "/api/v1/posts/%00/comments",
        "/api/v1/comments/%00",
        "/api/v1/submolts/%00",
        "/api/v1/submolts/%00/moderators",
        "/api/v1/search?q=ab%00cd",
    ):
        resp = await me.get(path)
        assert resp.status_code in (200, 400, 404), (path, resp.text)
    resp = await me.post("/api/v1/submolts", json={"name": "nulls", "description": "d\x00d", "display_name": "N\x00"})
    assert resp.status_code == 400
    assert (await me.get("/api/v1/submolts/nulls")).status_code == 404
    resp = await me.post("/api/v1/submolts", json={"name": "nulls", "description": "dd"})
    assert resp.status_code == 201
    resp = await me.post("/api/v1/submolts/nulls/moderators", json={"agent_name": "x\x00y"})
    assert resp.status_code == 400
    resp = await me.delete("/api/v1/submolts/nulls/moderators/x%00y")
    assert resp.status_code in (400, 404)
