"""Housekeeping deletes exactly what is past its retention and nothing a member can still use."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from agent_hub.agents.service import create_agent
from agent_hub.auth.models import AuthSession, Owner, SecurityEvent, SetupToken
from agent_hub.db.base import utcnow
from agent_hub.housekeeping import service
from agent_hub.media.models import JOB_DONE, JOB_FAILED, JOB_QUEUED, MediaJob
from agent_hub.webhooks.models import WebhookDelivery
from tests.cli.test_cli import run
from tests.conftest import Hub

NOW = utcnow()
DAY = timedelta(days=1)


def _delivery(agent_id: str, status: str, age: timedelta, tag: str) -> WebhookDelivery:
    at = NOW - age
    return WebhookDelivery(
        agent_id=agent_id,
        event="notification",
        payload=json.dumps({"tag": tag}),
        status=status,
        attempts=1,
        next_attempt_at=at,
        created_at=at,
    )


def _job(agent_id: str, status: str, age: timedelta, tag: str, finished: bool = True) -> MediaJob:
    at = NOW - age
    return MediaJob(
        kind="image",
        target_type="post",
        target_id=str(uuid.uuid4()),
        agent_id=agent_id,
        object_key=tag,
        content_type="image/png",
        status=status,
        run_after=at,
        created_at=at,
        finished_at=at if finished else None,
    )


def _session(owner_id: str, tag: str, *, expires: datetime, last_used: datetime) -> AuthSession:
    return AuthSession(
        token_hash=tag.ljust(64, "0"),
        owner_id=owner_id,
        created_at=NOW - 2 * DAY,
        last_used_at=last_used,
        expires_at=expires,
        auth_at=NOW - 2 * DAY,
        auth_method="password",
    )


async def _seed(hub: Hub) -> dict[str, list[Any]]:
    async with hub.app.state.sessionmaker() as db, db.begin():
        agent, _ = await create_agent(db, name="housekept", agent_type="claude", active=True)
        human, _ = await create_agent(db, name="the_owner", agent_type="human", active=True, allow_human=True)
        owner = Owner(agent_id=human.id, username="owner", webauthn_user_id=uuid.uuid4().hex)
        db.add(owner)
        await db.flush()
        gone = [
            _delivery(agent.id, "delivered", 8 * DAY, "d-old"),
            _delivery(agent.id, "failed", 8 * DAY, "f-old"),
            _delivery(agent.id, "cancelled", 30 * DAY, "c-old"),
            _job(agent.id, JOB_DONE, 8 * DAY, "j-done-old"),
            _job(agent.id, JOB_FAILED, 9 * DAY, "j-failed-old"),
            _job(agent.id, JOB_DONE, 10 * DAY, "j-done-legacy", finished=False),
            _session(owner.id, "expired", expires=NOW - timedelta(minutes=1), last_used=NOW - timedelta(hours=1)),
            _session(owner.id, "idle", expires=NOW + 20 * DAY, last_used=NOW - 8 * DAY),
            SetupToken(
                token_hash="used".ljust(64, "0"), created_at=NOW - 3 * DAY, expires_at=NOW + DAY, used_at=NOW - 2 * DAY
            ),
            SetupToken(token_hash="lapsed".ljust(64, "0"), created_at=NOW - 4 * DAY, expires_at=NOW - 2 * DAY),
            SecurityEvent(owner_id=owner.id, kind="login", created_at=NOW - 400 * DAY),
        ]
        kept = [
            _delivery(agent.id, "pending", 30 * DAY, "p-old"),  # still to be delivered: never pruned
            _delivery(agent.id, "delivered", 6 * DAY, "d-recent"),
            _job(agent.id, JOB_QUEUED, 30 * DAY, "j-queued-old", finished=False),
            _job(agent.id, JOB_DONE, 6 * DAY, "j-done-recent"),
            _session(owner.id, "live", expires=NOW + 20 * DAY, last_used=NOW - DAY),
            SetupToken(token_hash="fresh".ljust(64, "0"), created_at=NOW, expires_at=NOW + DAY),
            SetupToken(
                token_hash="justlapsed".ljust(64, "0"), created_at=NOW - DAY, expires_at=NOW - timedelta(minutes=5)
            ),
            SecurityEvent(owner_id=owner.id, kind="login", created_at=NOW - 300 * DAY),
        ]
        db.add_all(gone + kept)
    return {"gone": gone, "kept": kept}


async def _count(hub: Hub, model: Any) -> int:
    async with hub.app.state.sessionmaker() as db:
        return int((await db.execute(select(func.count()).select_from(model))).scalar_one())


async def test_prunes_exactly_what_is_past_retention(hub: Hub) -> None:
    await _seed(hub)
    settings = hub.app.state.settings
    deleted = await service.prune(hub.app.state.sessionmaker, settings, now=NOW)
    assert deleted == {
        "webhook_deliveries": 3,
        "media_jobs": 3,
        "auth_sessions": 2,
        "auth_setup_tokens": 2,
        "auth_events": 1,
    }
    async with hub.app.state.sessionmaker() as db:
        payloads = sorted((await db.execute(select(WebhookDelivery.payload))).scalars())
        jobs = sorted((await db.execute(select(MediaJob.object_key))).scalars())
        sessions = sorted((await db.execute(select(AuthSession.token_hash))).scalars())
        tokens = sorted(h.rstrip("0") for h in (await db.execute(select(SetupToken.token_hash))).scalars())
    assert [json.loads(p)["tag"] for p in payloads] == ["d-recent", "p-old"]
    assert jobs == ["j-done-recent", "j-queued-old"]
    assert [s.rstrip("0") for s in sessions] == ["live"]
    assert tokens == ["fresh", "justlapsed"]
    assert await _count(hub, SecurityEvent) == 1
    # A second pass finds nothing; the counter saw every deleted row.
    assert set((await service.prune(hub.app.state.sessionmaker, settings, now=NOW)).values()) == {0}
    metrics = (await hub.client.get("/metrics")).text
    assert 'housekeeping_deleted_total{table="webhook_deliveries"}' in metrics


async def test_retention_zero_keeps_everything_of_that_kind(make_hub: Any) -> None:
    hub = await make_hub(webhook_delivery_retention_days=0, media_job_retention_days=0, audit_retention_days=0)
    await _seed(hub)
    deleted = await service.prune(hub.app.state.sessionmaker, hub.app.state.settings, now=NOW)
    assert "webhook_deliveries" not in deleted and "media_jobs" not in deleted and "auth_events" not in deleted
    assert await _count(hub, WebhookDelivery) == 5 and await _count(hub, MediaJob) == 5
    assert await _count(hub, SecurityEvent) == 2
    assert deleted["auth_sessions"] == 2  # a dead session has no use to keep


async def test_a_backlog_goes_in_batches(hub: Hub) -> None:
    async with hub.app.state.sessionmaker() as db, db.begin():
        agent, _ = await create_agent(db, name="busy_hook", agent_type="claude", active=True)
        db.add_all(_delivery(agent.id, "delivered", 10 * DAY, str(i)) for i in range(2 * service.BATCH + 7))
        db.add(_delivery(agent.id, "delivered", DAY, "young"))
    deleted = await service.prune(hub.app.state.sessionmaker, hub.app.state.settings, now=NOW)
    assert deleted["webhook_deliveries"] == 2 * service.BATCH + 7
    assert await _count(hub, WebhookDelivery) == 1


async def test_each_api_process_prunes_on_its_own(make_hub: Any) -> None:
    # First run within 0.2 s, then every 0.2 s. No delivery loop: it would cancel the pending
    # row (the agent has no webhook), and a cancelled row this old is pruned too.
    hub = await make_hub(housekeeping_seconds=0.2, webhook_worker_in_process=False)
    async with hub.app.state.sessionmaker() as db, db.begin():
        agent, _ = await create_agent(db, name="background", agent_type="claude", active=True)
        db.add(_delivery(agent.id, "delivered", 10 * DAY, "old"))
        db.add(_delivery(agent.id, "pending", 10 * DAY, "due"))
    for _ in range(100):
        if await _count(hub, WebhookDelivery) == 1:
            break
        await asyncio.sleep(0.05)
    async with hub.app.state.sessionmaker() as db:
        assert (await db.execute(select(WebhookDelivery.status))).scalars().all() == ["pending"]


def test_prune_command(tmp_path: Path) -> None:
    assert run(tmp_path, "migrate").returncode == 0
    out = run(tmp_path, "prune")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {
        "auth_events": 0,
        "auth_sessions": 0,
        "auth_setup_tokens": 0,
        "media_jobs": 0,
        "webhook_deliveries": 0,
    }
