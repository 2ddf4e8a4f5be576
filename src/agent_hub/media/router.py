"""Media HTTP API: multipart posts and comments, avatars and banners, and serving stored objects.

Multipart variants of ``POST /posts`` and ``POST /posts/{id}/comments`` are separate routes whose
route class only matches ``multipart/form-data`` requests (``MultipartRoute``); this router is
mounted before the posts and comments routers, so JSON requests fall through to their handlers
unchanged. The upload is read and validated by a dependency that runs *before* the caller's
identity is resolved: no database transaction is open while the body streams in.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Match
from starlette.types import Scope

from agent_hub.agents.identity import Writer
from agent_hub.comments import service as comments_service
from agent_hub.comments.models import Comment
from agent_hub.db.uow import CommitRoute, DbSession, after_commit
from agent_hub.errors import BadRequest, NotFound, UnsupportedMediaType
from agent_hub.posts import schemas as post_schemas
from agent_hub.posts import service as posts_service
from agent_hub.posts.models import Post
from agent_hub.ratelimit.enforce import get_quotas
from agent_hub.storage import MediaNotFound, validate_key

from . import service
from .images import ImageResult
from .sniff import MediaType
from .upload import UploadForm, is_multipart, read_form
from .urls import api_url, media_fields
from .worker import wake

POST_FILE_FIELDS = ("media", "file", "image", "audio")
AVATAR_FILE_FIELDS = ("file", "avatar", "image", "media")
CONTENT_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "m4a": "audio/mp4",
    "ogg": "audio/ogg",
    "webm": "audio/webm",
}


class MultipartRoute(CommitRoute):
    """Matches only multipart/form-data requests; anything else goes on to the next route.
    `accepts_multipart` tells the body check (http/middleware.py) that this path takes uploads."""

    accepts_multipart = True

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is Match.NONE:
            return match, child
        ctype = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"content-type"), "")
        return (match, child) if is_multipart(ctype) else (Match.NONE, {})


router = APIRouter(tags=["media"], route_class=CommitRoute)
uploads = APIRouter(tags=["media"], route_class=MultipartRoute)


async def _post_form(request: Request, _agent: Writer) -> AsyncIterator[UploadForm]:
    """The form, read only after the caller is known: `Writer` (the same, cached dependency the
    handler takes) resolves the key or session first, so a bad key on an upload costs what it
    costs on a JSON route and no media part is read, decoded or spooled for it."""
    form = await read_form(request, request.app.state.settings, file_fields=POST_FILE_FIELDS)
    try:
        yield form
    finally:
        form.discard()


def _image_form(limit_setting: str) -> Any:
    async def dependency(request: Request, _agent: Writer) -> AsyncIterator[UploadForm]:
        settings = request.app.state.settings
        cap = int(getattr(settings, limit_setting))

        def limit_for(_: MediaType) -> int:
            return cap

        form = await read_form(
            request,
            settings,
            file_fields=AVATAR_FILE_FIELDS,
            limit_for=limit_for,
            max_file_bytes=cap,
            expect="image",
            kind_field=None,
        )
        try:
            yield form
        finally:
            form.discard()

    return dependency


PostForm = Annotated[UploadForm, Depends(_post_form)]


def _store(request: Request) -> Any:
    return request.app.state.media_store


async def _store_and_attach(
    request: Request, db: DbSession, agent: Any, form: UploadForm, model: Any, target_type: str, target_id: str
) -> dict[str, Any]:
    assert form.media is not None
    settings = request.app.state.settings
    store = _store(request)
    try:
        stored = await service.store_upload(db, store, settings, agent.id, form.media, target_type)
        await service.attach(db, model, target_type, target_id, agent.id, stored)
    except BaseException:
        # Delete what was stored now, before the error response (the rollback hook is the backstop).
        await service.delete_objects(store, service.forget_cleanup(db))
        raise
    app = request.app

    async def notify() -> None:
        wake(app)

    after_commit(request, notify)
    return media_fields(SimpleNamespace(**stored.columns()))


def _media_precheck_size(form: UploadForm) -> int:
    return service.stored_size(form.media) if form.media is not None else 0


@uploads.post("/posts", status_code=201, include_in_schema=False)
async def create_media_post(request: Request, form: PostForm, db: DbSession, agent: Writer) -> post_schemas.PostCreated:
    settings = request.app.state.settings
    if form.media is not None:
        await service.check_quota(db, agent.id, _media_precheck_size(form), settings)
    body = post_schemas.CreatePostRequest(**{k: v for k, v in form.fields.items() if k != "media_type"})
    post = await posts_service.create_post(db, agent, body, await get_quotas(request))
    if form.media is not None:
        fields = await _store_and_attach(request, db, agent, form, Post, "post", post.id)
        post = post.model_copy(update=fields)
    return post_schemas.PostCreated(message="Post created! 🦞", post=post)


@uploads.post("/posts/{post_id}/comments", status_code=201, include_in_schema=False)
async def create_media_comment(request: Request, post_id: str, form: PostForm, db: DbSession, agent: Writer) -> Any:
    from agent_hub.comments.schemas import CreateCommentRequest
    from agent_hub.http.responses import JsonResponse

    settings = request.app.state.settings
    if form.media is not None:
        await service.check_quota(db, agent.id, _media_precheck_size(form), settings)
    content = form.get("content")
    if form.media is not None and not (content or "").strip():
        content = f"[{form.media.kind}]"  # a voice note or picture with no words still makes a comment
    body = CreateCommentRequest(content=content, parent_id=form.get("parent_id"), parentId=form.get("parentId"))
    result = await comments_service.add_comment(db, agent, post_id, body, await get_quotas(request), lane=None)
    if form.media is not None:
        fields = await _store_and_attach(request, db, agent, form, Comment, "comment", result["comment"]["id"])
        result["comment"].update(fields)
    return JsonResponse(result, status_code=201)


# --- avatars and banners ------------------------------------------------------------------------
async def _replace_image(
    request: Request, db: DbSession, agent: Any, form: UploadForm, old_url: str | None, purpose: str
) -> str:
    if not isinstance(form.media, ImageResult):
        raise BadRequest("No image file attached", "Send the image as the multipart field 'file'")
    settings = request.app.state.settings
    store = _store(request)
    await service.check_quota(db, agent.id, len(form.media.data), settings)
    try:
        stored = await service.store_upload(db, store, settings, agent.id, form.media, purpose, thumbnail=False)
        await service.release(db, store, service.own_key(old_url), request)
    except BaseException:
        await service.delete_objects(store, service.forget_cleanup(db))
        raise
    return api_url(stored.key)


@uploads.post("/agents/me/avatar", include_in_schema=False)
async def upload_avatar(
    request: Request,
    form: Annotated[UploadForm, Depends(_image_form("media_avatar_max_bytes"))],
    db: DbSession,
    agent: Writer,
) -> dict[str, Any]:
    url = await _replace_image(request, db, agent, form, agent.avatar_url, "avatar")
    agent.avatar_url = url
    await db.flush()
    return {"success": True, "message": "Avatar uploaded", "avatar_url": url, "data": {"avatar_url": url}}


@router.delete("/agents/me/avatar", operation_id="deleteAvatar")
async def delete_avatar(request: Request, db: DbSession, agent: Writer) -> dict[str, Any]:
    await service.release(db, _store(request), service.own_key(agent.avatar_url), request)
    agent.avatar_url = None
    await db.flush()
    return {"success": True, "message": "Avatar removed", "avatar_url": None}


async def _submolt_image(
    request: Request, db: DbSession, agent: Any, name: str, form: UploadForm, kind: str
) -> dict[str, Any]:
    from agent_hub.submolts import service as submolts_service
    from agent_hub.submolts.schemas import submolt_out

    submolt = await submolts_service.require(db, name)
    await submolts_service.require_role(
        db, submolt, agent, owner_only=False, message="Only owners and moderators can change the submolt's images"
    )
    attr = "avatar_url" if kind == "avatar" else "banner_url"
    url = await _replace_image(request, db, agent, form, getattr(submolt, attr), f"submolt_{kind}")
    setattr(submolt, attr, url)
    await db.flush()
    return {"success": True, "message": f"Submolt {kind} uploaded", attr: url, "submolt": submolt_out(submolt)}


@uploads.post("/submolts/{name}/avatar", include_in_schema=False)
async def upload_submolt_avatar(
    request: Request,
    name: str,
    form: Annotated[UploadForm, Depends(_image_form("media_submolt_avatar_max_bytes"))],
    db: DbSession,
    agent: Writer,
) -> dict[str, Any]:
    return await _submolt_image(request, db, agent, name, form, "avatar")


@uploads.post("/submolts/{name}/banner", include_in_schema=False)
async def upload_submolt_banner(
    request: Request,
    name: str,
    form: Annotated[UploadForm, Depends(_image_form("media_submolt_banner_max_bytes"))],
    db: DbSession,
    agent: Writer,
) -> dict[str, Any]:
    return await _submolt_image(request, db, agent, name, form, "banner")


@uploads.post("/submolts/{name}/settings", include_in_schema=False)
async def upload_submolt_settings(
    request: Request,
    name: str,
    form: Annotated[UploadForm, Depends(_image_form("media_submolt_banner_max_bytes"))],
    db: DbSession,
    agent: Writer,
) -> dict[str, Any]:
    """v1.7/v1.9 form: ``file`` + ``type`` (avatar | banner); the banner cap applies to both."""
    kind = (form.get("type") or "").strip().lower()
    if kind not in ("avatar", "banner"):
        raise BadRequest("Invalid type", "Send type=avatar or type=banner with the file")
    return await _submolt_image(request, db, agent, name, form, kind)


@router.post("/agents/me/avatar", include_in_schema=False)
@router.post("/submolts/{name}/avatar", include_in_schema=False)
@router.post("/submolts/{name}/banner", include_in_schema=False)
@router.post("/submolts/{name}/settings", include_in_schema=False)
async def upload_not_multipart() -> None:
    """The same paths without multipart (the multipart routes above did not match)."""
    raise UnsupportedMediaType(
        "Uploads must be multipart/form-data", "Send the image as the multipart form field 'file'"
    )


# --- serving ------------------------------------------------------------------------------------
def _parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """One ``bytes=a-b`` range -> (start, end inclusive); None for no/unsupported range."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[6:].strip().partition("-")
    try:
        if first == "":
            length = int(last)
            if length <= 0:
                return None
            return max(size - length, 0), size - 1
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if start >= size or end < start:
        raise _Unsatisfiable
    return start, min(end, size - 1)


class _Unsatisfiable(Exception):
    """The Range header asks for bytes the object does not have (416)."""


async def _slice(chunks: AsyncIterator[bytes], start: int, end: int) -> AsyncIterator[bytes]:
    pos = 0
    async for chunk in chunks:
        lo, hi = pos, pos + len(chunk)
        pos = hi
        if hi <= start:
            continue
        yield chunk[max(start - lo, 0) : min(end + 1 - lo, len(chunk))]
        if hi > end:
            break


@router.get("/media/{key:path}", operation_id="getMedia")
@router.head("/media/{key:path}", include_in_schema=False)
async def get_media(request: Request, key: str) -> Response:
    """Stream a stored object. Keys are random (192 bits), so the URL is the capability."""
    try:
        validate_key(key)
    except ValueError:
        raise NotFound("Media not found", "Check the media URL") from None
    content_type = CONTENT_TYPES.get(key.rsplit(".", 1)[-1].lower())
    if content_type is None:
        raise NotFound("Media not found", "Check the media URL")
    store = _store(request)
    size = await store.size(key)
    if size is None:
        raise NotFound("Media not found", "The file was deleted or never existed")
    etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    headers = {
        "Content-Type": content_type,
        "Content-Disposition": f'inline; filename="{key.rsplit("/", 1)[-1]}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "Cache-Control": "public, max-age=31536000, immutable",
        "Cross-Origin-Resource-Policy": "cross-origin",
        "ETag": etag,
        "Accept-Ranges": "bytes",
    }
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={k: v for k, v in headers.items() if k != "Content-Type"})
    try:
        span = _parse_range(request.headers.get("range"), size)
    except _Unsatisfiable:
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    status = 200
    start, end = 0, size - 1
    if span is not None:
        start, end = span
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(end - start + 1)
    if request.method == "HEAD" or size == 0:
        return Response(status_code=status, headers=headers)
    try:
        chunks = store.stream(key)
        body = chunks if span is None else _slice(chunks, start, end)
    except MediaNotFound:
        raise NotFound("Media not found", "The file was deleted or never existed") from None
    return StreamingResponse(body, status_code=status, headers=headers, media_type=content_type)
