#!/usr/bin/env python3
"""Generate grafana-dashboard.json (Agent Hub overview) from the panel list below.

    python deploy/monitoring/build_dashboard.py          # rewrite the JSON
    python deploy/monitoring/build_dashboard.py --check  # exit 1 if it is stale

tests/deploy checks that the committed JSON equals this output and that every metric in
metric-names.txt appears in at least one panel.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = HERE / "grafana-dashboard.json"

API = 'job="agent-hub-api-metrics"'
ANY = 'job=~"agent-hub-.+"'
NO_WS = f'{API}, route!="/api/v1/ws"'

# (row title, [(panel title, unit, kind, [(expr, legend)])]); kind: timeseries or stat
ROWS: list[tuple[str, list[tuple[str, str, str, list[tuple[str, str]]]]]] = [
    (
        "Overview",
        [
            ("API targets up", "none", "stat", [(f"sum(up{{{API}}})", "up")]),
            ("Dependencies up", "none", "stat",
             [(f"min by (dependency) (agent_hub_dependency_up{{{ANY}}})", "{{dependency}}")]),
            ("Active owner sessions", "none", "stat", [(f"max(active_sessions{{{API}}})", "sessions")]),
            ("WebSocket connections", "none", "stat", [(f"sum(websocket_connections{{{API}}})", "connections")]),
        ],
    ),
    (
        "HTTP",
        [
            ("Requests per second by status", "reqps", "timeseries",
             [(f"sum by (status) (rate(http_requests_total{{{API}}}[5m]))", "{{status}}")]),
            ("5xx ratio", "percentunit", "timeseries",
             [(f'sum(rate(http_requests_total{{{API}, status=~"5.."}}[5m])) / sum(rate(http_requests_total{{{API}}}[5m]))',
               "5xx / all")]),
            ("Latency (WebSocket excluded)", "s", "timeseries",
             [(f"histogram_quantile({q}, sum by (le) (rate(http_request_duration_seconds_bucket{{{NO_WS}}}[5m])))",
               f"p{int(q * 100)}") for q in (0.5, 0.95, 0.99)]),
            ("p95 latency by route", "s", "timeseries",
             [(f"histogram_quantile(0.95, sum by (le, route) (rate(http_request_duration_seconds_bucket{{{NO_WS}}}[5m])))",
               "{{route}}")]),
            ("Rate-limited requests by limit", "reqps", "timeseries",
             [(f"sum by (limit) (rate(rate_limited_total{{{API}}}[5m]))", "{{limit}}")]),
        ],
    ),
    (
        "Auth and activity",
        [
            ("Security events by kind", "ops", "timeseries",
             [(f"sum by (kind) (rate(security_events_total{{{API}}}[5m]))", "{{kind}}")]),
            ("Login attempts by method and outcome", "reqps", "timeseries",
             [(f"sum by (method, success) (rate(auth_attempts_total{{{API}}}[5m]))", "{{method}} success={{success}}")]),
            ("Posts per hour by agent type", "none", "timeseries",
             [(f"sum by (agent_type) (increase(agent_posts_total{{{API}}}[1h]))", "{{agent_type}}")]),
            ("Notifications created by type", "ops", "timeseries",
             [(f"sum by (type) (rate(notifications_created_total{{{ANY}}}[5m]))", "{{type}}")]),
        ],
    ),
    (
        "Media",
        [
            ("Media queue depth", "none", "timeseries", [(f"max(media_queue_depth{{{ANY}}})", "waiting jobs")]),
            ("Oldest waiting media job", "s", "timeseries",
             [(f"max(media_queue_oldest_age_seconds{{{ANY}}})", "oldest job age")]),
            ("Media jobs by kind and result", "ops", "timeseries",
             [(f"sum by (kind, result) (rate(media_jobs_total{{{ANY}}}[5m]))", "{{kind}} {{result}}")]),
            ("Media processing p95 by kind", "s", "timeseries",
             [(f"histogram_quantile(0.95, sum by (le, kind) (rate(media_processing_seconds_bucket{{{ANY}}}[15m])))",
               "{{kind}}")]),
        ],
    ),
    (
        "Webhooks",
        [
            ("Webhook deliveries by result", "ops", "timeseries",
             [(f"sum by (result) (rate(webhook_deliveries_total{{{ANY}}}[5m]))", "{{result}}")]),
            ("Webhook delivery latency", "s", "timeseries",
             [(f"histogram_quantile({q}, sum by (le) (rate(webhook_delivery_seconds_bucket{{{ANY}}}[5m])))",
               f"p{int(q * 100)}") for q in (0.5, 0.95)]),
        ],
    ),
]


def build() -> dict:
    panels: list[dict] = []
    next_id = 1
    y = 0
    for row_title, row_panels in ROWS:
        panels.append({
            "type": "row", "id": next_id, "title": row_title, "collapsed": False,
            "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": [],
        })
        next_id += 1
        y += 1
        per_line = 4 if all(kind == "stat" for _, _, kind, _ in row_panels) else 2
        width = 24 // per_line
        height = 4 if per_line == 4 else 8
        for i, (title, unit, kind, targets) in enumerate(row_panels):
            panel = {
                "type": kind,
                "id": next_id,
                "title": title,
                "datasource": {"type": "prometheus", "uid": "${datasource}"},
                "gridPos": {"h": height, "w": width, "x": (i % per_line) * width, "y": y + (i // per_line) * height},
                "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
                "options": {},
                "targets": [
                    {
                        "refId": chr(ord("A") + n),
                        "datasource": {"type": "prometheus", "uid": "${datasource}"},
                        "expr": expr,
                        "legendFormat": legend,
                    }
                    for n, (expr, legend) in enumerate(targets)
                ],
            }
            if kind == "timeseries":
                panel["options"] = {"legend": {"displayMode": "list", "placement": "bottom"},
                                    "tooltip": {"mode": "multi"}}
            panels.append(panel)
            next_id += 1
        y += ((len(row_panels) + per_line - 1) // per_line) * height
    return {
        "title": "Agent Hub",
        "uid": "agent-hub-overview",
        "description": "Agent Hub API, media worker, webhooks and dependencies (metrics: deploy/monitoring/metric-names.txt)",
        "tags": ["agent-hub"],
        "timezone": "utc",
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "graphTooltip": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Data source",
                    "type": "datasource",
                    "query": "prometheus",
                    "current": {},
                    "hide": 0,
                }
            ]
        },
        "annotations": {"list": []},
        "links": [],
        "panels": panels,
    }


def render() -> str:
    return json.dumps(build(), indent=2, sort_keys=False) + "\n"


def main(argv: list[str]) -> int:
    expected = render()
    if "--check" in argv:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != expected:
            print(f"{TARGET} is stale: run python {Path(__file__).as_posix()}", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(expected, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
