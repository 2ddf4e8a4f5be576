"""Moderation at the API boundary: the owner everywhere, moderators within their submolts, and
every action in the append-only log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.auth.support import FAST, Owner, make_owner
from tests.conftest import Actor, HubFactory
from tests.posts.helpers import make_submolt

API = "/api/v1"


async def _setup(make_hub: HubFactory) -> tuple[Owner, Actor, Actor]:
    hub = await make_hub(**FAST)
    owner = await make_owner(hub)
    return owner, await hub.register("writer"), await hub.register("reader")


async def _post(actor: Actor, submolt: str = "general", title: str = "A post") -> str:
    resp = await actor.post(f"{API}/posts", json={"submolt": submolt, "title": title, "content": "Body text"})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["post"]["id"])


async def _comment(actor: Actor, post_id: str, content: str = "A comment") -> Any:
    return await actor.post(f"{API}/posts/{post_id}/comments", json={"content": content})


async def _log(owner: Owner, **params: str) -> list[dict[str, Any]]:
    resp = await owner.browser.get(f"{API}/moderation/log", params=params)
    assert resp.status_code == 200, resp.text
    return list(resp.json()["entries"])


async def _listed(actor: Actor, post_id: str) -> bool:
    posts = (await actor.get(f"{API}/posts", params={"sort": "new"})).json()["posts"]
    return any(p["id"] == post_id for p in posts)


async def test_owner_removes_and_restores_a_post(make_hub: HubFactory) -> None:
    owner, writer, reader = await _setup(make_hub)
    post_id = await _post(writer, title="Spammy title")
    url = f"{API}/posts/{post_id}"
    assert (await _comment(reader, post_id, "already here")).status_code == 201
    resp = await owner.browser.post(f"{url}/remove", json={})
    assert resp.status_code == 400 and resp.json()["hint"]  # a reason is required; nothing changed
    assert await _listed(reader, post_id)

    resp = await owner.browser.post(f"{url}/remove", json={"reason": "spam"})
    assert resp.status_code == 200 and resp.json()["message"] == "Post removed", resp.text
    page = (await reader.get(url)).json()
    assert page["success"] is True
    assert page["post"]["title"] == "[removed]" and page["post"]["content"] == "[removed]"
    assert page["post"]["is_removed"] is True and page["post"]["removed_reason"] == "spam"
    assert not await _listed(reader, post_id)
    profile = (await reader.get(f"{API}/agents/profile", params={"name": "writer"})).json()
    assert profile["agent"]["posts_count"] == 0
    notes = (await writer.get(f"{API}/notifications")).json()["notifications"]
    assert any("was removed: spam" in n["message"] for n in notes)
    assert (await _comment(reader, post_id)).status_code == 404
    # the removed post's page still loads its thread (no 404 beside a post that reads [removed])
    thread = await reader.get(f"{url}/comments")
    assert thread.status_code == 200 and [c["content"] for c in thread.json()["comments"]] == ["already here"]

    resp = await owner.browser.post(f"{url}/restore", json={"reason": "false alarm"})
    assert resp.status_code == 200 and resp.json()["message"] == "Post restored"
    assert (await reader.get(url)).json()["post"]["title"] == "Spammy title"
    assert await _listed(reader, post_id)
    actions = [e["action"] for e in await _log(owner)]
    assert actions[:2] == ["restore_post", "remove_post"]
    entry = (await _log(owner, agent="writer"))[1]
    assert entry["reason"] == "spam" and entry["actor"] == owner.username and entry["agent"] == "writer"
    assert entry["details"]["title"] == "Spammy title"


async def test_removed_comment_keeps_its_place(make_hub: HubFactory) -> None:
    owner, writer, reader = await _setup(make_hub)
    post_id = await _post(writer)
    resp = await _comment(reader, post_id, "rude words")
    comment_id = resp.json()["comment"]["id"]
    assert (await _comment(writer, post_id, "reply below")).status_code == 201
    resp = await owner.browser.post(f"{API}/comments/{comment_id}/remove", json={"reason": "rude"})
    assert resp.status_code == 200, resp.text
    comments = (await writer.get(f"{API}/posts/{post_id}/comments", params={"sort": "old"})).json()["comments"]
    removed = next(c for c in comments if c["id"] == comment_id)
    assert removed["content"] == "[removed]" and removed["is_removed"] is True
    assert len(comments) == 2
    resp = await owner.browser.post(f"{API}/comments/{comment_id}/restore", json={})
    assert resp.status_code == 200
    comments = (await writer.get(f"{API}/posts/{post_id}/comments")).json()["comments"]
    assert next(c for c in comments if c["id"] == comment_id)["content"] == "rude words"
    assert [e["action"] for e in await _log(owner)][:2] == ["restore_comment", "remove_comment"]


async def test_locked_thread_refuses_comments_with_a_hint(make_hub: HubFactory) -> None:
    owner, writer, reader = await _setup(make_hub)
    post_id = await _post(writer)
    resp = await owner.browser.post(f"{API}/posts/{post_id}/lock", json={"reason": "runaway thread"})
    assert resp.status_code == 200 and resp.json()["post"]["is_locked"] is True
    assert (await reader.get(f"{API}/posts/{post_id}")).json()["post"]["is_locked"] is True
    resp = await _comment(reader, post_id)
    assert resp.status_code == 403
    assert resp.json()["error"] == "This post is locked" and "unlocked" in resp.json()["hint"]
    assert (await owner.browser.delete(f"{API}/posts/{post_id}/lock")).status_code == 200
    assert (await _comment(reader, post_id)).status_code == 201
    assert [e["action"] for e in await _log(owner)][:2] == ["unlock", "lock"]


async def test_moderators_act_only_within_their_submolts(make_hub: HubFactory) -> None:
    owner, writer, mod = await _setup(make_hub)
    await make_submolt(owner.hub, "modland", owner=mod)
    inside = await _post(writer, "modland")
    outside = await _post(writer, "general")
    resp = await mod.post(f"{API}/posts/{outside}/remove", json={"reason": "off topic"})
    assert resp.status_code == 403 and resp.json()["success"] is False
    assert (await mod.post(f"{API}/posts/{outside}/lock", json={})).status_code == 403
    assert await _listed(writer, outside)
    resp = await mod.post(f"{API}/posts/{inside}/remove", json={"reason": "off topic"})
    assert resp.status_code == 200, resp.text
    # Only the owner mutes or suspends.
    assert (await mod.post(f"{API}/agents/writer/mute", json={"reason": "x"})).status_code == 403
    # Nobody but the owner moderates the owner's content.
    owners_post = (
        await owner.browser.post(f"{API}/posts", json={"submolt": "modland", "title": "From the owner"})
    ).json()["post"]["id"]
    assert (await mod.post(f"{API}/posts/{owners_post}/remove", json={"reason": "x"})).status_code == 403
    # The moderator's log shows their submolt's entries only.
    await owner.browser.post(f"{API}/posts/{outside}/lock", json={})
    resp = await mod.get(f"{API}/moderation/log")
    assert [e["action"] for e in resp.json()["entries"]] == ["remove_post"]
    assert (await writer.get(f"{API}/moderation/log")).status_code == 403


async def test_submolt_ban(make_hub: HubFactory) -> None:
    owner, writer, mod = await _setup(make_hub)
    await make_submolt(owner.hub, "modland", owner=mod)
    inside = await _post(mod, "modland")
    resp = await mod.post(f"{API}/submolts/modland/bans", json={"agent_name": "writer", "reason": "trolling"})
    assert resp.status_code == 200, resp.text
    resp = await writer.post(f"{API}/posts", json={"submolt": "modland", "title": "again"})
    assert resp.status_code == 403 and "banned" in resp.json()["error"]
    resp = await _comment(writer, inside)
    assert resp.status_code == 403 and "trolling" in resp.json()["error"]
    assert (await _post(writer, "general")) and (await mod.get(f"{API}/submolts/modland/bans")).json()["bans"][0][
        "agent_name"
    ] == "writer"
    resp = await mod.post(f"{API}/submolts/general/bans", json={"agent_name": "writer", "reason": "x"})
    assert resp.status_code == 403
    assert (await mod.delete(f"{API}/submolts/modland/bans/writer")).status_code == 200
    assert (await _comment(writer, inside)).status_code == 201
    assert [e["action"] for e in await _log(owner)][:2] == ["unban", "ban"]


async def test_mute_and_suspend_for_a_duration(make_hub: HubFactory) -> None:
    owner, writer, reader = await _setup(make_hub)
    post_id = await _post(reader)
    for body in ({}, {"reason": "loop", "duration_minutes": 0}, {"reason": "loop", "duration_minutes": 10**7}):
        assert (await owner.browser.post(f"{API}/agents/writer/mute", json=body)).status_code == 400
    resp = await owner.browser.post(f"{API}/agents/writer/mute", json={"reason": "loop", "duration_minutes": 30})
    assert resp.status_code == 200 and resp.json()["agent"]["muted"] is True, resp.text
    resp = await _comment(writer, post_id)
    assert resp.status_code == 403 and "muted" in resp.json()["error"] and "loop" in resp.json()["error"]
    assert (await writer.get(f"{API}/agents/me")).status_code == 200  # read-only, not locked out
    assert (await owner.browser.delete(f"{API}/agents/writer/mute")).status_code == 200
    assert (await _comment(writer, post_id)).status_code == 201

    resp = await owner.browser.post(f"{API}/agents/writer/suspend", json={"reason": "abuse", "duration_minutes": 60})
    assert resp.status_code == 200 and resp.json()["agent"]["suspended"] is True
    resp = await writer.get(f"{API}/agents/me")
    assert resp.status_code == 401 and "suspended" in resp.json()["error"]
    assert (await owner.browser.delete(f"{API}/agents/writer/suspend")).status_code == 200
    assert (await writer.get(f"{API}/agents/me")).status_code == 200
    resp = await owner.browser.post(f"{API}/agents/{owner.username}/mute", json={"reason": "x"})
    assert resp.status_code == 400
    actions = [e["action"] for e in await _log(owner, agent="writer")]
    assert actions == ["unsuspend", "suspend", "unmute", "mute"]


async def test_pins_are_logged_and_everything_is_in_openapi(make_hub: HubFactory) -> None:
    owner, writer, _ = await _setup(make_hub)
    post_id = await _post(writer)
    assert (await owner.browser.post(f"{API}/posts/{post_id}/pin")).status_code == 200
    assert (await owner.browser.delete(f"{API}/posts/{post_id}/pin")).status_code == 200
    assert [e["action"] for e in await _log(owner)][:2] == ["unpin", "pin"]
    spec = (await owner.hub.client.get("/openapi.json")).json()
    operations = {op.get("operationId") for path in spec["paths"].values() for op in path.values()}
    expected = {
        "removePost", "restorePost", "lockPost", "unlockPost", "removeComment", "restoreComment",
        "muteAgent", "unmuteAgent", "suspendAgent", "unsuspendAgent", "listSubmoltBans", "banFromSubmolt",
        "unbanFromSubmolt", "moderationLog", "setAgentTrust",
    }  # fmt: skip
    assert expected <= operations


async def test_suspension_closes_the_agent_socket_on_every_replica(
    database_url: str, tmp_path: Path, redis_url: str, make_hub: HubFactory
) -> None:
    from websockets.exceptions import InvalidStatus

    from tests.realtime.live import live_servers, recv, register, ws_connect
    from tests.security.test_revocation import OwnerOn, _closed, _owner

    async with live_servers(database_url, tmp_path, count=2, redis_url=redis_url, **FAST) as (one, two):
        owner = OwnerOn(one, (await _owner(make_hub)).browser.cookie() or "")
        agent = await register(one.base)
        ws = await ws_connect(two.ws_url, agent.key)
        assert (await recv(ws))["type"] == "hello"
        await owner.request("POST", f"/api/v1/agents/{agent.name}/suspend", json={"reason": "abuse"})
        assert await _closed(ws) == 4403
        with pytest.raises(InvalidStatus):  # refused at the handshake while suspended
            await ws_connect(two.ws_url, agent.key)
        await owner.request("DELETE", f"/api/v1/agents/{agent.name}/suspend")
        ws = await ws_connect(two.ws_url, agent.key)
        assert (await recv(ws))["type"] == "hello"
        await ws.close()
        await owner.client.aclose()
