"""One listing engine for every post list: GET /posts, /submolts/{name}/feed and /feed.

Paging:
- `hot`, `new`, `top` are keyset orders (see ranking.KEYSET_ORDERS). The cursor carries the
  last row's sort key; the next page starts strictly after it, so concurrent inserts and votes
  never duplicate or skip a row that did not move. `offset` (no cursor) is honoured for older
  clients as a plain OFFSET.
- `rising` depends on the clock, so it is ranked in Python over the newest
  RISING_CANDIDATES live posts in scope that existed when page one was served (the cursor pins
  that instant and an offset into the ranking). Older posts are not in the rising list: after
  RISING_CANDIDATES newer posts they have decayed far below anything recent anyway.

Every list is built as the anonymous view and served through the read cache (`pages.py`); the
caller's own votes are laid over it afterwards.

Pinned posts come first only in a submolt's own listing (pins are a moderator's message to that
community; the global and personal feeds rank them like any other post). There they form a
short first segment in the chosen order, and the main segment excludes them, so every post is
still listed exactly once across pages. The cursor remembers which segment it is in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.common.pagination import clamp_limit, decode_cursor, encode_cursor, list_envelope
from agent_hub.db.base import utcnow
from agent_hub.errors import BadRequest
from agent_hub.posts import repository as repo
from agent_hub.posts.models import Post
from agent_hub.posts.ranking import KEYSET_ORDERS, normalise_sort, rising_score
from agent_hub.posts.schemas import post_out

RISING_CANDIDATES = 1000
PINNED_FETCH_CAP = 25  # pins are capped at 3 per submolt; this only bounds a corrupt state


def _bad_cursor() -> BadRequest:
    return BadRequest("Invalid cursor", "Pass the next_cursor value from the previous page unchanged")


async def list_posts(
    db: AsyncSession,
    *,
    where: Sequence[ColumnElement[bool]] = (),
    sort: str | None = "hot",
    limit: int | None = None,
    offset: int | None = 0,
    cursor: str | None = None,
    pinned_submolt_id: str | None = None,
) -> dict[str, Any]:
    sort = normalise_sort(sort)
    limit = clamp_limit(limit)
    offset = max(offset or 0, 0)
    state = decode_cursor(cursor)
    if state is not None:
        if state.get("s") != sort:
            raise _bad_cursor()
        offset = 0
    try:
        if sort == "rising":
            rows, next_state, start = await _rising(db, where, limit, offset, state, pinned_submolt_id)
        else:
            rows, next_state, start = await _keyset(db, where, sort, limit, offset, state, pinned_submolt_id)
    except (KeyError, TypeError, ValueError) as exc:  # a tampered cursor must not become a 500
        raise _bad_cursor() from exc
    items = [post_out(p, a, s) for p, a, s in rows]
    return list_envelope(
        "posts",
        items,
        limit=limit,
        offset=start,
        next_cursor=encode_cursor({"s": sort, **next_state}) if next_state is not None else None,
        has_more=next_state is not None,
    )


async def _keyset(
    db: AsyncSession,
    where: Sequence[ColumnElement[bool]],
    sort: str,
    limit: int,
    offset: int,
    state: dict[str, Any] | None,
    pinned_submolt_id: str | None,
) -> tuple[list[repo.Row], dict[str, Any] | None, int]:
    order = KEYSET_ORDERS[sort]
    after = state.get("k") if state else None
    page: list[repo.Row] = []
    pin_start = 0
    main_offset = offset
    main_where = list(where)
    if pinned_submolt_id is not None:
        main_where.append(Post.is_pinned.is_(False))
        if after is None:  # still in (or before) the pinned segment
            pinned = await repo.pinned_rows(db, pinned_submolt_id, order, PINNED_FETCH_CAP)
            pin_start = int(state.get("p", 0)) if state else min(offset, len(pinned))
            page = pinned[pin_start : pin_start + limit + 1]
            main_offset = max(offset - len(pinned), 0)
    n_pinned = len(page)
    need = limit + 1 - len(page)
    if need > 0:
        page += await repo.keyset_page(db, main_where, order, after=after, offset=main_offset, limit=need)
    if len(page) <= limit:
        return page, None, offset
    page = page[:limit]
    if n_pinned >= limit:
        return page, {"p": pin_start + limit}, offset
    return page, {"k": order.key_of(page[-1][0])}, offset


async def _rising(
    db: AsyncSession,
    where: Sequence[ColumnElement[bool]],
    limit: int,
    offset: int,
    state: dict[str, Any] | None,
    pinned_submolt_id: str | None,
) -> tuple[list[repo.Row], dict[str, Any] | None, int]:
    now = datetime.fromtimestamp(float(state["t"]), UTC) if state else utcnow()
    start = int(state["o"]) if state else offset
    if start < 0:
        raise ValueError("negative offset")
    ids: list[str] = []
    cand_where = list(where)
    if pinned_submolt_id is not None:
        pinned = await repo.pinned_rows(db, pinned_submolt_id, KEYSET_ORDERS["new"], PINNED_FETCH_CAP)
        ids += [p.id for p, _, _ in pinned]
        cand_where.append(Post.is_pinned.is_(False))
    candidates = await repo.rising_candidates(db, cand_where, before=now, cap=RISING_CANDIDATES)
    # created_at then id break ties so the order is stable between pages.
    candidates.sort(key=lambda c: (rising_score(c[1], c[2], now), c[2], c[0]), reverse=True)
    ids += [c[0] for c in candidates]
    page_ids = ids[start : start + limit]
    found = await repo.rows_by_ids(db, page_ids)
    rows = [found[i] for i in page_ids if i in found]
    more = len(ids) > start + limit
    return rows, ({"o": start + limit, "t": now.timestamp()} if more else None), start
