"""Read a multipart/form-data request while it streams: text fields into a dict, the one file
part straight into the upload spool, then validate it.

Why not ``request.form()``: Starlette spools every file part completely before the handler sees
it, with no per-file cap. Here the file bytes go through ``spool_upload``, which sniffs the type
from the first bytes (415 before reading the rest) and counts every chunk (413 the moment the
cap is crossed); ``Content-Length`` is checked before a byte is read. The file name and the
part's ``Content-Type`` are ignored: the bytes decide.

Used as a FastAPI dependency *before* the caller's identity is resolved (see ``router``), so no
database transaction is open while the body streams in; a missing ``Authorization`` header is
still refused before anything is read.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from agent_hub.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType

from .audio import AudioResult
from .images import ImageResult
from .sniff import Kind, MediaType
from .spool import Spooled, settings_limits, spool_upload
from .validation import tmp_dir, validate_spooled

ValidatedMedia = ImageResult | AudioResult

FIELD_MAX = 256 * 1024  # one text field (40,000 characters of UTF-8 fit)
FIELDS_MAX = 512 * 1024  # all text fields together
MAX_PARTS = 32
FORM_SLACK = 1024 * 1024  # multipart framing + text fields on top of the file cap
KINDS = ("image", "audio")


def is_multipart(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() == "multipart/form-data"


@dataclass(slots=True)
class UploadForm:
    fields: dict[str, str] = field(default_factory=dict)
    media: ValidatedMedia | None = None

    def get(self, *names: str) -> str | None:
        for name in names:
            if name in self.fields:
                return self.fields[name]
        return None

    def discard(self) -> None:
        if self.media is not None:
            self.media.discard()


def _malformed(detail: str = "") -> BadRequest:
    return BadRequest(
        "Malformed multipart body" + (f": {detail}" if detail else ""),
        "Send multipart/form-data with text fields and one file part",
    )


class _Events:
    """Pull-based view of python-multipart's push parser: ('begin', headers) / ('data', b) / ('end',)."""

    def __init__(self, request: Request, boundary: bytes) -> None:
        self.queue: deque[tuple[Any, ...]] = deque()
        self.headers: list[tuple[bytes, bytes]] = []
        self._field = b""
        self._value = b""
        self.source = request.stream().__aiter__()
        self.done = False
        self.parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._begin,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._data,
                "on_part_end": self._end,
            },
        )

    def _begin(self) -> None:
        self.headers = []

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self.headers.append((self._field.strip().lower(), self._value.strip()))
        self._field = self._value = b""

    def _headers_finished(self) -> None:
        self.queue.append(("begin", self.headers))

    def _data(self, data: bytes, start: int, end: int) -> None:
        if end > start:
            self.queue.append(("data", bytes(data[start:end])))

    def _end(self) -> None:
        self.queue.append(("end",))

    async def next(self) -> tuple[Any, ...] | None:
        while not self.queue:
            if self.done:
                return None
            try:
                chunk = await self.source.__anext__()
            except StopAsyncIteration:
                self.done = True
                self._feed(None)
                continue
            except ClientDisconnect as exc:
                raise _malformed("the client went away") from exc
            if chunk:
                self._feed(chunk)
        return self.queue.popleft()

    def _feed(self, chunk: bytes | None) -> None:
        try:
            if chunk is None:
                self.parser.finalize()
            else:
                self.parser.write(chunk)
        except FormParserError as exc:
            raise _malformed() from exc

    async def part_bytes(self) -> AsyncIterator[bytes]:
        while True:
            event = await self.next()
            if event is None:
                raise _malformed("the body ended inside a part")
            if event[0] == "end":
                return
            if event[0] == "data":
                yield event[1]


def _disposition(headers: list[tuple[bytes, bytes]]) -> tuple[str, bool]:
    for name, value in headers:
        if name == b"content-disposition":
            _, params = parse_options_header(value)
            part = params.get(b"name")
            if part is None:
                break
            return part.decode("utf-8", "replace"), b"filename" in params
    raise _malformed("a part has no name")


def check_declared_length(request: Request, limit: int) -> None:
    """Refuse at once when the declared body is larger than the file cap plus form overhead."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge("The upload is too large", f"The limit for this upload is {limit} bytes")


async def read_form(
    request: Request,
    settings: Any,
    *,
    file_fields: tuple[str, ...],
    limit_for: Callable[[MediaType], int] | None = None,
    max_file_bytes: int | None = None,
    expect: Kind | None = None,
    kind_field: str | None = "media_type",
) -> UploadForm:
    """Parse the form; validate its file part (``ImageResult``/``AudioResult``) if there is one.

    ``kind_field`` names the optional text field that declares the file's kind (image/audio);
    a declaration that the bytes contradict is a 400. The caller must ``discard()`` the result.
    """
    content_type = request.headers.get("content-type", "")
    if not is_multipart(content_type):
        raise UnsupportedMediaType("Expected multipart/form-data", "Send the file as multipart/form-data")
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise _malformed("no boundary in Content-Type")
    limit_for = limit_for or settings_limits(settings)
    file_cap = max_file_bytes or max(int(settings.media_image_max_bytes), int(settings.media_audio_max_bytes))
    check_declared_length(request, file_cap + FORM_SLACK)

    events = _Events(request, boundary)
    form = UploadForm()
    spooled: Spooled | None = None
    text_total = 0
    parts = 0
    try:
        while (event := await events.next()) is not None:
            if event[0] != "begin":
                continue
            parts += 1
            if parts > MAX_PARTS:
                raise _malformed(f"more than {MAX_PARTS} parts")
            name, is_file = _disposition(event[1])
            if name in file_fields:
                if spooled is not None:
                    raise BadRequest("Only one file per request", f"Send a single file part ({file_fields[0]})")
                spooled = await spool_upload(events.part_bytes(), limit_for, tmp_dir=tmp_dir(settings), expect=expect)
                continue
            if is_file:  # an unexpected file part: read past it without keeping anything
                async for _ in events.part_bytes():
                    pass
                continue
            value = bytearray()
            async for chunk in events.part_bytes():
                value += chunk
                text_total += len(chunk)
                if len(value) > FIELD_MAX or text_total > FIELDS_MAX:
                    raise PayloadTooLarge(f"The form field {name!r} is too large", "Keep text fields under 256 KB")
            try:
                form.fields[name] = value.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise BadRequest(f"The form field {name!r} is not valid UTF-8", "Send text fields as UTF-8") from exc
        declared = (form.fields.get(kind_field) or "").strip().lower() if kind_field else ""
        if declared and declared not in KINDS:
            raise BadRequest("Invalid media_type", "Use media_type=image or media_type=audio (or leave it out)")
        if spooled is None:
            if declared:
                raise BadRequest(
                    "media_type was given but no file was attached", f"Attach the file as {file_fields[0]!r}"
                )
            return form
        if declared and declared != spooled.media_type.kind:
            raise BadRequest(
                f"media_type says {declared} but the file is {spooled.media_type.kind} "
                f"({spooled.media_type.content_type})",
                "Leave media_type out to infer it from the file, or send the right file",
            )
        to_validate, spooled = spooled, None
        form.media = await validate_spooled(to_validate, settings)  # deletes the spool file on failure
        return form
    except BaseException:
        if spooled is not None:
            spooled.discard()
        form.discard()
        raise
