"""Connection.push: a signal carrying the next `seq` is sent as is; anything else reads."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from agent_hub.realtime.connection import Connection


def _conn(seq: int | None, sent_id: int) -> tuple[Connection, list[str]]:
    hub = SimpleNamespace(settings=SimpleNamespace(ws_queue_size=10))
    conn = Connection(hub, ws=None, agent=SimpleNamespace(id="a1"))  # type: ignore[arg-type]
    conn.seq, conn.sent_id = seq, sent_id
    pokes: list[str] = []
    conn.poke = lambda: pokes.append("read")  # type: ignore[method-assign]
    return conn, pokes


def _signal(seq: int, nid: int) -> dict[str, Any]:
    return {"k": "inbox", "agent": "a1", "id": nid, "seq": seq, "unread": 3, "item": {"id": nid, "type": "reply"}}


def test_next_seq_is_pushed_without_a_read() -> None:
    conn, pokes = _conn(seq=5, sent_id=10)
    conn.push(_signal(6, 11))
    event = conn.queue.get_nowait()
    assert event == {"type": "inbox_update", "unread_count": 3, "latest": {"id": 11, "type": "reply"}, "last_id": 11}
    assert (conn.seq, conn.sent_id, pokes) == (6, 11, [])
    conn.push(_signal(6, 11))  # the same signal again (two replicas, a retry): nothing
    assert conn.queue.empty() and pokes == []


def test_gap_unknown_seq_or_missing_item_reads() -> None:
    conn, pokes = _conn(seq=5, sent_id=10)
    conn.push(_signal(7, 12))  # seq 6 is still in flight (or lost): read, never reorder
    assert conn.queue.empty() and pokes == ["read"] and conn.seq == 5
    conn, pokes = _conn(seq=None, sent_id=10)  # resuming: not known yet
    conn.push(_signal(6, 11))
    assert conn.queue.empty() and pokes == ["read"]
    conn, pokes = _conn(seq=5, sent_id=10)
    conn.push({"k": "inbox", "agent": "a1", "seq": 6})  # an older replica's signal
    assert conn.queue.empty() and pokes == ["read"]
