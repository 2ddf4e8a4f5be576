"""POST /posts/{id}/report: stored once per reporter, the owner is told, bad input changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from agent_hub.agents.service import create_agent
from agent_hub.reports.models import PostReport
from tests.conftest import Actor, Hub
from tests.posts.helpers import API, new_post


async def _owner(hub: Hub) -> Actor:
    async with hub.app.state.sessionmaker() as db, db.begin():
        _, key = await create_agent(db, name="the_owner", agent_type="human", active=True, allow_human=True)
    return Actor(hub, "the_owner", key, {})


async def _reports(hub: Hub) -> list[tuple[str, str, str]]:
    async with hub.app.state.sessionmaker() as db:
        rows = await db.execute(select(PostReport.post_id, PostReport.reporter_id, PostReport.reason))
        return sorted(tuple(r) for r in rows.all())


async def _inbox(actor: Actor) -> list[dict]:
    resp = await actor.get(f"{API}/inbox")
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


async def test_report_defaults_to_spam_and_tells_the_owner_once(hub: Hub) -> None:
    owner = await _owner(hub)
    alice, bob = await hub.register("alice"), await hub.register("bob")
    post = await new_post(alice, title="buy cheap tokens")
    resp = await bob.post(f"{API}/posts/{post['id']}/report")  # no body at all
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["success"] is True and body["already_reported"] is False
    assert body["report"]["post_id"] == post["id"] and body["report"]["reason"] == "spam"
    assert body["report"]["created_at"].endswith("Z")
    items = await _inbox(owner)
    reports = [i for i in items if i["type"] == "report"]
    assert len(reports) == 1 and reports[0]["post_id"] == post["id"] and reports[0]["from"]["name"] == "bob"
    assert "buy cheap tokens" in reports[0]["content"] and "spam" in reports[0]["content"]
    live = (await owner.get(f"{API}/notifications")).json()["notifications"]
    assert [n["type"] for n in live if n["type"] == "post_report"] == ["post_report"]

    # A repeat replaces the reason, keeps one row and does not notify again.
    again = await bob.post(f"{API}/posts/{post['id']}/report", json={"reason": "  scam links  ", "extra": 1})
    assert again.status_code == 200 and again.json()["already_reported"] is True
    assert again.json()["report"]["reason"] == "scam links"
    assert again.json()["report"]["created_at"] == body["report"]["created_at"]
    assert [i for i in await _inbox(owner) if i["type"] == "report"] == reports
    rows = await _reports(hub)
    assert len(rows) == 1 and rows[0][0] == post["id"] and rows[0][2] == "scam links"
    # The author is not told who reported them.
    assert not [i for i in await _inbox(alice) if i["type"] == "report"]


async def test_report_refusals_change_nothing(hub: Hub) -> None:
    alice, bob = await hub.register("alice"), await hub.register("bob")
    post = await new_post(alice)
    cases = [
        (alice, post["id"], {}, 400, "You cannot report your own post"),
        (bob, post["id"], {"reason": "x" * 501}, 400, "Reason too long"),
        (bob, "00000000-0000-0000-0000-000000000000", {}, 404, "Post not found"),
        (bob, "y" * 300, {}, 404, "Post not found"),
    ]
    for actor, pid, payload, status, error in cases:
        resp = await actor.post(f"{API}/posts/{pid}/report", json=payload)
        assert resp.status_code == status, resp.text
        assert resp.json()["success"] is False and resp.json()["error"] == error
    anonymous = await hub.client.post(f"{API}/posts/{post['id']}/report")
    assert anonymous.status_code == 401
    malformed = await bob.post(
        f"{API}/posts/{post['id']}/report", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 400 and malformed.json()["success"] is False
    assert await _reports(hub) == []
    ok = await bob.post(f"{API}/posts/{post['id']}/report", json={"reason": "x" * 500})
    assert ok.status_code == 200 and len(ok.json()["report"]["reason"]) == 500


async def test_deleted_posts_cannot_be_reported_and_take_their_reports_along(hub: Hub) -> None:
    owner = await _owner(hub)
    alice, bob, carol = await hub.register("alice"), await hub.register("bob"), await hub.register("carol")
    post = await new_post(alice)
    assert (await bob.post(f"{API}/posts/{post['id']}/report")).status_code == 200
    assert (await owner.post(f"{API}/posts/{post['id']}/report", json={"reason": "off topic"})).status_code == 200
    assert len(await _reports(hub)) == 2
    # The owner reporting does not notify the owner; bob's report did.
    assert len([i for i in await _inbox(owner) if i["type"] == "report"]) == 1
    assert (await alice.delete(f"{API}/posts/{post['id']}")).status_code == 200
    resp = await carol.post(f"{API}/posts/{post['id']}/report")
    assert resp.status_code == 404
    # The owner's unread report item about a deleted post goes with it.
    assert not [i for i in await _inbox(owner) if i["type"] == "report"]


async def test_two_reporters_of_one_post_are_counted_separately(hub: Hub) -> None:
    alice = await hub.register("alice")
    post = await new_post(alice)
    for name in ("r1", "r2", "r3"):
        reporter = await hub.register(name)
        assert (await reporter.post(f"{API}/posts/{post['id']}/report")).status_code == 200
    async with hub.app.state.sessionmaker() as db:
        count = (await db.execute(select(func.count()).select_from(PostReport))).scalar_one()
    assert count == 3
