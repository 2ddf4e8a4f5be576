"""One request, one transaction.

`DbSession` (a FastAPI dependency) opens a session on first use and parks it on the request.
`CommitRoute` (the APIRoute class of every router) commits it after the handler returned and
before the response is sent, or rolls it back when the handler raised. Nothing else commits.
The session is the unit of work: what a write changes besides its rows is declared to it as
events (`agent_hub.events`); right before the commit their in-transaction appliers run, after
it the others (realtime signals, read-cache invalidation, which is awaited before the response
leaves, so the caller's next read sees its write on any replica). Other work that must only
happen after a successful commit is registered with `after_commit(request, fn)`. Writes that must commit with the
handler's and depend on its response (the stored idempotent response) are registered with
`before_commit(request, fn)`: `fn(session, response)` runs in the transaction, before the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub import events

log = logging.getLogger("agent_hub.db")

_BEFORE_COMMIT = "before_commit"  # request.state: hooks that commit with the handler's writes
AfterCommit = Callable[[], Awaitable[None]]
BeforeCommit = Callable[[AsyncSession, Response], Awaitable[None]]


async def get_session(request: Request) -> AsyncSession:
    session: AsyncSession | None = getattr(request.state, "db", None)
    if session is None:
        session = request.app.state.sessionmaker()
        request.state.db = session
    return session


DbSession = Annotated[AsyncSession, Depends(get_session)]


def after_commit(request: Request, fn: AfterCommit, *, last: bool = False) -> None:
    """Run `fn` once the request's transaction committed. `last`: after every other hook (for
    housekeeping that must not delay the realtime signals other hooks send)."""
    attr = "after_commit_last" if last else "after_commit"
    hooks: list[AfterCommit] | None = getattr(request.state, attr, None)
    if hooks is None:
        hooks = []
        setattr(request.state, attr, hooks)
    hooks.append(fn)


def before_commit(request: Request, fn: BeforeCommit) -> None:
    before_commit_in_scope(request.scope, fn)


def before_commit_in_scope(scope: MutableMapping[str, Any], fn: BeforeCommit) -> None:
    """`before_commit` for ASGI middleware, which has the scope before there is a Request."""
    scope.setdefault("state", {}).setdefault(_BEFORE_COMMIT, []).append(fn)


def commits_alone(request: Request) -> bool:
    """Whether the request's write may commit by itself, outside the request's transaction (the
    comment write lane): only when nothing was registered to commit with it (`before_commit`,
    e.g. an Idempotency-Key's stored response)."""
    return not getattr(request.state, _BEFORE_COMMIT, None)


async def release_connection(request: Request) -> bool:
    """End the request's transaction if it has only read so far, giving its pool connection
    back (and, on SQLite, its turn at the write lock); the session opens a new one if the
    request reads again. False when it has written or declared something: then it keeps both.

    For a request about to wait on something outside (the write lane's batch, a webhook
    ping) without its admission slot (http/admission.py): a request holding a connection must
    never wait for a slot, or the requests holding the slots, each waiting for a connection,
    and it, waiting for a slot, wait for each other until the pool's timeout."""
    session: AsyncSession | None = getattr(request.state, "db", None)
    if session is None or not session.in_transaction():
        return True
    if has_written(session):
        return False
    await session.commit()  # nothing to commit; unlike a rollback it keeps the loaded rows (the caller)
    return True


def has_written(session: AsyncSession) -> bool:
    """Whether the session holds writes (or declared events) not yet committed."""
    wrote = session.new or session.dirty or session.deleted or session.info.get(events.WRITTEN)
    return bool(wrote or session.info.get(events.PENDING))


async def _before_commit(request: Request, response: Response) -> None:
    session: AsyncSession | None = getattr(request.state, "db", None)
    if session is None or response.status_code >= 500:
        return
    for hook in getattr(request.state, _BEFORE_COMMIT, None) or []:
        await hook(session, response)  # raising rolls the whole request back
    await events.flush(session)


async def _finish(request: Request, ok: bool) -> None:
    session: AsyncSession | None = getattr(request.state, "db", None)
    if session is not None:
        request.state.db = None
        if session.in_transaction() or session.new or session.dirty or session.deleted:
            try:
                if ok:
                    await session.commit()
                    await events.settle(session)  # the read caches of every replica see this write now
                else:
                    await session.rollback()
            finally:
                await session.close()
        # else: never used (a cached read): no transaction to end, no connection to give back.
    # Hooks run even without a session: a handler may have written elsewhere (the write lane).
    if ok:
        hooks = getattr(request.state, "after_commit", None) or []
        for hook in [*hooks, *(getattr(request.state, "after_commit_last", None) or [])]:
            try:
                await hook()
            except Exception:  # a signal is best effort; the durable row is already committed
                log.exception("after-commit hook failed")


class CommitRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                response = await handler(request)
                await _before_commit(request, response)
            except BaseException:
                await _finish(request, ok=False)
                raise
            await _finish(request, ok=response.status_code < 500)
            return response

        return run


def commit_route_kwargs() -> dict[str, Any]:
    return {"route_class": CommitRoute}
