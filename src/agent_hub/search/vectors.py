"""Nearest documents by meaning: pgvector's HNSW index where the database has it, else an
in-process index per replica.

The in-process index holds every stored vector as float32 rows of one matrix (1,536 bytes per
document: about 150 MB for 100,000 documents) and answers with one matrix-vector product, exact
(no approximation to tune). It catches up before each search by reading the vectors written
since the last one it saw (`search_vectors.seq`, one indexed range query that usually returns
nothing): every replica sees the indexer's writes, whichever process made them, without a
message of its own. Every `RELOAD_SECONDS` it reloads whole, which also picks up a write whose
`seq` was taken before another's but committed after it (possible only with two indexers).
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.search import repository as repo
from agent_hub.search.embedding import DIMENSION

RELOAD_SECONDS = 600.0
_KIND = {"post": 0, "comment": 1}


def quantize(vectors: Any) -> list[bytes]:
    """Unit vectors -> 384 int8 values each (times 127)."""
    q = np.clip(np.rint(np.asarray(vectors, dtype=np.float32) * 127.0), -127, 127).astype(np.int8)
    return [row.tobytes() for row in q]


def dequantize(blob: bytes) -> Any:
    v = np.frombuffer(blob, dtype=np.int8).astype(np.float32)
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


class VectorIndex:
    """Every stored vector of one database, in memory."""

    def __init__(self) -> None:
        self.matrix = np.zeros((1024, DIMENSION), dtype=np.float32)
        self.kinds = np.full(1024, -1, dtype=np.int8)  # -1: a free or removed row
        self.keys: list[tuple[str, str] | None] = []
        self.rows: dict[tuple[str, str], int] = {}
        self.seq = 0
        self.loaded_at = 0.0
        self.lock = asyncio.Lock()

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def nbytes(self) -> int:
        return int(self.matrix.nbytes + self.kinds.nbytes)

    def apply(self, changes: Sequence[tuple[str, str, int, bytes | None]]) -> None:
        for kind, target_id, seq, blob in changes:
            key = (kind, target_id)
            row = self.rows.get(key)
            if blob is None:
                if row is not None:
                    self.kinds[row] = -1
                    self.matrix[row] = 0.0
                    self.keys[row] = None
                    del self.rows[key]
            else:
                if row is None:
                    row = len(self.keys)
                    if row == len(self.kinds):
                        self._grow()
                    self.keys.append(key)
                    self.rows[key] = row
                self.matrix[row] = dequantize(blob)
                self.kinds[row] = _KIND.get(kind, -1)
            self.seq = max(self.seq, seq)

    def _grow(self) -> None:
        size = len(self.kinds) * 2
        matrix = np.zeros((size, DIMENSION), dtype=np.float32)
        matrix[: len(self.kinds)] = self.matrix
        kinds = np.full(size, -1, dtype=np.int8)
        kinds[: len(self.kinds)] = self.kinds
        self.matrix, self.kinds = matrix, kinds

    def nearest(self, query: Any, types: Sequence[str], limit: int) -> list[tuple[str, str, float]]:
        used = len(self.keys)
        if not used or limit <= 0:
            return []
        scores = self.matrix[:used] @ np.asarray(query, dtype=np.float32)
        kinds = self.kinds[:used]
        if len(types) == 1:
            scores[kinds != _KIND[types[0]]] = -np.inf
        else:
            scores[kinds < 0] = -np.inf
        k = min(limit, used)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        out = []
        for row in top:
            key = self.keys[row]
            if key is None or not np.isfinite(scores[row]):
                continue
            out.append((key[0], key[1], float(scores[row])))
        return out


_INDEXES: weakref.WeakKeyDictionary[Engine, VectorIndex] = weakref.WeakKeyDictionary()


def index_of(db: AsyncSession) -> VectorIndex:
    bind = db.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    found = _INDEXES.get(engine)
    if found is None:
        found = _INDEXES[engine] = VectorIndex()
    return found


async def catch_up(db: AsyncSession) -> VectorIndex:
    """The process's index for `db`'s database, with every vector committed so far."""
    index = index_of(db)
    # The caller's transaction first, then the lock: whoever holds the lock already has its
    # connection, so no one waits for the lock while holding the connection its holder needs
    # (on SQLite every transaction holds the write lock: db/engine.py).
    await db.connection()
    async with index.lock:
        if time.monotonic() - index.loaded_at > RELOAD_SECONDS:
            fresh = VectorIndex()
            fresh.loaded_at = time.monotonic()
            await _read(db, fresh)
            index.matrix, index.kinds, index.keys, index.rows = fresh.matrix, fresh.kinds, fresh.keys, fresh.rows
            index.seq, index.loaded_at = fresh.seq, fresh.loaded_at
        else:
            await _read(db, index)
    return index


async def _read(db: AsyncSession, index: VectorIndex) -> None:
    while True:
        changes = await repo.changed_since(db, index.seq)
        index.apply(changes)
        if len(changes) < 20_000:
            return


async def nearest(
    db: AsyncSession, query: Any, types: Sequence[str], limit: int, *, pgvector: bool
) -> list[tuple[str, str, float]]:
    """(type, id, cosine) of the `limit` documents nearest to the unit vector `query`."""
    if pgvector:
        found = await repo.nearest_pg(db, query, types, limit)
        if not found:
            return []
        # The cosine from the stored int8 values, as the in-process index computes it (within
        # about 0.01 of the float one); the order stays the index's.
        raw = np.frombuffer(b"".join(blob for _, _, blob in found), dtype=np.int8)
        matrix = raw.reshape(len(found), DIMENSION).astype(np.float32)
        matrix /= np.clip(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12, None)
        sims = matrix @ np.asarray(query, dtype=np.float32)
        return [(kind, target_id, float(sim)) for (kind, target_id, _), sim in zip(found, sims, strict=True)]
    index = await catch_up(db)
    return index.nearest(query, types, limit)
