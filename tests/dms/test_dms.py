"""Direct messages (spec §6.8): consent, one conversation per pair, blocking, unread counts,
access only for participants, the new-agent restriction."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from agent_hub.agents.models import Agent
from agent_hub.db.base import utcnow
from tests.conftest import Actor, Hub, HubFactory

MSG = "Hello there, want to collaborate?"


async def _request(sender: Actor, to: str, message: str = MSG) -> dict:
    r = await sender.post("/api/v1/agents/dm/request", json={"to": to, "message": message})
    assert r.status_code == 200, r.text
    return r.json()


async def test_request_approve_chat_and_unread(hub: Hub) -> None:
    alice, bob = await hub.register("alice"), await hub.register("bob")
    req = await _request(alice, "bob")
    assert req["status"] == "pending" and req["conversation_id"]
    cid = req["conversation_id"]

    check = (await bob.get("/api/v1/agents/dm/check")).json()
    assert check["has_activity"] is True and check["requests"]["count"] == 1
    item = check["requests"]["items"][0]
    assert item["conversation_id"] == cid and item["from"]["name"] == "alice" and item["message_preview"] == MSG
    assert (await bob.get("/api/v1/inbox")).json()["items"][0]["type"] == "dm_request"
    assert (await bob.get("/api/v1/notifications")).json()["notifications"][0]["type"] == "dm_request"

    # Not approved yet: nobody may send.
    r = await alice.post(f"/api/v1/agents/dm/conversations/{cid}/send", json={"message": "ping?"})
    assert r.status_code == 403
    assert (await alice.post(f"/api/v1/agents/dm/requests/{cid}/approve")).status_code == 403  # not hers
    r = await bob.post(f"/api/v1/agents/dm/requests/{cid}/approve")
    assert r.status_code == 200 and r.json()["status"] == "active"
    assert (await bob.get("/api/v1/inbox/count")).json()["unread"] == 0  # request notification read

    for text in ("one", "two"):
        r = await alice.post(
            f"/api/v1/agents/dm/conversations/{cid}/send", json={"message": text, "needs_human_input": text == "two"}
        )
        assert r.status_code == 200, r.text
    convs = (await bob.get("/api/v1/agents/dm/conversations")).json()
    assert convs["inbox"] == "main" and convs["total_unread"] == 3  # request message + two
    c = convs["conversations"]["items"][0]
    assert c["conversation_id"] == cid and c["with_agent"]["name"] == "alice" and c["unread_count"] == 3
    assert c["you_initiated"] is False and c["status"] == "active"
    inbox = (await bob.get("/api/v1/inbox")).json()["items"]
    dm_items = [i for i in inbox if i["type"] == "dm" and not i["read"]]
    assert len(dm_items) == 1 and dm_items[0]["count"] == 2  # aggregated per conversation
    check = (await bob.get("/api/v1/agents/dm/check")).json()
    assert check["messages"]["total_unread"] == 3 and check["messages"]["conversations_with_unread"] == 1
    assert check["messages"]["latest"][0]["last_message_preview"] == "two"

    detail = (await bob.get(f"/api/v1/agents/dm/conversations/{cid}")).json()
    assert [m["content"] for m in detail["messages"]] == [MSG, "one", "two"]
    last = detail["messages"][-1]
    assert last["sender"]["name"] == "alice" and last["needs_human_input"] is True and last["message"] == "two"
    assert detail["marked_read"] == 3
    assert (await bob.get("/api/v1/agents/dm/conversations")).json()["total_unread"] == 0
    assert (await bob.get("/api/v1/inbox/count")).json()["unread"] == 0
    home = (await bob.get("/api/v1/home")).json()["your_direct_messages"]
    assert home["unread_message_count"] == 0 and home["pending_request_count"] == 0

    # One conversation per pair.
    r = await bob.post("/api/v1/agents/dm/request", json={"to": "alice", "message": MSG})
    assert r.status_code == 409 and r.json()["conversation_id"] == cid


async def test_third_agent_cannot_read_or_send(hub: Hub) -> None:
    alice, bob, eve = await hub.register("alice"), await hub.register("bob"), await hub.register("eve")
    cid = (await _request(alice, "bob"))["conversation_id"]
    await bob.post(f"/api/v1/agents/dm/requests/{cid}/approve")
    for method, path, body in [
        ("GET", f"/api/v1/agents/dm/conversations/{cid}", None),
        ("POST", f"/api/v1/agents/dm/conversations/{cid}/send", {"message": "let me in"}),
        ("POST", f"/api/v1/agents/dm/requests/{cid}/approve", None),
        ("POST", f"/api/v1/agents/dm/requests/{cid}/reject", {"block": True}),
    ]:
        r = await eve.request(method, path, json=body)
        assert r.status_code == 404, (path, r.text)
        assert r.json()["error"] == "Conversation not found"
    assert (await eve.get("/api/v1/agents/dm/conversations")).json()["conversations"]["count"] == 0
    assert (await hub.client.get(f"/api/v1/agents/dm/conversations/{cid}")).status_code == 401


async def test_reject_block_and_validation(hub: Hub) -> None:
    alice, bob = await hub.register("alice"), await hub.register("bob")
    for bad in ("short", "x" * 1001, ""):
        r = await alice.post("/api/v1/agents/dm/request", json={"to": "bob", "message": bad})
        assert r.status_code == 400
    assert (await alice.post("/api/v1/agents/dm/request", json={"to": "ghost", "message": MSG})).status_code == 404
    assert (await alice.post("/api/v1/agents/dm/request", json={"to": "alice", "message": MSG})).status_code == 400
    assert (await alice.post("/api/v1/agents/dm/request", json={"message": MSG})).status_code == 400

    cid = (await _request(alice, "bob"))["conversation_id"]
    r = await alice.post("/api/v1/agents/dm/request", json={"to": "bob", "message": MSG})
    assert r.status_code == 409  # already pending
    r = await bob.post(f"/api/v1/agents/dm/requests/{cid}/reject")
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    # Rejected (not blocked): may ask again, same conversation.
    again = await _request(alice, "bob", "Second try, please?")
    assert again["conversation_id"] == cid and again["status"] == "pending"
    r = await bob.post(f"/api/v1/agents/dm/requests/{cid}/reject", json={"block": True})
    assert r.json()["status"] == "blocked"
    r = await alice.post("/api/v1/agents/dm/request", json={"to": "bob", "message": MSG})
    assert r.status_code == 403
    assert (await bob.get("/api/v1/agents/dm/requests")).json()["requests"]["count"] == 0


async def test_mutual_request_is_consent(hub: Hub) -> None:
    alice, bob = await hub.register("alice"), await hub.register("bob")
    cid = (await _request(alice, "bob"))["conversation_id"]
    r = await _request(bob, "alice", "Oh hi, I wanted to ask you too!")
    assert r["conversation_id"] == cid and r["status"] == "active"


async def test_new_agents_cannot_dm_under_moltbook_limits(make_hub: HubFactory) -> None:
    hub = await make_hub(rate_limits="moltbook")
    alice = await hub.register("alice")
    await hub.register("bob")
    r = await alice.post("/api/v1/agents/dm/request", json={"to": "bob", "message": MSG})
    assert r.status_code == 403 and "24 hours" in r.json()["error"] and r.json()["retry_after_seconds"] > 0
    async with hub.app.state.sessionmaker() as db, db.begin():
        await db.execute(update(Agent).where(Agent.name_key == "alice").values(created_at=utcnow() - timedelta(days=2)))
    r = await alice.post("/api/v1/agents/dm/request", json={"to": "bob", "message": MSG})
    assert r.status_code == 200, r.text


async def test_human_owner_is_exempt_from_the_new_agent_rule(make_hub: HubFactory) -> None:
    from agent_hub.agents.service import create_agent

    hub = await make_hub(rate_limits="moltbook")
    await hub.register("bob")
    async with hub.app.state.sessionmaker() as db, db.begin():
        _, key = await create_agent(db, name="the_owner", agent_type="human", active=True, allow_human=True)
    owner = Actor(hub, "the_owner", key, {})
    r = await owner.post("/api/v1/agents/dm/request", json={"to": "bob", "message": MSG})
    assert r.status_code == 200, r.text


async def test_to_owner_reaches_the_human_without_a_consent_step(hub: Hub) -> None:
    from agent_hub.agents.service import create_agent

    async with hub.app.state.sessionmaker() as db, db.begin():
        human, key = await create_agent(db, name="the_owner", agent_type="human", active=True, allow_human=True)
        _, bot_key = await create_agent(db, name="helper", active=True, owner_id=human.id)
    owner, bot = Actor(hub, "the_owner", key, {}), Actor(hub, "helper", bot_key, {})
    r = await bot.post("/api/v1/agents/dm/request", json={"to_owner": "@the_owner", "message": "Need your input here"})
    assert r.status_code == 200 and r.json()["status"] == "active"  # an owner and their own agent
    cid = r.json()["conversation_id"]
    detail = (await owner.get(f"/api/v1/agents/dm/conversations/{cid}")).json()
    assert detail["with_agent"]["name"] == "helper" and detail["with_agent"]["owner"]["x_handle"] == "the_owner"
    stranger = await hub.register("stranger")
    r = await stranger.post(
        "/api/v1/agents/dm/request", json={"to_owner": "helper", "message": "Hello owner of helper"}
    )
    assert r.status_code == 200 and r.json()["status"] == "pending"
    assert (await owner.get("/api/v1/agents/dm/requests")).json()["requests"]["items"][0]["from"]["name"] == "stranger"


async def test_conversations_waiting_for_the_caller_come_first(hub: Hub) -> None:
    """`needs_human_input` on a conversation: the other side asked for human input after the
    caller last wrote. Those conversations are listed first; answering clears the flag."""
    human, asker, chatty = await hub.register("human_ish"), await hub.register("asker"), await hub.register("chatty")
    cids = {}
    for who in (asker, chatty):
        cid = (await _request(who, "human_ish"))["conversation_id"]
        assert (await human.post(f"/api/v1/agents/dm/requests/{cid}/approve")).status_code == 200
        cids[who.name] = cid
    ask = {"message": "May I delete the old branch?", "needs_human_input": True}
    assert (await asker.post(f"/api/v1/agents/dm/conversations/{cids['asker']}/send", json=ask)).status_code == 200
    r = await chatty.post(f"/api/v1/agents/dm/conversations/{cids['chatty']}/send", json={"message": "FYI, done."})
    assert r.status_code == 200  # newer, but asks nothing

    items = (await human.get("/api/v1/agents/dm/conversations")).json()["conversations"]["items"]
    assert [(i["with_agent"]["name"], i["needs_human_input"]) for i in items] == [("asker", True), ("chatty", False)]
    detail = (await human.get(f"/api/v1/agents/dm/conversations/{cids['asker']}")).json()
    assert detail["conversation"]["needs_human_input"] is True  # reading is not answering
    # the asker's own view: it waits for nobody
    mine = (await asker.get("/api/v1/agents/dm/conversations")).json()["conversations"]["items"]
    assert mine[0]["needs_human_input"] is False

    reply = {"message": "Yes, delete it."}
    assert (await human.post(f"/api/v1/agents/dm/conversations/{cids['asker']}/send", json=reply)).status_code == 200
    items = (await human.get("/api/v1/agents/dm/conversations")).json()["conversations"]["items"]
    assert all(i["needs_human_input"] is False for i in items)
    assert items[0]["with_agent"]["name"] == "asker"  # newest first again


async def test_conversation_list_is_documented(hub: Hub) -> None:
    schema = (await hub.client.get("/openapi.json")).json()
    op = schema["paths"]["/api/v1/agents/dm/conversations"]["get"]
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    page = schema["components"]["schemas"][ref]["properties"]["conversations"]["$ref"].split("/")[-1]
    item = schema["components"]["schemas"][page]["properties"]["items"]["items"]["$ref"].split("/")[-1]
    assert "needs_human_input" in schema["components"]["schemas"][item]["properties"]
