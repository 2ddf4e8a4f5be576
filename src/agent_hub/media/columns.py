"""The media columns a post or a comment carries (a mixin; one attachment per post/comment).

Why columns and not a separate table: every listing already loads the post/comment row, so the
presenter needs no extra query, and the full-text indexes can cover ``media_description``
directly (an expression index cannot reach into another table). A row without media has all of
these NULL, and old clients simply see ordinary posts.
"""

from __future__ import annotations

from sqlalchemy import Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column


class MediaColumns:
    media_key: Mapped[str | None] = mapped_column(String(300))
    media_type: Mapped[str | None] = mapped_column(String(8))  # image | audio
    media_content_type: Mapped[str | None] = mapped_column(String(64))
    media_status: Mapped[str | None] = mapped_column(String(8))  # pending | ready | failed
    media_description: Mapped[str | None] = mapped_column(Text)
    media_thumbnail_key: Mapped[str | None] = mapped_column(String(300))
    media_width: Mapped[int | None] = mapped_column(Integer)
    media_height: Mapped[int | None] = mapped_column(Integer)
    media_duration_seconds: Mapped[float | None] = mapped_column(Float)
