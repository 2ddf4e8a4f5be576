"""Media in an S3-compatible bucket (SeaweedFS in the cluster; MinIO, AWS, moto in tests).

boto3 is synchronous, so every call runs in a worker thread; its client is thread-safe. Path-style
addressing is used because in-cluster endpoints (``http://seaweedfs:8333``) have no wildcard DNS
for virtual-host buckets. The bucket is created on first use if it does not exist. Large files
go through ``upload_file`` (multipart) so they are never loaded into memory whole.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from .base import MediaNotFound, validate_key

_MISSING = {"404", "NoSuchKey", "NotFound", "NoSuchBucket"}


def _missing(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code")) in _MISSING


class S3Store:
    def __init__(
        self,
        endpoint: str,
        bucket: str,
        *,
        region: str = "us-east-1",
        access_key: str | None = None,
        secret_key: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.bucket = bucket
        self.region = region
        self.client = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                connect_timeout=timeout,
                read_timeout=timeout,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        )
        self._bucket_ready = False
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Any) -> S3Store:
        return cls(
            settings.s3_endpoint,
            settings.s3_bucket,
            region=settings.s3_region,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
        )

    # -- sync helpers (run in threads) ----------------------------------------------------
    def _ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        with self._lock:
            if self._bucket_ready:
                return
            try:
                self.client.head_bucket(Bucket=self.bucket)
            except ClientError as exc:
                if not _missing(exc):
                    raise
                kwargs: dict[str, Any] = {"Bucket": self.bucket}
                if self.region != "us-east-1":
                    kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
                try:
                    self.client.create_bucket(**kwargs)
                except ClientError as create_exc:  # another replica won the race
                    code = create_exc.response.get("Error", {}).get("Code")
                    if code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                        raise
            self._bucket_ready = True

    def _put(self, key: str, data: bytes | Path, content_type: str) -> int:
        self._ensure_bucket()
        extra = {"ContentType": content_type}
        if isinstance(data, Path):
            self.client.upload_file(str(data), self.bucket, key, ExtraArgs=extra)
            return data.stat().st_size
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, **extra)
        return len(data)

    def _get_body(self, key: str) -> Any:
        self._ensure_bucket()
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        except ClientError as exc:
            if _missing(exc):
                raise MediaNotFound(key) from exc
            raise

    def _read_all(self, key: str) -> bytes:
        body = self._get_body(key)
        try:
            return body.read()
        finally:
            body.close()

    def _head(self, key: str) -> int | None:
        self._ensure_bucket()
        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        except ClientError as exc:
            if _missing(exc):
                return None
            raise

    def _usage(self, prefix: str) -> int:
        self._ensure_bucket()
        total = 0
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            total += sum(int(obj["Size"]) for obj in page.get("Contents", []))
        return total

    # -- MediaStore -----------------------------------------------------------------------
    async def put(self, key: str, data: bytes | Path, content_type: str) -> int:
        return await asyncio.to_thread(self._put, validate_key(key), data, content_type)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._read_all, validate_key(key))

    async def stream(self, key: str, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
        body = await asyncio.to_thread(self._get_body, validate_key(key))
        try:
            while chunk := await asyncio.to_thread(body.read, chunk_size):
                yield chunk
        finally:
            body.close()

    async def delete(self, key: str) -> None:
        validate_key(key)

        def _delete() -> None:
            self._ensure_bucket()
            self.client.delete_object(Bucket=self.bucket, Key=key)

        await asyncio.to_thread(_delete)

    async def exists(self, key: str) -> bool:
        return await self.size(key) is not None

    async def size(self, key: str) -> int | None:
        return await asyncio.to_thread(self._head, validate_key(key))

    async def usage(self, prefix: str = "") -> int:
        return await asyncio.to_thread(self._usage, prefix)

    async def presigned_url(self, key: str, expires: int = 3600) -> str | None:
        validate_key(key)
        return await asyncio.to_thread(
            self.client.generate_presigned_url,
            "get_object",
            Params={"Bucket": self.bucket, "Key": key},
            ExpiresIn=int(expires),
        )

    async def ping(self) -> None:
        await asyncio.to_thread(self._ensure_bucket)
        await asyncio.to_thread(self.client.head_bucket, Bucket=self.bucket)
