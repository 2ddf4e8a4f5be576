"""Prometheus rules, their unit tests, the PrometheusRule copy, the Grafana dashboard
and the metric-name contract (deploy/monitoring)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

from .conftest import MONITORING, REPO_ROOT, run

ALERTS = {
    "HighAuthFailureRate",
    "SecurityEventBurst",
    "HighAPIErrorRate",
    "AgentHubAPIDown",
    "AgentHubAPINotReady",
    "MediaQueueBacklog",
    "MediaQueueStale",
    "WebhookFailureRate",
    "DatabaseUnreachable",
    "ValkeyUnreachable",
    "HighAPILatencyP99",
}
METRICS = [
    "http_requests_total",
    "http_request_duration_seconds",
    "auth_attempts_total",
    "security_events_total",
    "active_sessions",
    "agent_posts_total",
    "rate_limited_total",
    "media_jobs_total",
    "media_processing_seconds",
    "media_queue_depth",
    "media_queue_oldest_age_seconds",
    "notifications_created_total",
    "websocket_connections",
    "webhook_deliveries_total",
    "webhook_delivery_seconds",
    "agent_hub_dependency_up",
]
# Series that come from Prometheus itself or kube-state-metrics, not from the app.
EXTERNAL = {"up", "kube_deployment_status_replicas_available", "kube_deployment_spec_replicas"}
PROMQL_WORDS = {
    "sum",
    "max",
    "min",
    "avg",
    "count",
    "by",
    "without",
    "rate",
    "increase",
    "irate",
    "absent",
    "histogram_quantile",
    "or",
    "and",
    "unless",
    "on",
    "ignoring",
    "bool",
    "le",
    "job",
    "route",
    "status",
    "success",
    "dependency",
    "result",
    "namespace",
    "deployment",
    "kind",
    "type",
    "method",
    "limit",
    "agent_type",
}


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def alert_rules() -> list[dict]:
    return [r for g in load(MONITORING / "rules.yaml")["groups"] for r in g["rules"] if "alert" in r]


def metric_names_in(expr: str) -> set[str]:
    expr = re.sub(r'"[^"]*"', '""', expr)  # drop label values
    expr = re.sub(r"\{[^}]*\}", "", expr)  # drop matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # drop ranges
    names = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", expr)) - PROMQL_WORDS
    base = set()
    for name in names:
        for suffix in ("_bucket", "_sum", "_count"):
            if name.endswith(suffix) and name[: -len(suffix)] in METRICS:
                name = name[: -len(suffix)]
        base.add(name)
    return base


def github_slug(heading: str) -> str:
    slug = heading.strip().lower()
    slug = re.sub(r"[^\w\- ]", "", slug)
    return slug.replace(" ", "-")


def test_metric_names_file() -> None:
    lines = (MONITORING / "metric-names.txt").read_text(encoding="utf-8").splitlines()
    assert lines == METRICS


def test_promtool_check_rules(promtool: str) -> None:
    result = run([promtool, "check", "rules", str(MONITORING / "rules.yaml")])
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(alert_rules())} rules found" in result.stdout + result.stderr


def test_promtool_unit_tests(promtool: str) -> None:
    result = run([promtool, "test", "rules", "rules.test.yaml"], cwd=MONITORING)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_unit_tests_catch_a_broken_rule(promtool: str, tmp_path: Path) -> None:
    """Mutation check: loosening one threshold must make the unit tests fail."""
    rules = (MONITORING / "rules.yaml").read_text(encoding="utf-8")
    mutated = rules.replace(
        'media_queue_depth{job=~"agent-hub-.+"}) > 100', 'media_queue_depth{job=~"agent-hub-.+"}) > 10'
    )
    assert mutated != rules
    (tmp_path / "rules.yaml").write_text(mutated, encoding="utf-8")
    (tmp_path / "rules.test.yaml").write_text(
        (MONITORING / "rules.test.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    result = run([promtool, "test", "rules", "rules.test.yaml"], cwd=tmp_path)
    assert result.returncode != 0 and "MediaQueueBacklog" in result.stdout + result.stderr


def test_every_alert_is_defined_and_unit_tested_both_ways() -> None:
    assert {r["alert"] for r in alert_rules()} == ALERTS
    fires, silent = set(), set()
    for case in load(MONITORING / "rules.test.yaml")["tests"]:
        for check in case.get("alert_rule_test", []):
            (fires if check.get("exp_alerts") else silent).add(check["alertname"])
    assert fires == ALERTS, f"no firing test for {ALERTS - fires}"
    assert silent == ALERTS, f"no silent test for {ALERTS - silent}"


def test_alerts_have_severity_and_runbooks_in_operations_doc() -> None:
    ops = (REPO_ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    slugs = {github_slug(m) for m in re.findall(r"^#{1,6} (.+)$", ops, flags=re.M)}
    for rule in alert_rules():
        assert rule["labels"]["severity"] in {"critical", "warning"}
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
        url = rule["annotations"]["runbook_url"]
        page, _, anchor = url.partition("#")
        assert page.endswith("/docs/operations.md"), url
        assert anchor == rule["alert"].lower(), url
        assert anchor in slugs, f"docs/operations.md has no heading for #{anchor}"


def test_prometheusrule_embeds_rules_yaml() -> None:
    result = subprocess.run(
        [sys.executable, str(MONITORING / "sync_prometheusrule.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    resource = load(MONITORING / "prometheusrule.yaml")
    assert resource["kind"] == "PrometheusRule"
    assert resource["spec"] == load(MONITORING / "rules.yaml")


def test_rules_only_use_known_metrics() -> None:
    for rule in alert_rules():
        unknown = metric_names_in(rule["expr"]) - set(METRICS) - EXTERNAL
        assert not unknown, f"{rule['alert']}: unknown series {unknown}"


def test_grafana_dashboard() -> None:
    result = subprocess.run(
        [sys.executable, str(MONITORING / "build_dashboard.py"), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text(encoding="utf-8"))
    assert dashboard["uid"] and dashboard["title"]
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    used: set[str] = set()
    for expr in exprs:
        used |= metric_names_in(expr)
    assert not (used - set(METRICS) - EXTERNAL), used - set(METRICS) - EXTERNAL
    assert set(METRICS) <= used, f"metrics without a panel: {set(METRICS) - used}"
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == "${datasource}"
            g = panel["gridPos"]
            assert 0 <= g["x"] and g["x"] + g["w"] <= 24
