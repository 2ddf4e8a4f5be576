"""GET /search: ranking, types, paging, safety, and the index following writes (spec §6.7)."""

from __future__ import annotations

from tests.comments.support import comment, make_post, update_post
from tests.conftest import Hub

FILLER = "Today I reorganised my notes, read three papers and refactored a parser. "


async def _search(hub: Hub, **params: object) -> dict:
    resp = await hub.client.get("/api/v1/search", params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()


async def test_title_match_outranks_passing_mention(hub: Hub) -> None:
    me = await hub.register("writer")
    mention = await make_post(hub, me, "Daily log", FILLER * 3 + "Also saw a lobster. " + FILLER * 3)
    titled = await make_post(hub, me, "Lobster molting season", "Notes on shells.")
    await make_post(hub, me, "Unrelated", "Nothing to see")
    body = await _search(hub, q="lobster")
    assert {
        "success",
        "query",
        "type",
        "results",
        "count",
        "has_more",
        "next_cursor",
        "posts",
        "agents",
        "submolts",
    } <= set(body)
    assert body["query"] == "lobster" and body["type"] == "all"
    ids = [r["id"] for r in body["results"]]
    assert ids == [titled, mention]
    assert body["results"][0]["similarity"] > body["results"][1]["similarity"]
    for r in body["results"]:
        assert 0.0 <= r["similarity"] <= 1.0
        assert r["type"] == "post" and r["post_id"] == r["id"]
        assert r["author"]["name"] == "writer" and r["author"]["id"] and r["author"]["type"]
        assert r["submolt"] == {**r["submolt"], "name": "general", "display_name": "General"}
        for key in ("title", "content", "upvotes", "downvotes", "score", "created_at"):
            assert key in r
    # The OSS `posts` array holds the same objects as GET /posts (SDKs parse them as posts).
    legacy = body["posts"][0]
    listed = {p["id"]: p for p in (await hub.client.get("/api/v1/posts", params={"sort": "new"})).json()["posts"]}
    assert [p["id"] for p in body["posts"]] == [titled, mention]
    assert legacy == listed[titled]
    assert legacy["submolt"]["name"] == "general" and legacy["author"]["name"] == "writer"
    assert legacy["author_name"] == "writer" and legacy["comment_count"] == 0 and legacy["upvotes"] == 0
    assert body["count"] == 2


async def test_stemming_matches_word_forms(hub: Hub) -> None:
    me = await hub.register()
    post = await make_post(hub, me, "Agents remembering things", "memory systems")
    assert [r["id"] for r in (await _search(hub, q="remember"))["results"]] == [post]


async def test_type_filters_and_comment_results(hub: Hub) -> None:
    me = await hub.register("typer")
    post = await make_post(hub, me, "Crustacean facts", "general notes")
    c = await comment(me, post, "crustacean anatomy is fascinating")
    all_ = await _search(hub, q="crustacean")
    assert {r["type"] for r in all_["results"]} == {"post", "comment"}
    posts = await _search(hub, q="crustacean", type="posts")
    assert [r["type"] for r in posts["results"]] == ["post"] and posts["type"] == "posts"
    comments = await _search(hub, q="crustacean", type="comments")
    assert [r["id"] for r in comments["results"]] == [c["id"]] and comments["posts"] == []
    item = comments["results"][0]
    assert item["title"] is None and item["post"] == {"id": post, "title": "Crustacean facts"}
    assert item["post_id"] == post and item["author"]["name"] == "typer" and 0 <= item["similarity"] <= 1
    alias = (await hub.client.get("/api/v1/search/comments", params={"q": "crustacean"})).json()
    assert [r["id"] for r in alias["results"]] == [c["id"]]
    alias = (await hub.client.get("/api/v1/search/posts", params={"q": "crustacean"})).json()
    assert [r["id"] for r in alias["results"]] == [post]


async def test_agents_and_submolts(hub: Hub) -> None:
    me = await hub.register("reefwatcher", description="I watch coral reefs")
    await hub.register("someone_else", description="reef enthusiast")
    await me.post("/api/v1/submolts", json={"name": "reefs", "description": "All about reefs"})
    body = await _search(hub, q="reef")
    assert [a["name"] for a in body["agents"]][0] == "reefwatcher"
    assert {a["name"] for a in body["agents"]} == {"reefwatcher", "someone_else"}
    for key in ("id", "name", "display_name", "description", "karma", "is_claimed", "type"):
        assert key in body["agents"][0]
    assert [s["name"] for s in body["submolts"]] == ["reefs"]
    # The same objects as the listings: an agent as its profile shows it, a submolt as
    # GET /submolts lists it to an anonymous reader.
    profile = (await hub.client.get("/api/v1/agents/profile", params={"name": "reefwatcher"})).json()["agent"]
    assert body["agents"][0] == profile
    listed = {s["name"]: s for s in (await hub.client.get("/api/v1/submolts")).json()["submolts"]}
    assert body["submolts"][0] == listed["reefs"]
    users = await _search(hub, q="reefwatcher", type="users")
    assert users["type"] == "agents" and users["results"][0]["name"] == "reefwatcher"
    assert users["results"][0]["similarity"] == 1.0
    alias = (await hub.client.get("/api/v1/search/agents", params={"q": "reefwatcher"})).json()
    assert alias["agents"][0]["name"] == "reefwatcher"
    # LIKE wildcards in q are literal
    assert (await _search(hub, q="%%"))["agents"] == []
    assert (await _search(hub, q="__"))["agents"] == []


async def test_query_length_rules(hub: Hub) -> None:
    body = await _search(hub, q=" a ")
    assert body["results"] == [] and body["count"] == 0 and body["posts"] == []
    resp = await hub.client.get("/api/v1/search", params={"q": "x" * 501})
    assert resp.status_code == 400 and resp.json()["success"] is False
    assert (await hub.client.get("/api/v1/search", params={"q": "x" * 500})).status_code == 200
    resp = await hub.client.get("/api/v1/search")
    assert resp.status_code == 400 and resp.json()["error"] == "Search query is required"


async def test_special_characters_never_error(hub: Hub) -> None:
    me = await hub.register()
    post = await make_post(hub, me, "Quoting rules", "how to quote text safely")
    for q in (
        '"',
        '""',
        '"quote',
        "*",
        "quot*",
        "AND",
        "OR",
        "NOT",
        "quote AND",
        "'",
        "it's",
        ":",
        "title:quote",
        "a:b:c",
        "NEAR(quote text)",
        "(",
        ")",
        "-",
        "--",
        "^quote",
        "quote -text",
        "\\",
        "%_",
        "{x}",
        "héllo wörld",
        "😀😀",
    ):
        resp = await hub.client.get("/api/v1/search", params={"q": q})
        assert resp.status_code == 200, (q, resp.text)
        assert resp.json()["success"] is True
    body = await _search(hub, q='"quote text"')
    assert [r["id"] for r in body["results"]] == [post]
    assert (await _search(hub, q="quote -text"))["results"] == []
    assert [r["id"] for r in (await _search(hub, q="zebra or quote"))["results"]] == [post]


async def test_paging_with_cursor(hub: Hub) -> None:
    me = await hub.register()
    made = set()
    for i in range(7):
        made.add(await make_post(hub, me, f"Barnacle report {i}", "barnacle barnacle"))
    seen: list[str] = []
    cursor = None
    while True:
        params = {"q": "barnacle", "limit": 3, **({"cursor": cursor} if cursor else {})}
        body = await _search(hub, **params)
        assert len(body["results"]) <= 3
        seen += [r["id"] for r in body["results"]]
        if not body["has_more"]:
            break
        cursor = body["next_cursor"]
    assert len(seen) == 7 and set(seen) == made
    assert (await _search(hub, q="barnacle", limit=1000))["count"] == 7  # capped at 50, 7 exist
    assert (await hub.client.get("/api/v1/search", params={"q": "barnacle", "cursor": "@@"})).status_code == 400


async def test_deleted_content_is_not_found(hub: Hub) -> None:
    me = await hub.register()
    gone = await make_post(hub, me, "Vanishing walrus", "text", is_deleted=True)
    alive = await make_post(hub, me, "Other", "walrus tusks")
    await comment(me, alive, "walrus comment")
    ids = [r["id"] for r in (await _search(hub, q="walrus"))["results"]]
    assert gone not in ids and alive in ids
    await update_post(hub, alive, is_deleted=True)  # comments under a deleted post vanish too
    assert (await _search(hub, q="walrus"))["results"] == []


async def test_index_follows_updates_and_soft_deletes(hub: Hub) -> None:
    me = await hub.register()
    post = await make_post(hub, me, "Plain title", "nothing special")
    assert (await _search(hub, q="narwhal"))["results"] == []
    await update_post(hub, post, title="Narwhal sighting")
    assert [r["id"] for r in (await _search(hub, q="narwhal"))["results"]] == [post]
    assert (await _search(hub, q="plain"))["results"] == []
    c = await comment(me, post, "octopus ink everywhere")
    assert [r["id"] for r in (await _search(hub, q="octopus", type="comments"))["results"]] == [c["id"]]
    assert (await me.delete(f"/api/v1/comments/{c['id']}")).status_code == 200
    assert (await _search(hub, q="octopus", type="comments"))["results"] == []
    assert (await _search(hub, q="deleted", type="comments"))["results"] == []  # the placeholder is not content
    await update_post(hub, post, score=5, upvotes=5)  # counter updates keep the post findable
    assert [r["id"] for r in (await _search(hub, q="narwhal"))["results"]] == [post]
