"""`agent-hub doctor`: every finding against real services (SQLite, PostgreSQL, Valkey, an S3
server on loopback) and real settings; the exit status an init container relies on."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_hub import cli
from agent_hub.config import Settings, get_settings
from agent_hub.db.migrate import upgrade_async
from agent_hub.doctor import checks
from tests.media.conftest import s3_endpoint  # noqa: F401 - pytest fixture


def by_check(findings: list[checks.Finding]) -> dict[str, list[checks.Finding]]:
    out: dict[str, list[checks.Finding]] = {}
    for f in findings:
        out.setdefault(f.check, []).append(f)
    return out


def levels(findings: list[checks.Finding], check: str) -> list[str]:
    return [f.level for f in findings if f.check == check]


async def test_a_migrated_database_is_at_head(database_url: str, tmp_path: Path) -> None:
    found = await checks.database(Settings(database_url=database_url, data_dir=tmp_path))
    assert [f.level for f in found] == ["ok", "ok"], found
    assert found[1].message.startswith("at head (")


async def test_an_empty_and_a_half_migrated_database_are_errors_with_the_fix(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    settings.data_dir.mkdir(exist_ok=True)
    empty = await checks.database(settings)
    assert empty[1] == checks.Finding("error", "migrations", "the database has no schema", "run `agent-hub migrate`")
    await upgrade_async(settings, "0001_core")
    half = await checks.database(settings)
    assert half[1].level == "error" and "pending migration(s)" in half[1].message and "0003_auth" in half[1].message
    assert "agent-hub migrate" in half[1].fix


async def test_an_unreachable_database_is_an_error(tmp_path: Path) -> None:
    url = "postgresql://postgres@127.0.0.1:1/nothing"
    found = await checks.database(Settings(database_url=url, data_dir=tmp_path))
    assert [f.level for f in found] == ["error"] and "DATABASE_URL" in found[0].fix


async def test_valkey_reachable_and_not(redis_url: str, tmp_path: Path) -> None:
    assert (await checks.valkey(Settings(redis_url=redis_url, data_dir=tmp_path)))[0].level == "ok"
    down = await checks.valkey(Settings(redis_url="redis://127.0.0.1:1/0", data_dir=tmp_path))
    assert down[0].level == "error" and "REDIS_URL" in down[0].fix
    alone = Settings(environment="production", database_url="postgresql://x@127.0.0.1/x", data_dir=tmp_path)
    assert (await checks.valkey(alone))[0].level == "warn"


async def test_s3_bucket_reachable_and_wrong_credentials(s3_endpoint: str, tmp_path: Path) -> None:  # noqa: F811
    common = {"s3_endpoint": s3_endpoint, "s3_bucket": "doctor-test", "data_dir": tmp_path}
    good = await checks.media_store(Settings(**common, s3_access_key="testing", s3_secret_key="testing"))
    assert good[0].level == "ok" and "doctor-test" in good[0].message
    down = await checks.media_store(Settings(**common, s3_access_key="testing"))  # no secret key
    assert down[0].level == "error" and "S3_ENDPOINT" in down[0].fix


def test_production_settings_that_cannot_work_are_errors(tmp_path: Path) -> None:
    settings = Settings(
        environment="production",
        database_url="postgresql://x@127.0.0.1/x",
        public_url="http://203.0.113.9",
        data_dir=tmp_path,
    )
    found = by_check(checks.settings_findings(settings))
    assert levels(found["public url"], "public url") == ["error"]  # http in production
    assert levels(found["webauthn rp id"], "webauthn rp id") == ["error"]  # an IP cannot be an RP ID
    assert levels(found["secret key"], "secret key") == ["error"]
    assert levels(found["trusted proxies"], "trusted proxies") == ["warn"]
    assert levels(found["metrics"], "metrics") == ["warn"]
    for finding in checks.settings_findings(settings):
        assert finding.level == "ok" or finding.fix, finding


def test_the_embedded_default_has_no_findings(tmp_path: Path) -> None:
    found = checks.settings_findings(Settings(data_dir=tmp_path))
    assert [f for f in found if f.level == "error"] == []
    assert {f.check for f in found} >= {"public url", "secret key", "trusted proxies", "metrics", "audio engines"}


def test_engine_chains(tmp_path: Path) -> None:
    unknown = checks.engines(Settings(data_dir=tmp_path, image_engines=["ocr", "magic"], audio_engines=["basic"]))
    assert checks.Finding(
        "error", "image engines", "unknown engine 'magic'", "use one of basic, ocr, vision_anthropic, vision_openai in "
        "AGENT_HUB_IMAGE_ENGINES"
    ) in unknown  # fmt: skip
    nothing = checks.engines(Settings(data_dir=tmp_path, audio_engines=["openai_audio"]))
    assert any(f.level == "error" and f.message == "no audio engine in the chain can run" for f in nothing), nothing
    default = checks.engines(Settings(data_dir=tmp_path))
    assert [f for f in default if f.level == "error"] == []


def test_exit_status_and_version(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AGENT_HUB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AGENT_HUB_IMAGE_ENGINES", "magic")
    get_settings.cache_clear()
    try:
        assert cli.main(["doctor", "--offline"]) == 1
        out = capsys.readouterr().out
        assert "ERROR image engines: unknown engine 'magic'" in out
        assert out.splitlines()[-1] == "2 error(s), 0 warning(s)"
        monkeypatch.delenv("AGENT_HUB_IMAGE_ENGINES")
        get_settings.cache_clear()
        assert cli.main(["doctor", "--offline"]) == 0
        assert capsys.readouterr().out.splitlines()[-1] == "0 error(s), 0 warning(s)"
        with pytest.raises(SystemExit) as exit_info:
            cli.main(["--version"])
        assert exit_info.value.code == 0 and capsys.readouterr().out.startswith("agent-hub ")
    finally:
        get_settings.cache_clear()


def test_search_engine_reports_the_model_or_keywords_only(tmp_path: Path) -> None:
    # The dev install has the `search` extra: the pinned model file is found and verified.
    assert checks.search_engine(Settings(data_dir=tmp_path)) == [
        checks.ok("search", "semantic and keywords (all-MiniLM-L6-v2-int8, checksum verified)")
    ]
    off = checks.search_engine(Settings(data_dir=tmp_path, search_semantic=False))
    assert off == [checks.ok("search", "keywords only (AGENT_HUB_SEARCH_SEMANTIC=false)")]
