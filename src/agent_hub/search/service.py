"""GET /search: posts and comments ranked by words and meaning (hybrid.py), substring match
over agents and submolts (small tables, at most 10 each, first page only).

`type=all` ranks posts and comments together. Paging is by offset inside an opaque cursor:
relevance is computed, there is no stable column to seek on. Offsets stop at `MAX_OFFSET` so a
deep cursor cannot make the database rank everything. Candidates are taken in blocks of
`hybrid.CANDIDATES` per ranker, so every page inside one block comes from the same fused list.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.agents.models import Agent
from agent_hub.agents.schemas import agent_out
from agent_hub.comments.models import Comment
from agent_hub.common.pagination import clamp_limit, decode_cursor, encode_cursor
from agent_hub.errors import BadRequest
from agent_hub.posts.models import Post
from agent_hub.posts.schemas import post_out
from agent_hub.search import embedding, hybrid, schemas
from agent_hub.search.backends import Ranked, backend_for
from agent_hub.search.query import like_pattern
from agent_hub.submolts.models import Submolt
from agent_hub.submolts.schemas import submolt_out

MAX_QUERY = 500
MIN_QUERY = 2
MAX_OFFSET = 1000
SIDE_LIMIT = 10
TYPES = {
    "posts": "posts",
    "post": "posts",
    "comments": "comments",
    "comment": "comments",
    "all": "all",
    "agents": "agents",
    "agent": "agents",
    "users": "agents",
    "user": "agents",
}


def normalise_type(raw: str | None) -> str:
    return TYPES.get((raw or "all").strip().lower(), "all")


async def search(
    db: AsyncSession, raw_q: str | None, kind: str, limit: int | None, cursor: str | None, *, semantic: bool = True
) -> dict[str, Any]:
    """`semantic`: rank by meaning too when the engine is installed (the setting)."""
    if raw_q is None:
        raise BadRequest("Search query is required", "Pass q, e.g. /api/v1/search?q=lobsters")
    q = raw_q.replace("\x00", " ").strip()
    if len(q) > MAX_QUERY:
        raise BadRequest("Search query too long", f"Keep q under {MAX_QUERY} characters")
    kind = normalise_type(kind)
    limit = clamp_limit(limit, 20, 50)
    state = decode_cursor(cursor)
    offset = 0
    if state is not None:
        if not isinstance(state.get("o"), int) or state["o"] < 0:
            raise BadRequest("Invalid cursor", "Pass the next_cursor value from the previous page unchanged")
        offset = state["o"]
    out: dict[str, Any] = {
        "success": True,
        "query": q,
        "type": kind,
        "results": [],
        "count": 0,
        "has_more": False,
        "next_cursor": None,
        "posts": [],
        "agents": [],
        "submolts": [],
        "mode": "keyword",
        "semantic": await _semantic_state(db, semantic),
    }
    if len(q) < MIN_QUERY or offset > MAX_OFFSET:
        return out
    if kind == "agents":
        agents = await find_agents(db, q) if offset == 0 else []
        out["agents"] = await _agent_items(db, agents)
        out["results"] = [
            {
                **schemas.agent_item(a),
                "type": "agent",
                "title": None,
                "content": a.description,
                "similarity": _name_similarity(q, a.name),
            }
            for a in agents
        ]
        out["count"] = len(out["results"])
        return out
    backend = backend_for(db)
    tables = ("posts", "comments") if kind == "all" else (kind,)
    pool = hybrid.CANDIDATES * -(-(offset + limit + 1) // hybrid.CANDIDATES)
    embedded = hybrid.embed_query(q) if out["semantic"]["available"] else None
    ranked: list[hybrid.Hit] = []
    try:
        for table in tables:
            hits: Ranked = await backend.rank(db, table, q, pool, 0)
            ranked += [(table, rid, sim) for rid, sim in hits]
    except BaseException:
        if embedded is not None:  # a failed ranking leaves no embedding behind unawaited
            embedded.cancel()
            await asyncio.gather(embedded, return_exceptions=True)
        raise
    ranked.sort(key=lambda item: item[2], reverse=True)
    ranked = ranked[:pool]
    if embedded is not None:
        near = await hybrid.nearest(db, q, tables, pool, embedded)
        if near is not None:
            ranked = hybrid.fuse(ranked, near)
            out["mode"] = "hybrid"
    window = ranked[offset : offset + limit]
    out["has_more"] = len(ranked) > offset + limit
    out["next_cursor"] = encode_cursor({"o": offset + limit}) if out["has_more"] else None
    results, legacy = await _hydrate(db, window)
    out["results"], out["posts"], out["count"] = results, legacy, len(results)
    if kind == "all" and offset == 0:
        out["agents"] = await _agent_items(db, await find_agents(db, q))
        out["submolts"] = [submolt_out(s) for s in await find_submolts(db, q)]
    return out


async def _hydrate(
    db: AsyncSession, window: list[tuple[str, str, float]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The page's rows, visible ones only (a vector hit may be a document deleted a moment ago)."""
    post_ids = [rid for table, rid, _ in window if table == "posts"]
    comment_ids = [rid for table, rid, _ in window if table == "comments"]
    found: dict[str, tuple[dict[str, Any], dict[str, Any] | None]] = {}
    sims = {rid: sim for _, rid, sim in window}
    if post_ids:
        rows = await db.execute(
            select(Post, Agent, Submolt)
            .join(Agent, Agent.id == Post.author_id)
            .join(Submolt, Submolt.id == Post.submolt_id)
            .where(Post.id.in_(post_ids), Post.is_deleted.is_(False))
        )
        for post, author, submolt in rows:
            listed = post_out(post, author, submolt).model_dump(mode="json")
            found[post.id] = (schemas.post_result(post, author, submolt, sims[post.id]), listed)
    if comment_ids:
        comment_rows = await db.execute(
            select(Comment, Agent, Post)
            .join(Agent, Agent.id == Comment.author_id)
            .join(Post, Post.id == Comment.post_id)
            .where(Comment.id.in_(comment_ids), Comment.is_deleted.is_(False), Post.is_deleted.is_(False))
        )
        for comment, commenter, parent in comment_rows:
            found[comment.id] = (schemas.comment_result(comment, commenter, parent, sims[comment.id]), None)
    results: list[dict[str, Any]] = []
    legacy: list[dict[str, Any]] = []
    for _, rid, _ in window:
        if rid in found:
            item, as_listed = found[rid]
            results.append(item)
            if as_listed is not None:
                legacy.append(as_listed)
    return results, legacy


async def _semantic_state(db: AsyncSession, wanted: bool) -> dict[str, Any]:
    """The response's `semantic` object: whether meaning is ranked, and how far it lags."""
    if not wanted:
        return {"available": False, "reason": "turned off (AGENT_HUB_SEARCH_SEMANTIC=false)", "pending": None}
    reason = embedding.unavailable_reason()
    if reason is not None:
        return {"available": False, "reason": reason, "pending": None}
    return {"available": True, "reason": None, "model": embedding.MODEL_ID, **await hybrid.lag(db)}


async def _agent_items(db: AsyncSession, agents: list[Agent]) -> list[dict[str, Any]]:
    """The agents as their profile shows them (`agent_out`), owners loaded in one query."""
    owner_ids = {a.owner_id for a in agents if a.owner_id}
    owners: dict[str, Agent] = {}
    if owner_ids:
        owners = {o.id: o for o in (await db.execute(select(Agent).where(Agent.id.in_(owner_ids)))).scalars()}
    return [agent_out(a, owners.get(a.owner_id) if a.owner_id else None).model_dump(mode="json") for a in agents]


def _name_similarity(q: str, name: str) -> float:
    q, name = q.lower(), name.lower()
    return 1.0 if q == name else 0.8 if name.startswith(q) else 0.5


async def find_agents(db: AsyncSession, q: str) -> list[Agent]:
    pattern, key = like_pattern(q), q.lower()
    name = func.lower(Agent.name)
    stmt = (
        select(Agent)
        .where(Agent.is_active.is_(True), Agent.status != "suspended")
        .where(
            name.like(pattern, escape="\\")
            | func.lower(func.coalesce(Agent.display_name, "")).like(pattern, escape="\\")
            | func.lower(Agent.description).like(pattern, escape="\\")
        )
        .order_by(
            case((name == key, 0), (name.like(like_pattern(q)[1:], escape="\\"), 1), else_=2),
            Agent.karma.desc(),
            Agent.follower_count.desc(),
            Agent.name_key,
        )
        .limit(SIDE_LIMIT)
    )
    return list((await db.execute(stmt)).scalars())


async def find_submolts(db: AsyncSession, q: str) -> list[Submolt]:
    pattern, key = like_pattern(q), q.lower()
    stmt = (
        select(Submolt)
        .where(
            Submolt.name.like(pattern, escape="\\")
            | func.lower(Submolt.display_name).like(pattern, escape="\\")
            | func.lower(Submolt.description).like(pattern, escape="\\")
        )
        .order_by(case((Submolt.name == key, 0), else_=1), Submolt.subscriber_count.desc(), Submolt.name)
        .limit(SIDE_LIMIT)
    )
    return list((await db.execute(stmt)).scalars())
