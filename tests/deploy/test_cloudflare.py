"""Cloudflare Terraform (deploy/cloudflare): formatting and internal consistency.
`terraform init/validate` needs the providers from the registry, which CI can't reach,
so this checks what can be checked offline."""

from __future__ import annotations

import re

from .conftest import DEPLOY, find_tool, run

TF = DEPLOY / "cloudflare"


def sources() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(TF.glob("*.tf"))}


def test_terraform_fmt() -> None:
    terraform = find_tool("terraform")  # optional: skips when missing, even in CI
    result = run([terraform, "fmt", "-check", "-recursive", "-diff", str(TF)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_variables_declared_and_used() -> None:
    text = "\n".join(sources().values())
    declared = set(re.findall(r'^variable "([a-z0-9_]+)"', text, flags=re.M))
    used = set(re.findall(r"\bvar\.([a-z0-9_]+)", text))
    assert used <= declared, f"undeclared: {used - declared}"
    assert declared <= used, f"unused: {declared - used}"


def test_resource_references_exist() -> None:
    text = "\n".join(sources().values())
    defined = set(re.findall(r'^(?:resource|data) "([a-z0-9_]+)" "([a-z0-9_]+)"', text, flags=re.M))
    defined_names = {f"{t}.{n}" for t, n in defined}
    defined_names |= {f"data.{t}.{n}" for t, n in defined}
    refs = set(re.findall(r"\b((?:data\.)?(?:cloudflare|tls|random)_[a-z0-9_]+\.[a-z0-9_]+)(?:\[|\.)", text))
    missing = {r for r in refs if r not in defined_names}
    assert not missing, missing
    locals_defined = set(re.findall(r"^\s+([a-z_]+)\s+=", text.split("locals {", 1)[1].split("\n}", 1)[0], flags=re.M))
    assert set(re.findall(r"\blocal\.([a-z_]+)", text)) <= locals_defined


def test_provider_4x_resource_names() -> None:
    text = "\n".join(sources().values())
    assert re.search(r'source\s+=\s+"cloudflare/cloudflare"\s+version\s+=\s+"~> 4\.\d+"', text)
    types = set(re.findall(r'^resource "(cloudflare_[a-z0-9_]+)"', text, flags=re.M))
    v5_only = {"cloudflare_dns_record", "cloudflare_zone_setting", "cloudflare_bot_management_setting"}
    assert not types & v5_only
    expected = {
        "cloudflare_record",
        "cloudflare_zone_settings_override",
        "cloudflare_ruleset",
        "cloudflare_bot_management",
        "cloudflare_origin_ca_certificate",
        "cloudflare_zero_trust_tunnel_cloudflared",
        "cloudflare_zero_trust_tunnel_cloudflared_config",
    }
    assert expected <= types, expected - types


def test_edge_policy() -> None:
    src = sources()
    settings = src["main.tf"]
    for line in (
        'ssl                      = "strict"',
        'always_use_https         = "on"',
        'min_tls_version          = "1.2"',
    ):
        assert line in settings
    phases = set(re.findall(r'phase\s+=\s+"([a-z_]+)"', "\n".join(src.values())))
    assert phases == {
        "http_request_firewall_managed",
        "http_request_firewall_custom",
        "http_ratelimit",
        "http_request_cache_settings",
    }
    security = src["security.tf"]
    assert "4814384a9e5d4991b9815dcfc25d2f1f" in security  # OWASP core ruleset
    assert r"starts_with(http.request.uri.path, \"/auth/login/\")" in security and "managed_challenge" in security
    assert r"http.request.uri.path eq \"/metrics\"" in security
    challenged = re.search(
        r'variable "challenge_path_prefixes".*?default\s+=\s+(\[[^\]]*\])', src["variables.tf"], flags=re.S
    )
    assert challenged and "/auth/login" in challenged.group(1)
    assert '"/auth/"' not in challenged.group(1), (
        "the UI fetches /auth/status everywhere: never challenge all of /auth/"
    )

    cache = src["cache.tf"]
    assert "/_next/static/" in cache and "cache = false" in cache
    variables = src["variables.tf"]
    assert re.search(r'variable "login_rate_limit_per_minute".*?default\s+=\s+10\b', variables, flags=re.S)
    assert re.search(r'variable "api_rate_limit_per_minute".*?default\s+=\s+100\b', variables, flags=re.S)
    tunnel = src["tunnel.tf"]
    assert "agent-hub-api.${var.tunnel_namespace}.svc.cluster.local:8000" in tunnel
