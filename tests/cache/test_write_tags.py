"""Writes bump the tags of what they changed, never `*` (every cached page) when they declared
what they wrote: creating a submolt, a post with media, and the media worker's job runs."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from PIL import Image

from agent_hub import events
from agent_hub.cache import tags
from tests.conftest import Hub
from tests.media_api.helpers import API, drain, upload_post


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


@contextmanager
def bumped(hub: Hub) -> Iterator[list[set[str]]]:
    """The tags each commit on the hub's engine bumps, in order."""
    seen: list[set[str]] = []

    def record(declared: Sequence[events.Event], tables: frozenset[str]) -> None:
        seen.append(tags.of_events(declared, tables))

    unsubscribe = events.subscribe(hub.app.state.engine, on_commit=record)
    try:
        yield seen
    finally:
        unsubscribe()


async def test_creating_a_submolt_bumps_no_global_tag(hub: Hub) -> None:
    owner = await hub.register()
    with bumped(hub) as seen:
        resp = await owner.post(f"{API}/submolts", json={"name": "tagtest", "display_name": "Tag test"})
        assert resp.status_code in (200, 201), resp.text
    assert seen and not [s for s in seen if tags.EVERYTHING in s], seen
    assert tags.CONTENT in set().union(*seen)  # searchable: a new community


async def test_a_post_with_media_and_its_job_bump_no_global_tag(hub: Hub) -> None:
    author = await hub.register()
    with bumped(hub) as seen:
        resp = await upload_post(author, png(), filename="a.png")
        assert resp.status_code == 201, resp.text
        await drain(hub)
    assert seen and not [s for s in seen if tags.EVERYTHING in s], seen


def test_pending_vote_effects_are_not_content() -> None:
    """A vote's pending effects show nowhere; the fold that applies them declares the author's
    karma and inbox. A fold that found nothing left to fold bumps nothing at all."""
    assert tags.of_events([], {"vote_effects"}) == set()
    fold = [events.ContentChanged(agents=("a1",)), events.InboxChanged(("a1",))]
    written = {"vote_effects", "agent_counters", "notifications", "inbox_state"}
    assert tags.of_events(fold, written) == {tags.agent("a1"), tags.inbox("a1"), tags.CONTENT}
