"""The report queue: reports per target with reporters and reasons, resolved with an action or
dismissed, counted on the owner's /home."""

from __future__ import annotations

from tests.auth.support import FAST, make_owner
from tests.conftest import HubFactory
from tests.posts.helpers import make_submolt

API = "/api/v1"


async def test_reports_gathered_resolved_and_dismissed(make_hub: HubFactory) -> None:
    hub = await make_hub(**FAST)
    owner = await make_owner(hub)
    author, alice, bob = await hub.register("author"), await hub.register("ann"), await hub.register("bob")
    post = (await author.post(f"{API}/posts", json={"submolt": "general", "title": "Buy coins"})).json()["post"]
    comment = (await author.post(f"{API}/posts/{post['id']}/comments", json={"content": "spam link"})).json()["comment"]
    assert (await alice.post(f"{API}/posts/{post['id']}/report", json={"reason": "spam"})).status_code == 200
    assert (await bob.post(f"{API}/posts/{post['id']}/report", json={"reason": "scam"})).status_code == 200
    resp = await bob.post(f"{API}/comments/{comment['id']}/report", json={"reason": "link spam"})
    assert resp.status_code == 200 and resp.json()["already_reported"] is False, resp.text
    resp = await bob.post(f"{API}/comments/{comment['id']}/report", json={"reason": "link spam!"})
    assert resp.json()["already_reported"] is True
    resp = await author.post(f"{API}/comments/{comment['id']}/report", json={})
    assert resp.status_code == 400

    home = (await owner.browser.get(f"{API}/home")).json()
    assert home["moderator_status"]["open_reports"] == 3 and home["moderator_status"]["reported_targets"] == 2
    assert "moderator_status" not in (await alice.get(f"{API}/home")).json()
    queue = (await owner.browser.get(f"{API}/moderation/reports")).json()["reports"]
    assert [q["target_type"] for q in queue] == ["comment", "post"]
    by_post = queue[1]
    assert by_post["report_count"] == 2 and by_post["title"] == "Buy coins" and by_post["author"] == "author"
    assert {(r["name"], r["reason"]) for r in by_post["reporters"]} == {("ann", "spam"), ("bob", "scam")}
    assert queue[0]["reporters"][0]["reason"] == "link spam!"
    assert (await alice.get(f"{API}/moderation/reports")).status_code == 403

    url = f"{API}/moderation/reports/post/{post['id']}"
    assert (await owner.browser.post(f"{url}/resolve", json={"action": "explode", "reason": "x"})).status_code == 400
    assert (await owner.browser.post(f"{url}/resolve", json={"action": "remove"})).status_code == 400
    assert len((await owner.browser.get(f"{API}/moderation/reports")).json()["reports"]) == 2  # nothing changed
    resp = await owner.browser.post(f"{url}/resolve", json={"action": "remove", "reason": "scam"})
    assert resp.status_code == 200 and resp.json()["reports_closed"] == 2, resp.text
    assert (await alice.get(f"{API}/posts/{post['id']}")).json()["post"]["title"] == "[removed]"
    resp = await owner.browser.post(f"{API}/moderation/reports/comment/{comment['id']}/dismiss", json={})
    assert resp.status_code == 200 and resp.json()["resolution"] == "dismissed"
    assert (await owner.browser.get(f"{API}/moderation/reports")).json()["reports"] == []
    home = (await owner.browser.get(f"{API}/home")).json()
    assert home["moderator_status"]["open_reports"] == 0
    resolved = (await owner.browser.get(f"{API}/moderation/reports", params={"status": "resolved"})).json()
    assert [(r["target_id"], r["resolution"]) for r in resolved["reports"]] == [(post["id"], "remove")]
    assert (await owner.browser.post(f"{url}/dismiss", json={})).status_code == 404  # none open any more
    log = (await owner.browser.get(f"{API}/moderation/log")).json()["entries"]
    assert [e["action"] for e in log][:3] == ["dismiss_report", "resolve_report", "remove_post"]

    # Reporting again after the close opens the target again.
    resp = await bob.post(f"{API}/comments/{comment['id']}/report", json={"reason": "still spam"})
    assert resp.json()["already_reported"] is True
    assert (await owner.browser.get(f"{API}/home")).json()["moderator_status"]["open_reports"] == 1


async def test_moderators_see_and_resolve_their_submolts_reports(make_hub: HubFactory) -> None:
    hub = await make_hub(**FAST)
    await make_owner(hub)
    author, mod, reporter = await hub.register("author"), await hub.register("mod"), await hub.register("rep")
    await make_submolt(hub, "modland", owner=mod)
    inside = (await author.post(f"{API}/posts", json={"submolt": "modland", "title": "in"})).json()["post"]["id"]
    outside = (await author.post(f"{API}/posts", json={"submolt": "general", "title": "out"})).json()["post"]["id"]
    for post_id in (inside, outside):
        assert (await reporter.post(f"{API}/posts/{post_id}/report", json={"reason": "spam"})).status_code == 200
    queue = (await mod.get(f"{API}/moderation/reports")).json()["reports"]
    assert [q["target_id"] for q in queue] == [inside]
    # the moderator's /home counts their submolts' reports only (one report on a comment inside too)
    comment = (await author.post(f"{API}/posts/{inside}/comments", json={"content": "inside"})).json()["comment"]
    assert (await reporter.post(f"{API}/comments/{comment['id']}/report", json={"reason": "rude"})).status_code == 200
    status = (await mod.get(f"{API}/home")).json()["moderator_status"]
    assert (status["open_reports"], status["reported_targets"]) == (2, 2)
    assert "agents_today" not in (await mod.get(f"{API}/home")).json()  # the owner's view
    assert "moderator_status" not in (await reporter.get(f"{API}/home")).json()
    resp = await mod.post(f"{API}/moderation/reports/post/{outside}/dismiss", json={})
    assert resp.status_code == 403
    resp = await mod.post(f"{API}/moderation/reports/post/{inside}/resolve", json={"action": "suspend", "reason": "x"})
    assert resp.status_code == 403  # suspending is the owner's
    resp = await mod.post(
        f"{API}/moderation/reports/post/{inside}/resolve", json={"action": "lock", "reason": "heated"}
    )
    assert resp.status_code == 200, resp.text
    assert (await author.get(f"{API}/posts/{inside}")).json()["post"]["is_locked"] is True
