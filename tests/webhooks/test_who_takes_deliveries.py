"""Who gets webhook deliveries queued is one rule (`webhooks.queue.takes_deliveries`) for every
path that writes a notification with its delivery: a comment (PostgreSQL: its batch statement),
an upvote (the aggregated notification), a mention in a post (the batch of plain notifications),
and SQLite's step-by-step path. An agent with an enabled webhook gets a row for each; the same
agent once disabled (status `suspended`) gets none, on both engines."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from agent_hub.agents.models import Agent
from agent_hub.webhooks.models import WebhookDelivery
from tests.conftest import Actor, Hub, HubFactory
from tests.inbox.helpers import comment, post
from tests.webhooks.receiver import Receiver
from tests.webhooks.test_webhooks import LOCAL


async def _rows(hub: Hub, agent_id: str) -> int:
    async with hub.app.state.sessionmaker() as db:
        query = select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.agent_id == agent_id)
        return int((await db.execute(query)).scalar_one())


async def _notify(hooked: Actor, fan: Actor, target: dict[str, Any], round_: int) -> None:
    """One notification for `hooked` by each path: a comment, an upvote, a mention."""
    await comment(fan, target["id"], f"a comment {round_}")
    assert (await fan.post(f"/api/v1/posts/{target['id']}/upvote")).status_code == 200
    await post(fan, f"hello @{hooked.name} {round_}")


async def test_a_disabled_agent_gets_no_delivery_rows_from_any_path(make_hub: HubFactory) -> None:
    hub = await make_hub(**LOCAL)
    hooked, fan = await hub.register(), await hub.register()
    hooked_id = hooked.registration["agent"]["id"]
    with Receiver() as receiver:
        r = await hooked.request("PUT", "/api/v1/agents/me/webhook", json={"url": receiver.url()})
        assert r.status_code == 200, r.text
        first, second = await post(hooked, "one"), await post(hooked, "two")
        await _notify(hooked, fan, first, 1)
        assert await _rows(hub, hooked_id) == 3
        async with hub.app.state.sessionmaker() as db, db.begin():
            await db.execute(update(Agent).where(Agent.id == hooked_id).values(status="suspended"))
        await _notify(hooked, fan, second, 2)
        assert await _rows(hub, hooked_id) == 3
