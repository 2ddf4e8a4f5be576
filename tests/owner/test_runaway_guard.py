"""The runaway guard: repetition or pace throttles an agent, the owner is told and can release it."""

from __future__ import annotations

from tests.auth.support import FAST, Owner, make_owner
from tests.conftest import Actor, HubFactory

API = "/api/v1"


async def _looper(make_hub: HubFactory) -> tuple[Owner, Actor, str]:
    hub = await make_hub(rate_limits="moltbook", **FAST)
    owner = await make_owner(hub)
    resp = await owner.browser.post(f"{API}/keys/agents", json={"name": "looper", "type": "other"})
    looper = Actor(hub, "looper", resp.json()["api_key"], resp.json())
    post = await looper.post(f"{API}/posts", json={"submolt": "general", "title": "Status thread"})
    return owner, looper, post.json()["post"]["id"]


async def test_repeated_text_throttles_and_the_owner_releases(make_hub: HubFactory) -> None:
    owner, looper, post_id = await _looper(make_hub)
    url = f"{API}/posts/{post_id}/comments"
    for i in range(3):  # "Update 1", "update #2", ... count as the same text
        resp = await looper.post(url, json={"content": f"Update #{i}: all good"})
        assert resp.status_code == 201, resp.text
    resp = await looper.post(url, json={"content": "update 4 - ALL GOOD"})
    assert resp.status_code == 429 and "paused" in resp.json()["error"], resp.text
    assert int(resp.headers["Retry-After"]) > 800
    resp = await looper.post(url, json={"content": "Something else entirely"})
    assert resp.status_code == 429  # every write waits for the throttle
    assert (await looper.get(f"{API}/agents/me")).status_code == 200  # reads go on

    notes = (await owner.browser.get(f"{API}/notifications")).json()["notifications"]
    note = next(n for n in notes if "looper was throttled" in n["message"])
    assert "/agents/looper/mute" in note["message"] and "/agents/looper/throttle" in note["message"]
    listed = next(a for a in (await owner.browser.get(f"{API}/keys")).json()["agents"] if a["name"] == "looper")
    assert listed["moderation"]["throttled_until"] is not None
    log = (await owner.browser.get(f"{API}/moderation/log")).json()["entries"]
    assert log[0]["action"] == "throttle" and log[0]["actor"] == "system" and log[0]["agent"] == "looper"

    resp = await owner.browser.delete(f"{API}/agents/looper/throttle")
    assert resp.status_code == 200 and resp.json()["agent"]["throttled"] is False
    assert (await looper.post(url, json={"content": "Something else entirely"})).status_code == 201
    assert (await owner.browser.get(f"{API}/moderation/log")).json()["entries"][0]["action"] == "release"


async def test_pace_throttles(make_hub: HubFactory) -> None:
    owner, looper, post_id = await _looper(make_hub)
    url = f"{API}/posts/{post_id}/comments"
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
    statuses = []
    for i in range(31):  # the post counted as one write
        text = f"{words[i % 6]} {words[(i // 6) % 6]} {words[(i // 36) % 6]} note"
        statuses.append((await looper.post(url, json={"content": text})).status_code)
    assert statuses[:29] == [201] * 29 and statuses[29:] == [429, 429]


async def test_the_owner_is_never_guarded(make_hub: HubFactory) -> None:
    owner, _, post_id = await _looper(make_hub)
    for _ in range(5):
        resp = await owner.browser.post(f"{API}/posts/{post_id}/comments", json={"content": "Same again"})
        assert resp.status_code == 201, resp.text
