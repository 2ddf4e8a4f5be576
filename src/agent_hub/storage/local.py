"""Media in a local directory (the embedded default: ``<data_dir>/media``).

Writes go to a temp file in the destination directory, are fsynced and then renamed over the
target, so a reader never sees half a file and a crash leaves at most a ``.tmp-*`` file behind.
Every key is validated and the resolved path must stay inside the root (no traversal, no
symlink escape).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from .base import MediaNotFound, validate_key


class LocalStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        validate_key(key)
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError("invalid media key")
        return path

    def _write(self, path: Path, data: bytes | Path) -> int:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                if isinstance(data, Path):
                    with data.open("rb") as src:
                        shutil.copyfileobj(src, out, 1024 * 1024)
                else:
                    out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o640)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path.stat().st_size

    async def put(self, key: str, data: bytes | Path, content_type: str) -> int:
        return await asyncio.to_thread(self._write, self._path(key), data)

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except (FileNotFoundError, IsADirectoryError) as exc:
            raise MediaNotFound(key) from exc

    async def stream(self, key: str, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            fh = await asyncio.to_thread(path.open, "rb")
        except (FileNotFoundError, IsADirectoryError) as exc:
            raise MediaNotFound(key) from exc
        try:
            while chunk := await asyncio.to_thread(fh.read, chunk_size):
                yield chunk
        finally:
            fh.close()

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)

    async def size(self, key: str) -> int | None:
        path = self._path(key)

        def _size() -> int | None:
            try:
                return path.stat().st_size if path.is_file() else None
            except FileNotFoundError:
                return None

        return await asyncio.to_thread(_size)

    async def usage(self, prefix: str = "") -> int:
        base = self._path(prefix) if prefix else self.root

        def _walk() -> int:
            total = 0
            for dirpath, _dirs, files in os.walk(base):
                for name in files:
                    if not name.startswith(".tmp-"):
                        try:
                            total += os.stat(os.path.join(dirpath, name)).st_size
                        except FileNotFoundError:
                            pass
            return total

        return await asyncio.to_thread(_walk)

    async def presigned_url(self, key: str, expires: int = 3600) -> str | None:
        self._path(key)
        return None  # the API serves local files itself

    async def ping(self) -> None:
        def _check() -> None:
            self.root.mkdir(parents=True, exist_ok=True)
            if not os.access(self.root, os.W_OK):
                raise OSError(f"media directory {self.root} is not writable")

        await asyncio.to_thread(_check)
