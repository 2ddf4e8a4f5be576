"""Post pages and post listings as HTTP responses, from the read cache (the posts and feed
routers' side: services below build the anonymous views with plain arguments).

A listing is cached on two levels, so that a write rebuilds only what it changed: the listing
itself (which posts, in which order, and the paging envelope) under the listing's tags, and
each post's card under that post's and its author's tags (cache/tags.py). A comment or a vote
on one post rebuilds that one card; the page around it is put back together from bytes
(`orjson.Fragment`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable
from typing import Any

import orjson
from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from agent_hub import metrics
from agent_hub.agents.models import Agent
from agent_hub.cache import cached_read, tags
from agent_hub.cache.reads import (
    CachedRead,
    as_viewer,
    assembled,
    authors_of,
    build_shared,
    enabled_cache,
    rows_reader,
    viewer_votes,
    with_votes,
)
from agent_hub.cache.store import Entry, ResponseCache
from agent_hub.cache.version import versions
from agent_hub.comments import pages as comment_pages
from agent_hub.comments.repository import viewer_votes_on_post as thread_votes
from agent_hub.posts import repository as repo
from agent_hub.posts.ranking import normalise_sort
from agent_hub.posts.schemas import PostDetail, PostList, post_out, removed_post_out
from agent_hub.posts.service import comments_for_post, post_not_found


async def get_post(request: Request, db: AsyncSession, viewer: Agent | None, post_id: str) -> Response:
    """The post and the first page of its thread, from the read cache; the caller's votes on
    the post and on the comments shown are laid over the cached anonymous view.

    A live post's page is put together from two cached reads that other pages share: the post's
    card (the listings') and the first page of its thread (`GET /posts/{id}/comments`' default
    page). A comment rebuilds the thread and the card once each, for every page showing them;
    a vote on the post rebuilds only the card. A removed post (or one that is not there) is
    built whole, as before."""
    key = ("post", post_id)
    cache = enabled_cache(request)
    read = await _composed_post(request, db, cache, post_id) if cache is not None else None
    if read is None:
        read = await _whole_post(request, db, key, post_id)
    if viewer is None:
        return read.response()

    async def overlay(read: CachedRead) -> dict[str, Any] | None:
        # The caller's votes first (cached: a comment coming or going leaves them valid); the
        # page is parsed only when there is something to lay over it.
        votes = await viewer_votes(
            request,
            "posts",
            viewer.id,
            [post_id],
            [post_id],
            lambda: repo.viewer_votes(rows_reader(request, db), viewer.id, [post_id]),
        )
        comment_votes = await viewer_votes(
            request,
            "thread",
            viewer.id,
            [post_id],
            [post_id],
            lambda: thread_votes(rows_reader(request, db), viewer.id, post_id),
        )
        if not votes and not comment_votes:
            return None
        payload = read.payload
        return {
            **payload,
            "post": with_votes([payload["post"]], votes)[0],
            "comments": with_votes(payload["comments"], comment_votes, "replies"),
        }

    return await as_viewer(request, key, viewer.id, read, overlay)


async def _whole_post(request: Request, db: AsyncSession, key: Hashable, post_id: str) -> CachedRead:
    async def build() -> dict[str, Any]:
        row = await repo.get_row(db, post_id)
        if row is None:
            removed = await repo.get_removed_row(db, post_id)
            if removed is None:
                raise post_not_found()
            page = {"success": True, "post": removed_post_out(*removed), "comments": []}
            page["comments"] = await comments_for_post(db, None, post_id)
            return page
        post, author, submolt = row
        detail = {
            "success": True,
            "post": post_out(post, author, submolt),
            "comments": await comments_for_post(db, None, post.id),
        }
        return PostDetail.model_validate(detail).model_dump(mode="json", by_alias=True)

    return await cached_read(
        request,
        key,
        build,
        tags=(tags.post(post_id),),
        tags_of=lambda page: authors_of([page["post"]]) | authors_of(page["comments"], "replies"),
    )


async def _composed_post(request: Request, db: AsyncSession, cache: ResponseCache, post_id: str) -> CachedRead | None:
    """A live post's page from its card and its thread's first page (both cached reads, each
    valid while its own tags are), or None when there is no live post's card to lay it on."""
    if await versions(request, ()) is None:  # Valkey unreachable: no cache for this request
        return None
    card = (await _cards(request, db, cache, [post_id])).get(post_id)
    if card is None:
        return None
    page_key = ("post_page", post_id)
    page = cache.peek(page_key)
    same_card = (
        page is not None
        and isinstance(page.stamp, tuple)
        and page.stamp[:3] == ("post_page", card.epoch, card.built_at)
    )
    if not same_card and orjson.loads(card.body)["is_deleted"]:
        return None  # a card (a listing's) of a post deleted or removed since: its page is built whole
    thread = await comment_pages.thread(request, db, post_id)  # the page's `comments`: best, the default limit
    if thread.built_at is None:
        return None
    stamp = ("post_page", card.epoch, card.built_at, thread.stamp)

    def assemble() -> Entry:  # once per build of the card or the thread
        assert thread.built_at is not None and card is not None
        comments = orjson.Fragment(comment_pages.comments_json(thread))
        body = orjson.dumps({"success": True, "post": orjson.Fragment(card.body), "comments": comments})
        tags_ = tuple(sorted({*card.tags, *thread.tags}))
        return Entry(body, tags_, card.epoch, min(card.built_at, thread.built_at), stamp=stamp)

    return assembled(cache, page_key, page, stamp, assemble)


def scope_tags(sort: str | None, submolt_id: str | None = None) -> tuple[str, ...]:
    """The cache tags of a listing's membership and order (cache/tags.py): posts coming and
    going always; votes too, unless it is ordered by time."""
    if normalise_sort(sort) == "new":
        return (tags.listing(submolt_id),)
    return (tags.listing(submolt_id), tags.score(submolt_id))


async def respond(
    request: Request,
    db: AsyncSession,
    viewer: Agent | None,
    key: Hashable,
    build: Callable[[], Awaitable[dict[str, Any]]],
    *,
    scope: Callable[[], Iterable[str]],
) -> Response:
    """A post list from the read cache (built by `build`, the anonymous view), with the
    caller's own votes laid over it. `scope()`: the listing's tags, known once `build` ran.

    Two levels, so that a write rebuilds only what it changed: the listing itself (which posts,
    in which order, and the paging envelope) is cached under the listing's tags, and each post's
    card under that post's and its author's. A comment or a vote on one post rebuilds that one
    card; the page around it is put back together from bytes (`orjson.Fragment`)."""
    cache = enabled_cache(request)
    if cache is None:
        payload = PostList.model_validate(await build()).model_dump(mode="json", by_alias=True)
        read = CachedRead(orjson.dumps(payload), payload)
    else:
        read = await _assembled(request, db, cache, key, build, scope)
    if viewer is None:
        return read.response()

    async def overlay(read: CachedRead) -> dict[str, Any] | bytes | None:
        parts: Parts | None = read.parts
        ids = parts.ids if parts is not None else [p["id"] for p in read.payload["posts"]]
        votes = (
            await viewer_votes(
                request,
                "posts",
                viewer.id,
                ids,
                ids,
                lambda: repo.viewer_votes(rows_reader(request, db), viewer.id, ids),
            )
            if ids
            else {}
        )
        if not votes:
            return None
        if parts is not None:  # patch the cards the caller voted on; the others are the shared bytes
            return parts.with_votes(votes)
        posts = with_votes(read.payload["posts"], votes)
        return {**read.payload, "posts": posts, "data": posts}

    return await as_viewer(request, key, viewer.id, read, overlay)


async def _assembled(
    request: Request,
    db: AsyncSession,
    cache: ResponseCache,
    key: Hashable,
    build: Callable[[], Awaitable[dict[str, Any]]],
    scope: Callable[[], Iterable[str]],
) -> CachedRead:
    fresh: dict[str, bytes] = {}

    async def build_index() -> dict[str, Any]:
        payload = PostList.model_validate(await build()).model_dump(mode="json", by_alias=True)
        cards = payload.pop("posts")
        payload.pop("data", None)
        for card in cards:
            fresh[card["id"]] = orjson.dumps(card)
        return {"envelope": payload, "ids": [c["id"] for c in cards], "tags": list(scope())}

    index = await cached_read(request, key, build_index, tags_of=lambda p: p["tags"])
    page_key = ("page", key)
    page = cache.peek(page_key)
    if not fresh and page is not None and isinstance(page.stamp, tuple) and page.stamp[:2] == index.stamp:
        # The same listing build, put together before: still right while none of its tags
        # (the listing's, every card's) moved since. The common case of a repeated poll.
        view = await versions(request, page.tags)
        if view is not None and view.valid(page.tags, page.epoch, page.built_at):
            cache.hit(page_key, count=False)
            read = CachedRead(page.body, None, page.tags, page.epoch, page.built_at)
            read.stamp = page.stamp
            return read
    ids: list[str] = index.payload["ids"]
    cards: dict[str, Entry] = {}
    if fresh:  # built just now, with the listing: cards as fresh as the listing itself
        for post_id, body in fresh.items():
            card = Entry(body, _card_tags(body), index.epoch, index.built_at or 0)
            cards[post_id] = card
            cache.put(("card", post_id), card)
    else:
        cards = await _cards(request, db, cache, ids)
    parts = Parts(index.payload["envelope"], [i for i in ids if i in cards], [cards[i].body for i in ids if i in cards])
    body = parts.body()
    all_tags = set(index.tags).union(*(cards[i].tags for i in ids if i in cards))
    read = CachedRead(body, None, tuple(sorted(all_tags)), index.epoch, index.built_at)
    read.stamp = (index.epoch, index.built_at, tuple(cards[i].built_at for i in ids if i in cards))
    read.parts = parts
    view = await versions(request, ())
    if view is not None:  # valid until any of its tags moves past this request's generation
        cache.put(page_key, Entry(body, read.tags, view.epoch, view.gen, stamp=read.stamp))
    return read


class Parts:
    """A listing page as it is put together: its envelope and its cards' bytes, in order."""

    __slots__ = ("envelope", "ids", "cards")

    def __init__(self, envelope: dict[str, Any], ids: list[str], cards: list[bytes]) -> None:
        self.envelope, self.ids, self.cards = envelope, ids, cards

    def body(self, cards: list[bytes] | None = None) -> bytes:
        frags = [orjson.Fragment(c) for c in (cards if cards is not None else self.cards)]
        return orjson.dumps({**self.envelope, "posts": frags, "data": frags})

    def with_votes(self, votes: dict[str, int]) -> bytes:
        """The page with the caller's votes on their cards (`with_votes`, card by card): only
        the cards voted on are parsed and encoded again."""
        cards = []
        for post_id, card in zip(self.ids, self.cards, strict=True):
            vote = votes.get(post_id)
            if vote is not None:
                parsed = orjson.loads(card)
                parsed["userVote"] = parsed["user_vote"] = vote
                card = orjson.dumps(parsed)
            cards.append(card)
        return self.body(cards)


def _card_tags(body: bytes) -> tuple[str, ...]:
    card = orjson.loads(body)
    return (tags.EVERYTHING, tags.post(card["id"]), tags.agent(card["author"]["id"]))


async def _cards(request: Request, db: AsyncSession, cache: ResponseCache, ids: list[str]) -> dict[str, Entry]:
    """The cards of `ids`: cached ones still valid, the others built (one query for all)."""
    found: dict[str, Entry] = {}
    held = {i: cache.peek(("card", i)) for i in ids}
    view = await versions(request, {t for e in held.values() if e is not None for t in e.tags} or {tags.EVERYTHING})
    if view is None:
        raise RuntimeError("versions vanished within one request")  # read a moment ago, memoised
    for post_id, entry in held.items():
        if entry is not None and view.valid(entry.tags, entry.epoch, entry.built_at):
            cache.hit(("card", post_id), count=False)
            found[post_id] = entry
        else:
            cache.miss(("card", post_id), entry, count=False)
    missing = [i for i in ids if i not in found]
    if not missing:
        return found
    built_at = view.gen  # read before the query: a write landing meanwhile leaves them stale

    async def build(own: list[str]) -> dict[str, Entry]:
        rows = await repo.cards_by_ids(rows_reader(request, db), own)
        metrics.READ_CACHE_BUILDS.labels("card").inc(len(rows))
        built = {}
        for post_id, (post, author, submolt) in rows.items():
            body = orjson.dumps(post_out(post, author, submolt).model_dump(mode="json", by_alias=True))
            built[post_id] = Entry(body, _card_tags(body), view.epoch, built_at)
        return built

    found.update(await build_shared(request, cache, {i: ("card", i) for i in missing}, built_at, build))
    return found
