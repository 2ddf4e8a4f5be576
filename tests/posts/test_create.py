"""POST /posts: validation, both field spellings, the live 201 shape, counters, the metric."""

from __future__ import annotations

from agent_hub import metrics
from agent_hub.submolts.models import Submolt
from tests.conftest import Hub, HubFactory
from tests.posts.helpers import API, db_row, make_submolt, new_post

LIVE_POST_KEYS = {
    "id",
    "title",
    "content",
    "url",
    "type",
    "post_type",
    "author_id",
    "author",
    "submolt",
    "submolt_name",
    "upvotes",
    "downvotes",
    "score",
    "comment_count",
    "hot_score",
    "is_pinned",
    "is_locked",
    "is_deleted",
    "created_at",
    "updated_at",
    "author_name",
    "author_display_name",
    "userVote",
    "user_vote",
}


async def test_create_returns_live_shape(hub: Hub) -> None:
    me = await hub.register("poster")
    resp = await me.post(f"{API}/posts", json={"submolt": "general", "title": "  Hello  ", "content": "Body"})
    assert resp.status_code == 201
    body = resp.json()
    assert body["success"] is True and body["message"] == "Post created! 🦞"
    post = body["post"]
    assert LIVE_POST_KEYS <= set(post)
    assert post["title"] == "Hello" and post["content"] == "Body" and post["url"] is None
    assert post["type"] == post["post_type"] == "text"
    assert post["submolt"]["name"] == "general" and post["submolt"]["display_name"] == "General"
    assert post["submolt_name"] == "general"
    assert post["author"]["name"] == "poster" and post["author"]["avatarUrl"] is None
    assert post["author"]["isClaimed"] is True and post["author_name"] == "poster"
    assert (post["upvotes"], post["downvotes"], post["score"], post["comment_count"]) == (0, 0, 0, 0)
    assert post["hot_score"] > 0 and post["is_pinned"] is False and post["is_deleted"] is False
    assert post["created_at"].endswith("Z") and post["userVote"] is None


async def test_submolt_name_spelling_and_link_url(hub: Hub) -> None:
    me = await hub.register()
    await make_submolt(hub, "rustaceans")
    post = await new_post(me, submolt="", submolt_name="RustAceans", link_url="https://example.com/a?b=1")
    assert post["submolt_name"] == "rustaceans"
    assert post["url"] == "https://example.com/a?b=1" and post["type"] == "link"
    # live superset: content and url together; explicit image type is kept
    both = await new_post(me, content="words", url="http://example.org/x.png", type="image")
    assert both["content"] == "words" and both["type"] == "image"


async def test_missing_fields_is_live_400(hub: Hub) -> None:
    me = await hub.register()
    for body in ({"title": "t"}, {"submolt": "general"}, {"submolt": "general", "title": "   "}, {}):
        resp = await me.post(f"{API}/posts", json=body)
        assert resp.status_code == 400, body
        assert resp.json() == {
            "success": False,
            "error": "Missing required fields",
            "hint": "Provide submolt and title",
            "code": "BAD_REQUEST",
        }


async def test_length_limits(hub: Hub) -> None:
    me = await hub.register()
    ok = await new_post(me, title="t" * 300, content="c" * 40_000)
    assert len(ok["title"]) == 300 and len(ok["content"]) == 40_000
    resp = await me.post(f"{API}/posts", json={"submolt": "general", "title": "t" * 301})
    assert resp.status_code == 400 and "300" in resp.json()["error"]
    resp = await me.post(f"{API}/posts", json={"submolt": "general", "title": "t", "content": "c" * 40_001})
    assert resp.status_code == 400 and "40,000" in resp.json()["error"]
    long_url = "https://example.com/" + "a" * 2029
    assert len(long_url) == 2049
    resp = await me.post(f"{API}/posts", json={"submolt": "general", "title": "t", "url": long_url})
    assert resp.status_code == 400


async def test_url_and_type_rules(hub: Hub) -> None:
    me = await hub.register()
    for bad in ("not a url", "ftp://example.com/file", "javascript:alert(1)", "https://", "http://exa mple.com"):
        resp = await me.post(f"{API}/posts", json={"submolt": "general", "title": "t", "url": bad})
        assert resp.status_code == 400 and resp.json()["error"] == "Invalid URL", bad
    resp = await me.post(f"{API}/posts", json={"submolt": "general", "title": "t", "type": "video"})
    assert resp.status_code == 400 and resp.json()["error"] == "Invalid post type"
    resp = await me.post(f"{API}/posts", json={"submolt": "general", "title": "t", "type": "link"})
    assert resp.status_code == 400
    # unknown fields are ignored
    post = await new_post(me, title="t", unknown_field=1, type="TEXT")
    assert post["type"] == "text"


async def test_unknown_submolt_is_404(hub: Hub) -> None:
    me = await hub.register()
    resp = await me.post(f"{API}/posts", json={"submolt": "nowhere", "title": "t"})
    assert resp.status_code == 404 and resp.json()["error"] == "Submolt not found"


async def test_writes_need_a_claimed_agent(make_hub: HubFactory) -> None:
    hub = await make_hub(registration="claim")
    pending = await hub.register()
    resp = await pending.post(f"{API}/posts", json={"submolt": "general", "title": "t"})
    assert resp.status_code == 403
    resp = await hub.client.post(f"{API}/posts", json={"submolt": "general", "title": "t"})
    assert resp.status_code == 401


async def test_counters_and_metric(hub: Hub) -> None:
    me = await hub.register(type="codex")
    sub_id = await make_submolt(hub, "counted")
    counter = metrics.AGENT_POSTS.labels("codex")
    before = counter._value.get()
    post = await new_post(me, submolt="counted")
    assert post["author"]["name"] == me.name
    assert counter._value.get() == before + 1
    me_resp = await me.get(f"{API}/agents/me")
    assert me_resp.json()["agent"]["posts_count"] == 1
    sub = await db_row(hub, Submolt, sub_id)
    assert sub.post_count == 1 and sub.last_activity_at is not None
    # a refused post changes nothing
    await me.post(f"{API}/posts", json={"submolt": "counted", "title": ""})
    assert counter._value.get() == before + 1
    assert (await db_row(hub, Submolt, sub_id)).post_count == 1
