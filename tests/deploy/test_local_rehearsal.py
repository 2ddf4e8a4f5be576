"""End-to-end test of the local rehearsal of the production topology (deploy/local/up.sh):
NGINX with TLS in front of two API processes, one media worker and the UI, sharing PostgreSQL,
Redis and an S3 server. Everything goes through the proxy over HTTPS, as a browser or an agent
would; the replicas' own ports are read only to prove which one did what.

The tests share one rehearsal (starting it is the slow part) and run in file order: the owner
first, the destructive SIGTERM/SIGKILL test last. The rate-limit profile is `relaxed` because the
load test writes many comments per agent; limits are still enforced, so exact counts across both
replicas prove they share Redis. Decision record: docs/decisions/0010-local-rehearsal.md.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest

from tests.deploy.conftest import in_ci
from tests.deploy.rehearsal import (
    LOCAL,
    PORT_NAMES,
    REPO_ROOT,
    Rehearsal,
    free_port,
    poll,
    upstream_of,
    ws_connect,
    ws_wait,
)
from tests.media import samples

pytestmark = pytest.mark.slow
PASSWORD = "rehearsal violet tractor 42 harbour"
CSRF = {"X-Requested-With": "agent-hub"}
OWNER = "alice"
OWNER_IP = "127.0.0.5"  # any 127/8 address is loopback; a distinct one shows IP forwarding works
PIN_A, PIN_B = {"X-Rehearsal-Replica": "a"}, {"X-Rehearsal-Replica": "b"}


def _require_tools() -> None:
    missing = [
        t
        for t in ("nginx", "openssl", "psql", "setsid", "curl", "espeak-ng", "sox")
        if shutil.which(t) is None and not (t == "nginx" and Path("/usr/sbin/nginx").exists())
    ]
    if not (REPO_ROOT / "ui" / "node_modules" / ".bin" / "next").exists():
        missing.append("ui/node_modules (npm ci in ui/)")
    try:
        import moto.server  # noqa: F401
    except ImportError:
        missing.append("moto[server]")
    if missing:
        message = f"local rehearsal needs: {', '.join(missing)} (scripts/setup.sh installs them)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def reh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rehearsal]:
    _require_tools()
    rehearsal = Rehearsal(tmp_path_factory.mktemp("rehearsal"), {name: free_port() for name in PORT_NAMES})
    try:
        rehearsal.up({"AGENT_HUB_RATE_LIMITS": "relaxed", "AGENT_HUB_REGISTRATION": "closed"})
        yield rehearsal
    finally:
        print(rehearsal.down())


@dataclass
class Owner:
    client: Any
    totp: pyotp.TOTP
    username: str


@pytest.fixture(scope="module")
def owner(reh: Rehearsal) -> Iterator[Owner]:
    """First-run setup (setup token from the CLI, password + TOTP), then a fresh login."""
    issued = reh.agent_hub("setup-token")
    assert issued.returncode == 0, issued.stderr
    token = re.search(r"ahs_[A-Za-z0-9_-]+", issued.stderr).group(0)  # type: ignore[union-attr]
    with reh.client(OWNER_IP, headers={**CSRF, "Origin": reh.base}) as client:
        r = client.post("/auth/setup/start", json={"setup_token": token, "username": OWNER})
        assert r.status_code == 200, r.text
        r = client.post("/auth/setup/password", json={"password": PASSWORD})
        assert r.status_code == 200, r.text
        totp = pyotp.TOTP(r.json()["totp"]["secret"])
        r = client.post("/auth/setup/totp", json={"code": totp.now()})
        assert r.status_code == 201, r.text
        assert client.post("/auth/logout").status_code == 200
        assert client.get("/auth/status").json()["authenticated"] is False
        # A code is accepted once; the next time step is inside the allowed drift: no waiting.
        r = client.post(
            "/auth/login/password",
            json={"username": OWNER, "password": PASSWORD, "totp_code": totp.at(time.time() + 30)},
        )
        assert r.status_code == 200, r.text
        yield Owner(client, totp, OWNER)


def make_agent(reh: Rehearsal, owner: Owner, name: str) -> dict[str, str]:
    r = owner.client.post("/api/v1/keys/agents", json={"name": name, "type": "claude", "description": "rehearsal"})
    assert r.status_code in (200, 201), r.text
    body = r.json()
    return {"name": name, "id": body["agent"]["id"], "key": body["api_key"]}


def bearer(agent: dict[str, str], **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {agent['key']}", **extra}


def sdk(reh: Rehearsal, agent: dict[str, str]) -> Any:
    from agent_hub_client import Client

    return Client([reh.base], api_key=agent["key"], transport=reh.transport(), timeout=20)


def test_scripts_pass_shellcheck() -> None:
    from tests.deploy.conftest import find_tool, run

    result = run([find_tool("shellcheck"), "--severity=warning", *map(str, sorted(LOCAL.glob("*.sh")))])
    assert result.returncode == 0, result.stdout + result.stderr


# --- 1. the owner ----------------------------------------------------------------------------
def test_owner_signs_in_and_the_ui_is_served_through_the_proxy(reh: Rehearsal, owner: Owner) -> None:
    status = owner.client.get("/auth/status").json()
    assert status["authenticated"] is True and status["owner"]["username"] == OWNER
    cookie = next(c for c in owner.client.cookies.jar if c.name.endswith("agent_hub_session"))
    assert cookie.name == "__Host-agent_hub_session" and cookie.secure  # https public URL
    # The session was created through NGINX: the app saw the forwarded client IP, not a guess.
    sessions = owner.client.get("/auth/sessions").json()["sessions"]
    assert sessions[0]["ip"] == OWNER_IP
    with reh.client() as browser:
        page = browser.get("/login")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "<html" in page.text.lower() and "x-powered-by" not in page.headers
        assert browser.get("/metrics").status_code == 404  # never exposed by the ingress
        api = browser.get("/api/v1/submolts")
        assert api.headers["content-type"].startswith("application/json")
    plain = subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", f"http://127.0.0.1:{reh.ports['HTTPS']}/login"],
        capture_output=True,
        text=True,
    )
    assert plain.stdout == "400"  # the proxy speaks TLS only


# --- 2. media: an image and a voice note, described by the worker, stored in S3 ----------------
def test_agent_posts_image_and_voice_note(reh: Rehearsal, owner: Owner, tmp_path: Path) -> None:
    agent = make_agent(reh, owner, "shutterbug")
    voice = samples.speech_wav(tmp_path / "note.wav").read_bytes()
    image = samples.traceback_screenshot()
    # The uploader hears about its own uploads; the owner about the post it watches.
    with (
        ws_connect(reh, bearer(agent)) as own_ws,
        ws_connect(reh, {"Cookie": owner_cookie(owner), "Origin": reh.base}) as owner_ws,
        sdk(reh, agent) as hub,
    ):
        ws_wait(own_ws, lambda e: e["type"] == "hello", 10, "hello (agent)")
        ws_wait(owner_ws, lambda e: e["type"] == "hello", 10, "hello (owner)")
        post = hub.create_post("general", "Login crash", "Screenshot attached.", media=image, filename="crash.png")[
            "post"
        ]
        # The owner opens the post (as its page in the UI does), then the voice note arrives.
        owner_ws.send(json.dumps({"type": "subscribe", "post_id": post["id"]}))
        ws_wait(owner_ws, lambda e: e["type"] == "subscribed", 10, "subscribed")
        comment = hub.create_comment(post["id"], "Voice note attached.", media=voice, filename="note.wav")["comment"]
        ready = ws_wait(
            owner_ws,
            lambda e: e["type"] == "media_ready" and e["media"]["target_id"] == comment["id"],
            90,
            "media_ready for the voice note",
        )
        assert "password" in ready["media"]["media_description"].lower()
        mine = ws_wait(
            own_ws,
            lambda e: e["type"] == "media_ready" and e["media"]["target_id"] == post["id"],
            60,
            "media_ready for the image",
        )
        assert mine["media"]["media_status"] == "ready"

        described = poll(lambda: _ready(hub.get_post(post["id"])["post"]), 60, "the image description")
        assert "TypeError" in described["media_description"] and "auth.py" in described["media_description"]
        text = hub.get_comment(comment["id"])["comment"]["media_description"].lower()
        assert "transcript" in text and "password" in text and "session" in text
    # The bytes live in the S3 server, and are served back through the proxy.
    keys = {
        row[0]
        for row in reh.sql(
            f"select media_key from posts where id = '{post['id']}' union all "
            f"select media_key from comments where id = '{comment['id']}'"
        )
    }
    assert len(keys) == 2 and keys <= reh.s3_keys()
    with reh.client() as browser:
        media = browser.get(described["media_url"].removeprefix(reh.base), headers=bearer(agent))
        assert media.status_code == 200 and media.headers["content-type"].startswith("image/")


def _ready(post: dict[str, Any]) -> dict[str, Any] | None:
    return post if post.get("media_status") == "ready" else None


def owner_cookie(owner: Owner) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in owner.client.cookies.jar if c.name.endswith("agent_hub_session"))


# --- 3. realtime across replicas --------------------------------------------------------------
def test_websocket_on_a_hears_a_comment_served_by_b(reh: Rehearsal, owner: Owner) -> None:
    author, commenter = make_agent(reh, owner, "listener"), make_agent(reh, owner, "chatter")
    with reh.client() as http:
        post = http.post(
            "/api/v1/posts",
            headers=bearer(author),
            json={"submolt": "general", "title": "Anyone there?", "content": "Ping me."},
        ).json()["post"]
        with ws_connect(reh, bearer(author, **PIN_A)) as ws:
            ws_wait(ws, lambda e: e["type"] == "hello", 10, "hello")
            assert _gauge(reh.metrics("a"), "websocket_connections") >= 1
            assert _gauge(reh.metrics("b"), "websocket_connections") == 0
            r = http.post(
                f"/api/v1/posts/{post['id']}/comments",
                headers=bearer(commenter, **PIN_B),
                json={"content": "Pong from replica B."},
            )
            assert r.status_code == 201, r.text
            comment = r.json()["comment"]
            event = ws_wait(
                ws,
                lambda e: e["type"] == "inbox_update" and (e.get("latest") or {}).get("comment_id") == comment["id"],
                15,
                "inbox_update for the comment",
            )
            assert event["latest"]["type"] == "comment" and event["unread_count"] >= 1
    served = [upstream_of(line) for line in reh.access_log() if f"POST /api/v1/posts/{post['id']}/comments" in line]
    assert served == [f"127.0.0.1:{reh.ports['API_B']}"]


def _gauge(text: str, name: str) -> float:
    match = re.search(rf"^{name}(?:{{[^}}]*}})? ([0-9.e+-]+)$", text, re.M)
    assert match, f"{name} not exported"
    return float(match.group(1))


# --- 4. rate limits are shared by both replicas ---------------------------------------------
def test_rate_limits_hold_across_replicas(reh: Rehearsal, owner: Owner) -> None:
    agent = make_agent(reh, owner, "prolific")
    with reh.client() as http:
        # `relaxed`: 30 posts an hour per agent, alternating replicas. Counted per replica they
        # would allow 60.
        for n in range(30):
            r = http.post(
                "/api/v1/posts",
                headers=bearer(agent, **(PIN_A if n % 2 else PIN_B)),
                json={"submolt": "general", "title": f"Post {n}", "content": "x"},
            )
            assert r.status_code == 201, (n, r.text)
        for pin in (PIN_A, PIN_B):
            r = http.post(
                "/api/v1/posts",
                headers=bearer(agent, **pin),
                json={"submolt": "general", "title": "One too many", "content": "x"},
            )
            assert r.status_code == 429 and r.headers.get("retry-after"), r.text
    # Anonymous traffic is keyed on the client IP NGINX forwards: 5 sign-in attempts a minute.
    # Two "clients" on distinct loopback addresses; a fresh pair per run, so no earlier counter.
    octets = random.sample(range(2, 250), 2)
    first, second = f"127.9.{octets[0]}.{octets[1]}", f"127.9.{octets[1]}.{octets[0]}"
    browser = {**CSRF, "Origin": reh.base}
    with reh.client(first, headers=browser) as one, reh.client(second, headers=browser) as other:

        def attempt(client: Any, pin: dict[str, str], **headers: str) -> int:
            body = {"username": f"nobody{random.randrange(10**9)}", "password": "wrong " * 4, "totp_code": "000000"}
            return client.post("/auth/login/password", json=body, headers={**pin, **headers}).status_code

        assert [attempt(one, PIN_A if n % 2 else PIN_B) for n in range(5)] == [401] * 5
        assert attempt(one, PIN_A) == 429 and attempt(one, PIN_B) == 429
        # A forged X-Forwarded-For does not help: NGINX replaces it with the real peer.
        assert attempt(one, PIN_B, **{"X-Forwarded-For": "198.51.100.7"}) == 429
        assert attempt(other, PIN_B) == 401  # someone else is not throttled


# --- 5. stopping a replica under load -----------------------------------------------------------
class FirstAttemptTo(httpx.BaseTransport):
    """Sends the first attempt of each keyed request to one replica, as if the balancer had
    picked it; the SDK's retries are balanced normally (a pinned retry could never fail over)."""

    def __init__(self, inner: httpx.BaseTransport, replica: str) -> None:
        self.inner, self.replica, self.seen = inner, replica, set[str]()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        key = request.headers.get("idempotency-key")
        if key and key not in self.seen:
            self.seen.add(key)
            request.headers["X-Rehearsal-Replica"] = self.replica
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def test_sigterm_then_sigkill_under_load_loses_nothing(reh: Rehearsal, owner: Owner) -> None:
    writers = [make_agent(reh, owner, f"writer{i}") for i in range(5)]
    victims = [make_agent(reh, owner, f"straggler{i}") for i in range(2)]
    with sdk(reh, writers[0]) as hub:
        post = hub.create_post("general", "Load", "Comments under load")["post"]
        slow = hub.create_post("general", "Slow", "Comments that outlive the grace period")["post"]
    stop = threading.Event()
    acked: list[str] = []
    errors: list[BaseException] = []
    reads = Counter[str]()

    def write(agent: dict[str, str]) -> None:
        with sdk(reh, agent) as hub:
            n = 0
            while not stop.is_set():
                content = f"{agent['name']}-{n}"
                try:
                    hub.create_comment(post["id"], content)
                except BaseException as exc:  # noqa: BLE001 - any raise fails the test
                    errors.append(exc)
                    return
                acked.append(content)
                n += 1
                time.sleep(1.05)  # the `relaxed` comment cooldown is 1 s per agent

    def read() -> None:
        with sdk(reh, writers[0]) as hub:
            while not stop.is_set():
                try:
                    hub.get_post(post["id"])
                    hub.list_comments(post["id"], sort="new")
                except BaseException as exc:  # noqa: BLE001
                    errors.append(exc)
                    return
                reads["ok"] += 1
                time.sleep(0.05)

    straggled: list[str] = []

    def straggle(agent: dict[str, str]) -> None:
        from agent_hub_client import Client

        with Client(
            [reh.base], api_key=agent["key"], transport=FirstAttemptTo(reh.transport(), "a"), timeout=60
        ) as hub:
            try:
                hub.create_comment(slow["id"], agent["name"])
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)
                return
            straggled.append(agent["name"])

    threads = [threading.Thread(target=write, args=(a,)) for a in writers] + [threading.Thread(target=read)]
    stragglers = [threading.Thread(target=straggle, args=(a,)) for a in victims]
    log_start = len(reh.access_log())
    # A WebSocket held open on A, as real clients have.
    with ws_connect(reh, bearer(writers[1], **PIN_A)) as ws:
        ws_wait(ws, lambda e: e["type"] == "hello", 10, "hello")
        for t in threads:
            t.start()
        try:
            _stop_a_under_load(reh, acked, slow["id"], stragglers)
        finally:
            stop.set()
            for t in threads + stragglers:
                t.join(timeout=90)
    assert not errors, f"SDK calls raised: {errors!r}"
    assert reads["ok"] > 0 and sorted(straggled) == sorted(a["name"] for a in victims)

    # Every acknowledged write exists exactly once, and nothing else was written.
    rows = Counter(row[0] for row in reh.sql(f"select content from comments where post_id = '{post['id']}'"))
    assert rows == Counter(acked), {"missing": set(acked) - set(rows), "extra": rows - Counter(acked)}
    rows = Counter(row[0] for row in reh.sql(f"select content from comments where post_id = '{slow['id']}'"))
    assert rows == Counter(straggled)
    # Both replicas carried the load before the stop; afterwards only B did.
    lines = [line for line in reh.access_log()[log_start:] if f"/api/v1/posts/{post['id']}/comments" in line]
    ports = Counter(upstream_of(line).split(", ")[-1] for line in lines if "POST" in line)
    assert ports[f"127.0.0.1:{reh.ports['API_A']}"] > 0 and ports[f"127.0.0.1:{reh.ports['API_B']}"] > 0
    answers = Counter(line.split('" ', 1)[1].split()[0] for line in reh.access_log()[log_start:])
    print(f"load: {len(acked)} comments, {reads['ok']} reads, proxy answers: {answers}")
    assert (
        subprocess.run(["curl", "-fsS", "-o", "/dev/null", reh.replica_url("b") + "/ready"], check=False).returncode
        == 0
    )


def _stop_a_under_load(reh: Rehearsal, acked: list[str], slow_post: str, stragglers: list[threading.Thread]) -> None:
    """Once the load runs: two requests stuck on A (a held row lock stands in for any request
    slower than the grace period), SIGTERM to A, SIGKILL 1 s later (the grace period ends),
    then more load on B."""
    poll(lambda: len(acked) >= 10, 30, "load to build up")
    locker = subprocess.Popen(
        ["psql", reh.settings["DATABASE_URL"], "-qAt", "-v", "ON_ERROR_STOP=1"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert locker.stdin is not None and locker.stdout is not None
    try:
        locker.stdin.write(f"BEGIN; SELECT 'locked' FROM posts WHERE id = '{slow_post}' FOR UPDATE;\n")
        locker.stdin.flush()
        assert locker.stdout.readline().strip() == "locked"
        for t in stragglers:
            t.start()
        waiting = (
            "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'"
        )
        poll(lambda: int(reh.sql(waiting)[0][0]) >= len(stragglers), 30, "the stragglers to wait on A")
        reh.signal("api-a", signal.SIGTERM)
        time.sleep(1.0)
        assert reh.alive("api-a"), "A should still be draining its stuck requests"
        reh.signal("api-a", signal.SIGKILL)
        poll(lambda: not reh.alive("api-a"), 10, "API A to be gone")
    finally:
        locker.stdin.write("ROLLBACK;\n")
        locker.stdin.close()
        locker.wait(timeout=30)
        locker.stdout.close()
    at_kill = len(acked)
    poll(lambda: len(acked) >= at_kill + 10, 30, "load to continue on B")
