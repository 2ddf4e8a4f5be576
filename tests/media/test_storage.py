"""LocalStore and S3Store behave the same; keys are random and traversal-proof."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from agent_hub.storage import LocalStore, MediaNotFound, MediaStore, derived_key, make_store, new_key, validate_key
from agent_hub.storage.s3 import S3Store


@pytest.fixture(params=["local", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> MediaStore:
    if request.param == "local":
        return LocalStore(tmp_path / "media")
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = "test-" + new_key("x").split("/")[2][:10].lower().replace("_", "0").replace("-", "0")
    return S3Store(endpoint, bucket, access_key="testing", secret_key="testing")


async def test_round_trip(store: MediaStore, tmp_path: Path) -> None:
    assert isinstance(store, MediaStore)
    await store.ping()
    key = new_key("png")
    assert not await store.exists(key)
    assert await store.put(key, b"\x89PNG data", "image/png") == 9
    assert await store.exists(key) and await store.size(key) == 9
    assert await store.get(key) == b"\x89PNG data"
    big = tmp_path / "big.bin"
    big.write_bytes(b"abc" * 300_000)
    key2 = new_key("wav")
    assert await store.put(key2, big, "audio/wav") == 900_000
    assert b"".join([c async for c in store.stream(key2, 100_000)]) == big.read_bytes()
    assert await store.usage("media") == 900_009
    await store.delete(key)
    await store.delete(key)  # idempotent
    assert not await store.exists(key) and await store.size(key) is None
    with pytest.raises(MediaNotFound):
        await store.get(key)
    with pytest.raises(MediaNotFound):
        [c async for c in store.stream(key)]


async def test_overwrite_is_atomic_and_leaves_no_temp(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "media")
    key = new_key("jpg")
    await store.put(key, b"one", "image/jpeg")
    await store.put(key, b"two", "image/jpeg")
    assert await store.get(key) == b"two"
    files = [p.name for p in (tmp_path / "media").rglob("*") if p.is_file()]
    assert files == [key.rsplit("/", 1)[1]]


@pytest.mark.parametrize(
    "key",
    [
        "../etc/passwd",
        "media/../../x",
        "/abs/path.png",
        "media//x.png",
        "media/.hidden",
        ".",
        "",
        "a\\b",
        "media/x.png\x00",
    ],
)
async def test_bad_keys_refused(tmp_path: Path, key: str) -> None:
    store = LocalStore(tmp_path / "media")
    with pytest.raises(ValueError):
        await store.put(key, b"x", "image/png")
    with pytest.raises(ValueError):
        await store.get(key)


async def test_symlink_escape_refused(tmp_path: Path) -> None:
    root = tmp_path / "media"
    (root / "media").mkdir(parents=True)
    (root / "media" / "ln").symlink_to(tmp_path)
    with pytest.raises(ValueError):
        await LocalStore(root).put("media/ln/escape.png", b"x", "image/png")


def test_keys_are_random_and_well_formed() -> None:
    keys = {new_key("png") for _ in range(1000)}
    assert len(keys) == 1000
    for key in list(keys)[:50]:
        assert re.fullmatch(r"media/[a-z0-9]{2}/[A-Za-z0-9_-]{32}\.png", key), key
        assert validate_key(key) == key
    key = new_key("png")
    assert derived_key(key, "thumb.webp") == key[:-4] + ".thumb.webp"
    with pytest.raises(ValueError):
        new_key("../png")


async def test_presigned_get_against_s3(s3_endpoint: str) -> None:
    store = S3Store(s3_endpoint, "presign-test", access_key="testing", secret_key="testing")
    key = new_key("webp")
    await store.put(key, b"RIFF....WEBP", "image/webp")
    url = await store.presigned_url(key, expires=60)
    assert url and url.startswith(s3_endpoint) and "X-Amz-Signature" in url
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
        assert response.status_code == 200 and response.content == b"RIFF....WEBP"
        assert response.headers["content-type"] == "image/webp"
        tampered = await client.get(url.replace(key, new_key("webp")))
        assert tampered.status_code in (403, 404)


async def test_local_has_no_presigned_url(tmp_path: Path) -> None:
    assert await LocalStore(tmp_path).presigned_url(new_key("png")) is None


def test_make_store_picks_backend(make_settings, s3_endpoint: str, tmp_path: Path) -> None:
    local = make_store(make_settings())
    assert isinstance(local, LocalStore) and local.root == (tmp_path / "media").resolve()
    remote = make_store(make_settings(s3_endpoint=s3_endpoint, s3_access_key="k", s3_secret_key="s"))
    assert isinstance(remote, S3Store) and remote.bucket == "agent-hub-media"
