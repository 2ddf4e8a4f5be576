"""Wire search indexing into an app: index jobs with every text change, and (where the media
worker runs in process: SQLite by default) the indexer loop inside `agent-hub serve`."""

from __future__ import annotations

import asyncio
from typing import Any

from agent_hub.search import embedding
from agent_hub.search.indexing import SearchIndexer, install_indexing


def install_search(app: Any, settings: Any, in_process: bool) -> None:
    app.state.search_indexer = None
    indexer = SearchIndexer(app.state.sessionmaker) if in_process and settings.search_semantic else None
    install_indexing(app.state.engine, wake=indexer.wakeup.set if indexer is not None else None)
    if settings.search_semantic and embedding.unavailable_reason() is None:

        async def warm_up(app: Any) -> None:
            # Load the model in the background: the first search should not wait for it.
            app.state.search_warm_up = asyncio.create_task(asyncio.to_thread(embedding.engine), name="search-warm-up")

        async def cool_down(app: Any) -> None:
            task = getattr(app.state, "search_warm_up", None)
            if task is not None:
                await asyncio.gather(task, return_exceptions=True)

        app.state.startup_hooks.append(warm_up)
        app.state.shutdown_hooks.append(cool_down)
    if indexer is None:
        return

    async def start(app: Any) -> None:
        app.state.search_indexer = indexer
        indexer.start()

    async def stop(app: Any) -> None:
        await indexer.stop()
        app.state.search_indexer = None

    app.state.startup_hooks.append(start)
    app.state.shutdown_hooks.append(stop)
