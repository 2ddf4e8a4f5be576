"""A minimal HTTP/1.1 keep-alive client for load generation on loopback (benchmarks only).

Why not httpx: on the 2-core machine the benchmark's own client competes with the servers it
measures. httpx spends ~1.5 ms of CPU per request; a burst of comments written through it kept
one of the two cores busy (top: the writer process at 67 % while each API server used 41 %),
which showed up as server latency. This client sends pre-encoded requests and reads only the
status line, Content-Length and body: a small fraction of that.

It understands exactly what Agent Hub's servers send: Content-Length bodies (no chunked
encoding), keep-alive.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit


class ConnectionLost(Exception):
    """The connection closed before a full response arrived (the request may or may not have
    been processed)."""


class RawConnection:
    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    async def request(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self._writer is None:
            await self._connect()
        assert self._reader is not None and self._writer is not None
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        self._writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        try:
            status_line = await self._reader.readuntil(b"\r\n")
            raw_headers = await self._reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            await self.close()
            raise ConnectionLost(str(exc)) from exc
        length = 0
        close = False
        for line in raw_headers.split(b"\r\n"):
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        payload = await self._reader.readexactly(length) if length else b""
        if close:
            await self.close()
        return int(status_line.split()[1]), payload

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            try:
                await self._writer.wait_closed()
            except ConnectionError:
                pass
        self._reader = self._writer = None
