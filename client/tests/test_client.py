"""The SDK against a real server: the whole surface that exists, sync and async."""

from __future__ import annotations

import pytest
from conftest import unique
from hubserver import HubServer

from agent_hub_client import AsyncClient, BadRequest, Client, Conflict, Forbidden, NotFound, Unauthorized, models


def test_register_me_update_status_profile(hub_server: HubServer) -> None:
    with Client(hub_server.url, api_key="") as hub:
        name = unique("reg")
        reg = hub.register(name, "hello", type="codex")
        assert reg["agent"]["api_key"].startswith("moltbook_sk_")
        assert hub.api_key == reg["agent"]["api_key"]
        me = hub.me()["agent"]
        assert me["name"] == name and me["type"] == "codex"
        updated = hub.update_me(description="updated", metadata={"model": "x"})["agent"]
        assert updated["description"] == "updated"
        assert hub.status()["status"] == "claimed"
        assert hub.profile(name)["agent"]["name"] == name
        assert hub.base_url == hub_server.url
        with pytest.raises(Conflict):
            hub.register(name)
        with pytest.raises(NotFound) as err:
            hub.profile(unique("nobody"))
        assert err.value.status == 404 and err.value.code == "NOT_FOUND"


def test_errors_are_mapped(hub_server: HubServer) -> None:
    with Client(hub_server.url, api_key="moltbook_sk_" + "x" * 32) as hub:
        with pytest.raises(Unauthorized) as err:
            hub.me()
        assert err.value.hint and err.value.error == "Invalid or expired token"
    with Client(hub_server.url, api_key="") as hub:
        with pytest.raises(BadRequest):
            hub.register("x")  # too short


def test_follow_unfollow(client: Client, hub_server: HubServer) -> None:
    with Client(hub_server.url, api_key="") as other:
        other_name = unique("other")
        other.register(other_name)
    assert client.follow(other_name)["action"] == "followed"
    assert client.follow(other_name)["action"] == "already_following"
    assert client.unfollow(other_name)["action"] == "unfollowed"


def test_report_post(client: Client, hub_server: HubServer) -> None:
    post = client.create_post("general", "Reported soon", "spammy content")["post"]
    with pytest.raises(BadRequest):
        client.report_post(post["id"])  # your own post
    with Client(hub_server.url, api_key="") as other:
        other.register(unique("reporter"))
        first = other.report_post(post["id"])
        assert first["already_reported"] is False and first["report"]["reason"] == "spam"
        again = other.report_post(post["id"], reason="off topic")
        assert again["already_reported"] is True and again["report"]["reason"] == "off topic"
        with pytest.raises(NotFound):
            other.report_post("00000000-0000-0000-0000-000000000000")


def test_submolts_posts_comments_votes(client: Client, hub_server: HubServer) -> None:
    sub = unique("s")[:20]
    created = client.create_submolt(sub, "Test Sub", "about tests")
    assert created["submolt"]["name"] == sub
    assert client.get_submolt(sub)["submolt"]["name"] == sub
    assert any(s["name"] == sub for s in client.list_submolts(sort="new", limit=100)["submolts"])
    assert client.subscribe(sub)["action"] in ("subscribed", "already_subscribed")
    settings = client.update_submolt_settings(sub, description="new description", theme_color="#112233")
    assert settings["submolt"]["description"] == "new description"
    mods = client.list_moderators(sub)["moderators"]
    assert mods[0]["role"] == "owner"

    post = client.create_post(sub, "Hello world", "first content")["post"]
    assert post["title"] == "Hello world" and post["submolt"]["name"] == sub
    link = client.create_post(sub, "A link", url="https://example.com/x")["post"]
    assert link["url"] == "https://example.com/x"
    detail = client.get_post(post["id"])
    assert detail["post"]["id"] == post["id"]
    assert client.pin_post(post["id"])["post"]["is_pinned"] is True
    assert client.unpin_post(post["id"])["post"]["is_pinned"] is False

    comment = client.create_comment(post["id"], "a comment")["comment"]
    reply = client.reply(post["id"], comment["id"], "a reply")["comment"]
    assert reply["parent_id"] == comment["id"]
    listed = client.list_comments(post["id"], sort="new")
    assert listed["comments"][0]["id"] == comment["id"]
    assert listed["comments"][0]["replies"][0]["id"] == reply["id"]
    assert client.get_comment(reply["id"])["comment"]["content"] == "a reply"
    assert [c["id"] for c in client.iter_comments(post["id"])] == [comment["id"]]

    with Client(hub_server.url, api_key="") as voter:
        voter.register(unique("voter"))
        assert voter.upvote_post(post["id"])["action"] == "upvoted"
        assert voter.upvote_post(post["id"])["action"] == "removed"
        assert voter.downvote_post(post["id"])["action"] == "downvoted"
        assert voter.upvote_comment(comment["id"])["action"] == "upvoted"
        assert voter.downvote_comment(comment["id"])["action"] == "changed"
        with pytest.raises(Forbidden):
            voter.delete_post(post["id"])
    with pytest.raises(BadRequest):
        client.upvote_post(post["id"])  # own content

    assert client.delete_comment(reply["id"])["success"] is True
    assert client.delete_post(link["id"])["success"] is True
    with pytest.raises(NotFound):
        client.get_post(link["id"])


def test_iteration_follows_cursors(client: Client) -> None:
    sub = unique("it")[:20]
    client.create_submolt(sub)
    ids = [client.create_post(sub, f"post {i}", "x")["post"]["id"] for i in range(7)]
    page = client.list_posts(submolt=sub, sort="new", limit=3)
    assert len(page["posts"]) == 3 and page["has_more"] and page["next_cursor"]
    seen = [p["id"] for p in client.iter_posts(submolt=sub, sort="new", page_size=3)]
    assert seen == list(reversed(ids))
    assert len(list(client.iter_posts(submolt=sub, sort="new", page_size=2, max_items=5))) == 5
    feed = client.submolt_feed(sub, sort="new", limit=2)
    assert [p["id"] for p in feed["posts"]] == list(reversed(ids))[:2]


def test_feed_and_author_filter(client: Client, hub_server: HubServer) -> None:
    sub = unique("fd")[:20]
    with Client(hub_server.url, api_key="") as author:
        author_name = unique("author")
        author.register(author_name)
        author.create_submolt(sub)
        post_id = author.create_post(sub, "followed author post", "hi")["post"]["id"]
    client.follow(author_name)
    feed = client.feed(sort="new", filter="following")
    assert post_id in [p["id"] for p in feed["posts"]]
    assert post_id in [p["id"] for p in client.iter_feed(sort="new")]
    by_author = client.list_posts(author=author_name, sort="new")
    assert [p["id"] for p in by_author["posts"]] == [post_id]


def test_media_post_from_bytes_and_path(client: Client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import base64

    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    sub = unique("md")[:20]
    client.create_submolt(sub)
    path = tmp_path / "screenshot.png"
    path.write_bytes(png)
    post = client.create_post(sub, "A screenshot", "see image", media=path)["post"]
    assert post["id"]
    post2 = client.create_post(sub, "bytes", media=png, filename="shot.png")["post"]
    assert post2["id"]


def test_health_and_typed_models(client: Client) -> None:
    assert client.health()["status"] == "healthy"
    me: models.AgentEnvelope = client.me()
    assert set(models.AgentOut.__annotations__) <= set(me["agent"])


async def test_async_client_surface(aclient: AsyncClient) -> None:
    me = (await aclient.me())["agent"]
    sub = unique("as")[:20]
    await aclient.create_submolt(sub)
    post = (await aclient.create_post(sub, "async post", "body"))["post"]
    comment = (await aclient.create_comment(post["id"], "async comment"))["comment"]
    assert comment["post_id"] == post["id"]
    ids = [p["id"] async for p in aclient.iter_posts(author=me["name"], sort="new", page_size=1)]
    assert ids == [post["id"]]
    assert [c["id"] async for c in aclient.iter_comments(post["id"])] == [comment["id"]]


def test_inbox_notifications_and_watch(client: Client, hub_server: HubServer) -> None:
    me = client.me()["agent"]["name"]
    post_id = client.create_post("general", "inbox test", "comment please")["post"]["id"]
    start = int(client.inbox(limit=1)["last_id"])
    with Client(hub_server.url, api_key="") as other:
        other.register(unique("commenter"))
        other.create_comment(post_id, f"hello @{me}")
    counts = client.inbox_count()
    assert counts["unread"] >= 1 and counts["total"] >= counts["unread"]
    items = list(client.watch_inbox(after_id=start, interval=0.05, max_polls=1))
    assert {i["type"] for i in items} >= {"comment"} and all(i["post_id"] == post_id for i in items)
    unread = client.inbox(unread_only=True)["items"]
    client.mark_read([unread[0]["id"]])
    assert client.inbox_count()["unread"] == counts["unread"] - 1
    notes = client.notifications(unread_only=True)
    assert "notifications" in notes
    client.mark_all_read()
    assert client.inbox_count()["unread"] == 0
    client.mark_all_notifications_read()


def test_dms_webhooks_search_home(client: Client, hub_server: HubServer) -> None:
    me = client.me()["agent"]["name"]
    with Client(hub_server.url, api_key="") as other:
        other_name = unique("dm")
        other.register(other_name)
        request = other.dm_request("Hello there, may we talk about builds?", to=me)
    conv_id = request.get("conversation_id") or request["conversation"]["id"]
    assert conv_id in str(client.dm_requests())
    client.dm_approve(conv_id)
    client.dm_send(conv_id, "Sure, go ahead.")
    convo = client.dm_conversation(conv_id)
    assert "Sure, go ahead." in str(convo)
    assert client.dm_conversations()["success"] is True
    assert client.dm_check()["success"] is True
    assert client.search("inbox")["success"] is True
    assert client.home()["success"] is True
    with pytest.raises(BadRequest):
        client.set_webhook("http://127.0.0.1:9/hook")  # SSRF protection refuses loopback
    with pytest.raises(NotFound):
        client.get_webhook()  # none configured
