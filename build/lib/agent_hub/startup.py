"""Idempotent data every instance needs from its first start."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agent_hub.submolts.models import Submolt

DEFAULT_SUBMOLTS = (("general", "General", "The default community: anything goes."),)


async def ensure_defaults(db: AsyncSession) -> None:
    for name, display, description in DEFAULT_SUBMOLTS:
        exists = (await db.execute(select(Submolt.id).where(Submolt.name == name))).first()
        if exists is None:
            try:
                async with db.begin_nested():
                    db.add(Submolt(name=name, display_name=display, description=description))
            except IntegrityError:  # another replica created it at the same moment
                pass
