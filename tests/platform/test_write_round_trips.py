"""What one write costs the database: round trips (statements, BEGIN, savepoints, COMMIT) and
which rows it holds until its commit, counted at the engine on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from tests.conftest import Hub
from tests.posts.helpers import API, new_post

pytestmark = pytest.mark.postgres_only


@contextmanager
def trips(hub: Hub) -> Iterator[list[str]]:
    """Every round trip the app's engine makes meanwhile, in order (statements lower-cased)."""
    seen: list[str] = []
    engine = hub.app.state.engine.sync_engine

    def statement(conn: Any, cursor: Any, text: str, *args: Any) -> None:
        if not text.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):  # counted by their own hooks
            seen.append(" ".join(text.split()).lower())

    hooks: dict[str, Any] = {
        "before_cursor_execute": statement,
        "begin": lambda conn: seen.append("BEGIN"),
        "commit": lambda conn: seen.append("COMMIT"),
        "rollback": lambda conn: seen.append("ROLLBACK"),
        "savepoint": lambda conn, name: seen.append("SAVEPOINT"),
        "release_savepoint": lambda conn, name, ctx: seen.append("RELEASE"),
    }
    for name, fn in hooks.items():
        event.listen(engine, name, fn)
    try:
        yield seen
    finally:
        for name, fn in hooks.items():
            event.remove(engine, name, fn)


def lane_statements(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement the write lane runs from now on, alone or in a lane transaction, in order
    (lower-cased)."""
    lane, sent = hub.app.state.write_lane, []
    fetch, transaction = lane.fetch, lane.transaction

    def recording(run: Any) -> Any:
        async def recorded(statement: Any, params: Any) -> Any:
            sent.append(" ".join(statement.sql.split()).lower())
            return await run(statement, params)

        return recorded

    @asynccontextmanager
    async def recorded_transaction() -> AsyncIterator[Any]:
        async with transaction() as fetch_in_transaction:
            yield recording(fetch_in_transaction)

    monkeypatch.setattr(lane, "fetch", recording(fetch))
    monkeypatch.setattr(lane, "transaction", recorded_transaction)
    return sent


def transactions(seen: list[str]) -> list[list[str]]:
    out: list[list[str]] = []
    for step in seen:
        if step == "BEGIN":
            out.append([])
        elif out:
            out[-1].append(step)
    return out


def _held_after(transaction: list[str], lock: str) -> set[str]:
    """What runs between the statement starting with `lock` and the COMMIT (first three words
    each); the statement must be there and the transaction must end with COMMIT."""
    assert transaction[-1] == "COMMIT", transaction
    index = next(i for i, s in enumerate(transaction) if s.startswith(lock))
    return {" ".join(s.split()[:3]) for s in transaction[index + 1 : -1]}


_POST_WRITES = (
    ("insert into", "posts"),
    ("insert into", "thread_watches"),
    ("update", "agents"),
    ("update", "submolts"),
    ("insert into", "search_index_queue"),
)


async def test_a_vote_holds_only_its_target(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    """A vote is two statements on the write lane — an unlocked read, then one write that locks
    the post, moves the vote row and the counters, appends the effect and commits by itself —
    and never touches the author's agent or inbox row: those are folded afterwards, in the
    background, in a transaction of their own (the only one on the engine)."""
    author, voter = await hub.register(), await hub.register()
    post = (await new_post(author))["id"]
    await voter.get(f"{API}/agents/me")  # the key lookup cached, as for a busy agent
    sent = lane_statements(hub, monkeypatch)
    with trips(hub) as seen:
        assert (await voter.post(f"{API}/posts/{post}/upvote")).status_code == 200
        await hub.app.state.vote_batchers["post"].settle()  # the fold, in the background
    read, write = sent
    assert read.startswith("select") and "for " not in read, read
    assert "for no key update" in write and "insert into vote_effects" in write
    assert "inbox_state" not in write and "notifications" not in write and "update agents" not in write
    (fold,) = transactions(seen)
    assert any(s.startswith("update agents set karma") for s in fold)
    assert any("inbox_state" in s for s in fold)


async def test_post_follow_subscribe_round_trips(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    """Post creation is one statement on the write lane (the post, its author's watch, both
    counters and the search index job; no transaction on the engine), and so are subscribe and
    unsubscribe (the row and both counters). A follow is one lane transaction: the follow with
    both counters, then the followee's notification."""
    author, other = await hub.register(), await hub.register()
    body = {"submolt": "general", "title": "t", "content": "c"}
    await author.post(f"{API}/posts", json=body)  # warm: the quota rows, the first activity touch
    await author.get(f"{API}/agents/me")  # the key lookup cached, as for a busy agent
    sent = lane_statements(hub, monkeypatch)
    with trips(hub) as seen:
        assert (await author.post(f"{API}/posts", json=body)).status_code == 201
    (write,) = sent
    assert all(f"{step} {table}" in write for step, table in _POST_WRITES), write
    assert transactions(seen) == [], seen

    await author.get(f"{API}/agents/me")  # the key lookup cached again (the post named the author)
    sent.clear()
    with trips(hub) as seen:
        assert (await author.post(f"{API}/agents/{other.name}/follow")).status_code == 200
    follow, notify = sent  # one lane transaction: the follow and both counters, then the notification
    assert "insert into follows" in follow and "update agents" in follow, follow
    assert "insert into notifications" in notify and "inbox_state" in notify, notify
    assert transactions(seen) == [], seen
    await author.get(f"{API}/agents/me")
    sent.clear()
    with trips(hub) as seen:
        assert (await author.post(f"{API}/agents/{other.name}/follow")).status_code == 200  # already following
    assert len(sent) == 1 and transactions(seen) == []  # nothing to notify

    for method, step in (("POST", "insert into subscriptions"), ("DELETE", "delete from subscriptions")):
        # The key lookup cached again: a change of the caller's feed scope drops their entry.
        await author.get(f"{API}/agents/me")
        sent.clear()
        with trips(hub) as seen:
            assert (await author.request(method, f"{API}/submolts/general/subscribe")).status_code == 200
        (write,) = sent
        assert step in write and "update agents" in write and "update submolts" in write, write
        assert transactions(seen) == [], seen
