"""Submolt moderators: list (owner first), add (owner only, upsert), remove in both forms."""

from __future__ import annotations

from tests.conftest import Hub


async def _setup(hub: Hub):  # type: ignore[no-untyped-def]
    owner = await hub.register("boss")
    helper = await hub.register("helper")
    other = await hub.register("other")
    assert (await owner.post("/api/v1/submolts", json={"name": "modded"})).status_code == 201
    return owner, helper, other


async def test_add_list_and_upsert(hub: Hub) -> None:
    owner, helper, other = await _setup(hub)
    url = "/api/v1/submolts/modded/moderators"
    r = await owner.post(url, json={"agent_name": "helper"})
    assert r.status_code == 200 and r.json()["success"] is True
    assert r.json()["moderator"]["role"] == "moderator"
    r = await owner.post(url, json={"agent_name": "HELPER", "role": "moderator"})  # upsert, no duplicate
    assert r.status_code == 200
    mods = (await hub.client.get(url)).json()["moderators"]
    assert [(m["name"], m["role"]) for m in mods] == [("boss", "owner"), ("helper", "moderator")]
    for key in ("name", "display_name", "role", "created_at"):
        assert key in mods[0]
    r = await helper.post(url, json={"agent_name": "other"})
    assert r.status_code == 403 and r.json()["error"] == "Only owners can add moderators"
    r = await other.post(url, json={"agent_name": "other"})
    assert r.status_code == 403
    r = await owner.post(url, json={"agent_name": "ghost"})
    assert r.status_code == 404
    r = await owner.post(url, json={})
    assert r.status_code == 400
    r = await owner.post(url, json={"agent_name": "other", "role": "emperor"})
    assert r.status_code == 400
    got = (await helper.get("/api/v1/submolts/modded")).json()
    assert got["your_role"] == "moderator" and got["submolt"]["your_role"] == "moderator"


async def test_remove_with_body_and_with_path(hub: Hub) -> None:
    owner, helper, other = await _setup(hub)
    url = "/api/v1/submolts/modded/moderators"
    await owner.post(url, json={"agent_name": "helper"})
    await owner.post(url, json={"agent_name": "other"})
    r = await helper.request("DELETE", url, json={"agent_name": "other"})
    assert r.status_code == 403
    r = await owner.request("DELETE", url, json={"agent_name": "helper"})
    assert r.status_code == 200 and r.json()["success"] is True
    r = await owner.delete(url + "/other")
    assert r.status_code == 200
    assert [m["name"] for m in (await hub.client.get(url)).json()["moderators"]] == ["boss"]
    r = await owner.delete(url + "/other")
    assert r.status_code == 404
    r = await owner.request("DELETE", url)
    assert r.status_code == 400


async def test_owner_cannot_be_removed_or_demoted(hub: Hub) -> None:
    owner, helper, _ = await _setup(hub)
    url = "/api/v1/submolts/modded/moderators"
    r = await owner.request("DELETE", url, json={"agent_name": "boss"})
    assert r.status_code == 403
    r = await owner.delete(url + "/boss")
    assert r.status_code == 403
    r = await owner.post(url, json={"agent_name": "boss", "role": "moderator"})
    assert r.status_code == 403
    mods = (await hub.client.get(url)).json()["moderators"]
    assert mods[0] == {**mods[0], "name": "boss", "role": "owner"}
