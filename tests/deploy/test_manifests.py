"""Offline checks of deploy/: every kustomize overlay renders, built-in kinds validate
strictly (kubernetes-validate), custom resources validate against the vendored CRD
schemas with unknown fields rejected, and the manifests keep the deployment's promises
(routing, security context, probes, NetworkPolicies, monitoring wiring)."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import jsonschema
import pytest
import yaml

from .conftest import DEPLOY, K8S, OVERLAYS, REPO_ROOT, find_tool, run

KUBERNETES_VERSION = "1.31"
APP_NAMESPACE = "agent-hub"
MEDIA_BODY_LIMIT = 26 * 1024 * 1024
INGRESS_NAMESPACE = {"traefik": "traefik", "nginx": "ingress-nginx"}


# ----------------------------------------------------------------------- helpers
def docs_of(rendered: dict[str, list[dict]], overlay: str, kind: str) -> list[dict]:
    return [d for d in rendered[overlay] if d["kind"] == kind]


def one(rendered: dict[str, list[dict]], overlay: str, kind: str, name: str) -> dict:
    found = [d for d in docs_of(rendered, overlay, kind) if d["metadata"]["name"] == name]
    assert len(found) == 1, f"{overlay}: expected one {kind}/{name}, found {len(found)}"
    return found[0]


def pod_spec(doc: dict) -> dict:
    if doc["kind"] in {"Deployment", "StatefulSet", "DaemonSet", "Job"}:
        return doc["spec"]["template"]["spec"]
    raise AssertionError(f"no pod template in {doc['kind']}")


def workloads(rendered: dict[str, list[dict]], overlay: str) -> Iterator[dict]:
    for doc in rendered[overlay]:
        if doc["kind"] in {"Deployment", "StatefulSet", "DaemonSet", "Job"}:
            yield doc


def env_of(container: dict) -> dict[str, dict]:
    return {e["name"]: e for e in container.get("env", [])}


def config_map(rendered: dict[str, list[dict]], overlay: str, prefix: str = "agent-hub-config") -> dict:
    found = [d for d in docs_of(rendered, overlay, "ConfigMap") if d["metadata"]["name"].startswith(prefix + "-")]
    assert len(found) == 1, f"{overlay}: expected one {prefix}-<hash> ConfigMap"
    return found[0]


def labels_match(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


# ------------------------------------------------------------- (a) rendering
def test_every_overlay_is_rendered() -> None:
    assert {"production", "dev", "nginx", "valkey", "tunnel"} <= set(OVERLAYS)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders_without_duplicates(rendered: dict[str, list[dict]], overlay: str) -> None:
    seen: set[tuple[str, str, str, str]] = set()
    for doc in rendered[overlay]:
        assert {"apiVersion", "kind", "metadata"} <= doc.keys(), doc
        key = (doc["apiVersion"], doc["kind"], doc["metadata"].get("namespace", ""), doc["metadata"]["name"])
        assert key not in seen, f"{overlay}: duplicate {key}"
        seen.add(key)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_namespaces(rendered: dict[str, list[dict]], overlay: str) -> None:
    cluster_scoped = {"Namespace", "ClusterIssuer"}
    for doc in rendered[overlay]:
        ns = doc["metadata"].get("namespace")
        if doc["kind"] in cluster_scoped:
            assert ns is None, f"{overlay}: cluster-scoped {doc['kind']} has namespace {ns}"
        elif doc["metadata"]["name"] == "valkey" or ns == "valkey":
            assert overlay == "valkey" and ns == "valkey", f"{overlay}: {doc['kind']}/{doc['metadata']['name']}"
        else:
            assert ns == APP_NAMESPACE, f"{overlay}: {doc['kind']}/{doc['metadata']['name']} in {ns!r}"


# ------------------------------------------- (b) built-in kinds, strict schemas
def builtin_docs(rendered: dict[str, list[dict]], crd_kinds: set[tuple[str, str]]) -> Iterator[tuple[str, dict]]:
    for overlay, docs in rendered.items():
        for doc in docs:
            if (doc["apiVersion"], doc["kind"]) not in crd_kinds:
                yield overlay, doc


def test_builtin_kinds_validate_strictly(
    rendered: dict[str, list[dict]], crd_schemas: dict[tuple[str, str], dict]
) -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    from kubernetes_validate.utils import SchemaNotFoundError, ValidationError

    errors = []
    count = 0
    for overlay, doc in builtin_docs(rendered, set(crd_schemas)):
        name = f"{overlay}: {doc['kind']}/{doc['metadata']['name']}"
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
            count += 1
        except ValidationError as exc:
            path = ".".join(str(p) for p in exc.path)
            errors.append(f"{name}: {path}: {exc.message}")
        except SchemaNotFoundError as exc:
            errors.append(f"{name}: neither a built-in kind nor a vendored CRD ({exc.message})")
    assert not errors, "\n".join(errors)
    assert count > 20


def test_strict_builtin_validation_rejects_unknown_fields() -> None:
    """Guard against a silently lax validator: a misspelled field must fail."""
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    from kubernetes_validate.utils import ValidationError

    bad = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "x"},
        "spec": {"selector": {"a": "b"}, "ports": [{"port": 80, "targetPrt": 8000}]},
    }
    with pytest.raises(ValidationError):
        kubernetes_validate.validate(bad, KUBERNETES_VERSION, strict=True)


# ------------------------------------------------ (c) custom resources vs CRDs
INLINE_FLAGS = re.compile(r"\(\?([aiLmsux]+)\)")


def _pattern(validator: Any, pattern: str, instance: Any, schema: dict) -> Iterator[jsonschema.ValidationError]:
    """`pattern` that accepts Go-style inline flags anywhere (moved to the front)."""
    if not validator.is_type(instance, "string"):
        return
    flags = "".join(INLINE_FLAGS.findall(pattern))
    if flags:
        pattern = f"(?{''.join(sorted(set(flags)))})" + INLINE_FLAGS.sub("", pattern)
    if not re.search(pattern, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


CRDValidator = jsonschema.validators.extend(jsonschema.Draft4Validator, {"pattern": _pattern})


def strict_schema(schema: dict) -> dict:
    """Copy of a structural schema where objects with `properties` reject unknown keys
    (as the API server's strict field validation does). Walks properties, items and
    additionalProperties only; never anyOf/oneOf/allOf/not."""
    schema = copy.deepcopy(schema)

    def walk(node: Any) -> None:
        if not isinstance(node, dict):
            return
        if "properties" in node:
            if "additionalProperties" not in node and not node.get("x-kubernetes-preserve-unknown-fields"):
                node["additionalProperties"] = False
            for child in node["properties"].values():
                walk(child)
        if isinstance(node.get("items"), dict):
            walk(node["items"])
        if isinstance(node.get("additionalProperties"), dict):
            walk(node["additionalProperties"])

    walk(schema)
    return schema


def crd_errors(doc: dict, schema: dict) -> list[str]:
    validator = CRDValidator(strict_schema(schema))
    return [
        f"{'.'.join(str(p) for p in err.absolute_path) or '<root>'}: {err.message}"
        for err in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    ]


def test_custom_resources_validate_against_crds(
    rendered: dict[str, list[dict]], crd_schemas: dict[tuple[str, str], dict]
) -> None:
    errors = []
    kinds_seen = set()
    for overlay, docs in rendered.items():
        for doc in docs:
            key = (doc["apiVersion"], doc["kind"])
            if key not in crd_schemas:
                continue
            kinds_seen.add(doc["kind"])
            for err in crd_errors(doc, crd_schemas[key]):
                errors.append(f"{overlay}: {doc['kind']}/{doc['metadata']['name']}: {err}")
    assert not errors, "\n".join(errors)
    expected = {
        "Cluster",
        "ObjectStore",
        "ScheduledBackup",
        "ServiceMonitor",
        "PodMonitor",
        "PrometheusRule",
        "Certificate",
        "ClusterIssuer",
        "Middleware",
    }
    assert expected <= kinds_seen, f"not validated: {expected - kinds_seen}"


def test_crd_validation_rejects_unknown_and_wrong_fields(
    rendered: dict[str, list[dict]], crd_schemas: dict[tuple[str, str], dict]
) -> None:
    cluster = copy.deepcopy(one(rendered, "production", "Cluster", "agent-hub-db"))
    schema = crd_schemas[(cluster["apiVersion"], "Cluster")]
    assert crd_errors(cluster, schema) == []
    cluster["spec"]["storage"]["sizee"] = "1Gi"  # misspelled field
    assert any("sizee" in e for e in crd_errors(cluster, schema))
    backup = copy.deepcopy(one(rendered, "production", "ScheduledBackup", "agent-hub-db-daily"))
    backup["spec"]["method"] = "tape"  # not in the enum
    assert crd_errors(backup, crd_schemas[(backup["apiVersion"], "ScheduledBackup")])
    rule = copy.deepcopy(one(rendered, "production", "PrometheusRule", "agent-hub"))
    rule["spec"]["groups"][0]["partial_response_strategy"] = "warn"  # (?i) pattern
    assert crd_errors(rule, crd_schemas[(rule["apiVersion"], "PrometheusRule")]) == []
    rule["spec"]["groups"][0]["partial_response_strategy"] = "sometimes"
    assert crd_errors(rule, crd_schemas[(rule["apiVersion"], "PrometheusRule")])


# ---------------------------------------------------------- (f) yamllint
def test_yamllint_deploy_tree() -> None:
    pytest.importorskip("yamllint")
    from yamllint import linter
    from yamllint.config import YamlLintConfig

    config = YamlLintConfig(file=str(DEPLOY / ".yamllint"))
    problems = []
    files = sorted(p for p in DEPLOY.rglob("*") if p.suffix in {".yaml", ".yml"} and ".terraform" not in p.parts)
    assert len(files) > 15
    for path in files:
        for problem in linter.run(path.read_text(encoding="utf-8"), config, str(path)):
            if problem.level == "error" or problem.level == "warning":
                problems.append(f"{path.relative_to(REPO_ROOT)}:{problem.line}:{problem.column}: {problem.message}")
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------- the promises
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_are_locked_down(rendered: dict[str, list[dict]], overlay: str) -> None:
    for doc in workloads(rendered, overlay):
        name = f"{overlay}: {doc['kind']}/{doc['metadata']['name']}"
        spec = pod_spec(doc)
        psc = spec.get("securityContext", {})
        assert psc.get("runAsNonRoot") is True, name
        assert psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", name
        assert spec.get("automountServiceAccountToken") is False, name
        for c in spec["containers"] + spec.get("initContainers", []):
            sc = c.get("securityContext", {})
            assert sc.get("allowPrivilegeEscalation") is False, f"{name}/{c['name']}"
            assert sc.get("readOnlyRootFilesystem") is True, f"{name}/{c['name']}"
            assert sc.get("capabilities", {}).get("drop") == ["ALL"], f"{name}/{c['name']}"
            assert "requests" in c.get("resources", {}) and "limits" in c["resources"], f"{name}/{c['name']}"
            image = c["image"]
            tag = image.rsplit("/", 1)[-1]
            assert ":" in tag or "@sha256:" in image, f"{name}: untagged image {image}"
            assert not tag.endswith(":latest"), f"{name}: {image}"
        if doc["metadata"]["name"].startswith("agent-hub"):
            mounts = {m["mountPath"]: m["name"] for c in spec["containers"] for m in c.get("volumeMounts", [])}
            volumes = {v["name"]: v for v in spec.get("volumes", [])}
            assert "/tmp" in mounts and "emptyDir" in volumes[mounts["/tmp"]], f"{name}: /tmp must be an emptyDir"
            psc_user = psc.get("runAsUser")
            assert psc_user == 10001, f"{name}: runAsUser {psc_user}"
            assert spec.get("enableServiceLinks") is False, name


def test_api_deployment(rendered: dict[str, list[dict]]) -> None:
    api = one(rendered, "production", "Deployment", "agent-hub-api")
    assert api["spec"]["replicas"] == 2
    spec = pod_spec(api)
    (c,) = spec["containers"]
    assert c["image"].startswith("docker.io/ronaldraygun/agent-hub-api:")
    assert c["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
    assert c["args"][0] == "serve"
    assert c["resources"] == {
        "requests": {"cpu": "100m", "memory": "256Mi"},
        "limits": {"cpu": "500m", "memory": "512Mi"},
    }
    assert c["livenessProbe"]["httpGet"]["path"] == "/health"
    assert c["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert c["startupProbe"]["httpGet"]["path"] == "/health"
    env = env_of(c)
    assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {"name": "agent-hub-database-url", "key": "uri"}
    assert env["AGENT_HUB_S3_ACCESS_KEY"]["valueFrom"]["secretKeyRef"]["name"] == "agent-hub-s3"
    assert env["AGENT_HUB_S3_SECRET_KEY"]["valueFrom"]["secretKeyRef"]["name"] == "agent-hub-s3"
    (ref,) = c["envFrom"]
    cm = config_map(rendered, "production")
    assert ref["configMapRef"]["name"] == cm["metadata"]["name"]
    data = cm["data"]
    assert data["REDIS_URL"] == "redis://valkey.valkey.svc.cluster.local:6379/0"
    assert data["S3_ENDPOINT"] == "http://seaweedfs-s3.seaweedfs.svc.cluster.local:8333"
    assert data["AGENT_HUB_ENVIRONMENT"] == "production"
    assert data["AGENT_HUB_MIGRATE_ON_START"] == "false"
    assert data["AGENT_HUB_MEDIA_WORKER_IN_PROCESS"] == "false"
    assert data["ALLOWED_ORIGINS"] == data["AGENT_HUB_PUBLIC_URL"]
    for key in ("AGENT_HUB_TRUSTED_PROXIES", "AGENT_HUB_METRICS_ALLOWED_CIDRS"):
        import ipaddress

        for cidr in data[key].split(","):
            assert ipaddress.ip_network(cidr).is_private, f"{key}={data[key]}"
    spread = spec["topologySpreadConstraints"]
    assert spread and spread[0]["topologyKey"] == "kubernetes.io/hostname"

    pdb = one(rendered, "production", "PodDisruptionBudget", "agent-hub-api")
    assert pdb["spec"]["minAvailable"] == 1
    hpa = one(rendered, "production", "HorizontalPodAutoscaler", "agent-hub-api")
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 5)
    assert hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 70


def test_ui_and_worker_and_migration(rendered: dict[str, list[dict]]) -> None:
    ui = one(rendered, "production", "Deployment", "agent-hub-ui")
    assert ui["spec"]["replicas"] == 2
    assert pod_spec(ui)["containers"][0]["ports"][0]["containerPort"] == 3000
    one(rendered, "production", "PodDisruptionBudget", "agent-hub-ui")
    one(rendered, "production", "HorizontalPodAutoscaler", "agent-hub-ui")

    worker = one(rendered, "production", "Deployment", "agent-hub-media-processor")
    spec = pod_spec(worker)
    (c,) = spec["containers"]
    assert c["args"] == ["worker", "--metrics-port", "9100"]
    assert c["resources"] == {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": "2", "memory": "3Gi"}}
    assert env_of(c)["AGENT_HUB_WHISPER_MODEL_DIR"]["value"] == "/models/whisper"
    mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
    model_volume = {v["name"]: v for v in spec["volumes"]}[mounts["/models"]["name"]]
    assert model_volume["persistentVolumeClaim"]["claimName"] == "agent-hub-whisper-model"
    api_image = pod_spec(one(rendered, "production", "Deployment", "agent-hub-api"))["containers"][0]["image"]
    assert c["image"] == api_image

    job = one(rendered, "production", "Job", "agent-hub-migrate")
    annotations = job["metadata"]["annotations"]
    assert annotations["argocd.argoproj.io/hook"] == "PreSync"
    assert "pre-upgrade" in annotations["helm.sh/hook"]
    assert job["spec"]["ttlSecondsAfterFinished"] > 0
    (mc,) = pod_spec(job)["containers"]
    assert mc["args"] == ["migrate"] and mc["image"] == api_image


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_references_resolve(rendered: dict[str, list[dict]], overlay: str) -> None:
    """Services select pods, PDB/HPA target Deployments, ConfigMap refs exist."""
    docs = rendered[overlay]
    pod_labels = [
        (d["metadata"].get("namespace"), d["spec"]["template"]["metadata"]["labels"])
        for d in docs
        if d["kind"] == "Deployment"
    ]
    deployments = {d["metadata"]["name"] for d in docs if d["kind"] == "Deployment"}
    configmaps = {d["metadata"]["name"] for d in docs if d["kind"] == "ConfigMap"}
    for doc in docs:
        ns = doc["metadata"].get("namespace")
        if doc["kind"] == "Service":
            sel = doc["spec"]["selector"]
            assert any(n == ns and labels_match(sel, lab) for n, lab in pod_labels), (
                f"{overlay}: {doc['metadata']['name']}"
            )
        elif doc["kind"] == "PodDisruptionBudget":
            sel = doc["spec"]["selector"]["matchLabels"]
            assert any(n == ns and labels_match(sel, lab) for n, lab in pod_labels), doc["metadata"]["name"]
        elif doc["kind"] == "HorizontalPodAutoscaler":
            assert doc["spec"]["scaleTargetRef"]["name"] in deployments
    for doc in workloads(rendered, overlay):
        for c in pod_spec(doc)["containers"]:
            for ref in c.get("envFrom", []):
                assert ref["configMapRef"]["name"] in configmaps, f"{overlay}: {ref}"
            for e in c.get("env", []):
                ref = e.get("valueFrom", {}).get("configMapKeyRef")
                if ref:
                    (cm,) = [d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == ref["name"]]
                    assert ref["key"] in cm["data"], f"{overlay}: {ref}"


def _service_ports(rendered: dict[str, list[dict]], overlay: str) -> dict[str, set]:
    return {
        s["metadata"]["name"]: {p.get("name") for p in s["spec"]["ports"]} | {p["port"] for p in s["spec"]["ports"]}
        for s in docs_of(rendered, overlay, "Service")
    }


@pytest.mark.parametrize("overlay", [o for o in OVERLAYS if o != "tunnel"])
def test_ingress_routes_only_public_paths(rendered: dict[str, list[dict]], overlay: str) -> None:
    services = _service_ports(rendered, overlay)
    cm = config_map(rendered, overlay)["data"]
    host = urlparse(cm["AGENT_HUB_PUBLIC_URL"]).hostname
    routes: dict[str, str] = {}
    for ing in docs_of(rendered, overlay, "Ingress"):
        assert ing["spec"]["tls"] == [{"hosts": [host], "secretName": "agent-hub-tls"}]
        for rule in ing["spec"]["rules"]:
            assert rule["host"] == host
            for path in rule["http"]["paths"]:
                svc = path["backend"]["service"]
                port = svc["port"].get("name") or svc["port"].get("number")
                assert port in services[svc["name"]], f"{overlay}: {svc}"
                assert path["pathType"] == ("Exact" if path["path"] == "/mcp" else "Prefix")
                routes[path["path"]] = svc["name"]
    assert routes == {
        "/api": "agent-hub-api",
        "/auth": "agent-hub-api",
        "/api/v1/ws": "agent-hub-api",
        "/mcp": "agent-hub-api",
        "/": "agent-hub-ui",
    }, routes
    for cert in docs_of(rendered, overlay, "Certificate"):
        assert cert["spec"]["dnsNames"] == [host] and cert["spec"]["secretName"] == "agent-hub-tls"


@pytest.mark.parametrize("overlay", [o for o in OVERLAYS if o != "tunnel"])
def test_ingress_controller_specifics(rendered: dict[str, list[dict]], overlay: str) -> None:
    ingresses = {i["metadata"]["name"]: i for i in docs_of(rendered, overlay, "Ingress")}
    classes = {i["spec"]["ingressClassName"] for i in ingresses.values()}
    assert len(classes) == 1
    (cls,) = classes
    # NetworkPolicies admit exactly the namespace of this ingress controller.
    for name in ("api-ingress", "ui-ingress"):
        pol = one(rendered, overlay, "NetworkPolicy", name)
        ns_labels = [
            f["namespaceSelector"]["matchLabels"].get("kubernetes.io/metadata.name")
            for f in pol["spec"]["ingress"][0]["from"]
            if "namespaceSelector" in f
        ]
        assert INGRESS_NAMESPACE[cls] in ns_labels, f"{overlay}/{name}: {ns_labels}"
        assert not set(INGRESS_NAMESPACE.values()) - {INGRESS_NAMESPACE[cls]} & set(ns_labels)
    if cls == "traefik":
        middlewares = {
            f"{m['metadata']['namespace']}-{m['metadata']['name']}@kubernetescrd": m
            for m in docs_of(rendered, overlay, "Middleware")
        }
        for ing in ingresses.values():
            refs = ing["metadata"]["annotations"]["traefik.ingress.kubernetes.io/router.middlewares"].split(",")
            for ref in refs:
                assert ref in middlewares, f"{overlay}: missing middleware {ref}"
        api_refs = ingresses["agent-hub-api"]["metadata"]["annotations"][
            "traefik.ingress.kubernetes.io/router.middlewares"
        ]
        limits = [
            middlewares[r]["spec"]["buffering"]["maxRequestBodyBytes"]
            for r in api_refs.split(",")
            if "buffering" in middlewares[r]["spec"]
        ]
        assert limits == [MEDIA_BODY_LIMIT]
        ws_refs = ingresses["agent-hub-ws"]["metadata"]["annotations"][
            "traefik.ingress.kubernetes.io/router.middlewares"
        ]
        assert not any("buffering" in middlewares[r]["spec"] for r in ws_refs.split(",")), "never buffer the WebSocket"
        mcp_refs = ingresses["agent-hub-mcp"]["metadata"]["annotations"][
            "traefik.ingress.kubernetes.io/router.middlewares"
        ]
        assert not any("buffering" in middlewares[r]["spec"] for r in mcp_refs.split(",")), "never buffer MCP streams"
    else:
        assert not docs_of(rendered, overlay, "Middleware")
        api = ingresses["agent-hub-api"]["metadata"]["annotations"]
        assert api["nginx.ingress.kubernetes.io/proxy-body-size"] == "26m"
        ws = ingresses["agent-hub-ws"]["metadata"]["annotations"]
        assert ws["nginx.ingress.kubernetes.io/proxy-read-timeout"] == "3600"
        mcp = ingresses["agent-hub-mcp"]["metadata"]["annotations"]
        assert mcp["nginx.ingress.kubernetes.io/proxy-buffering"] == "off"
        assert mcp["nginx.ingress.kubernetes.io/proxy-body-size"] == "36m"
        assert not any(
            k.startswith("traefik.") for i in ingresses.values() for k in i["metadata"].get("annotations", {})
        )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_metrics_are_scraped_but_never_exposed(rendered: dict[str, list[dict]], overlay: str) -> None:
    services = {s["metadata"]["name"]: s for s in docs_of(rendered, overlay, "Service")}
    exposed = {
        p["backend"]["service"]["name"]
        for i in docs_of(rendered, overlay, "Ingress")
        for r in i["spec"]["rules"]
        for p in r["http"]["paths"]
    }
    paths = {
        p["path"] for i in docs_of(rendered, overlay, "Ingress") for r in i["spec"]["rules"] for p in r["http"]["paths"]
    }
    assert not any("metrics" in p for p in paths)
    monitors = docs_of(rendered, overlay, "ServiceMonitor")
    assert {m["metadata"]["name"] for m in monitors} == {"agent-hub-api", "agent-hub-media-processor"}
    for mon in monitors:
        selected = [
            s
            for s in services.values()
            if labels_match(mon["spec"]["selector"]["matchLabels"], s["metadata"].get("labels", {}))
        ]
        assert len(selected) == 1, f"{overlay}: {mon['metadata']['name']} selects {len(selected)} Services"
        (svc,) = selected
        assert svc["metadata"]["name"] not in exposed, "a scraped Service must not be behind the Ingress"
        port_names = {p["name"] for p in svc["spec"]["ports"]}
        for ep in mon["spec"]["endpoints"]:
            assert ep["port"] in port_names and ep["path"] == "/metrics"
    assert services["agent-hub-api-metrics"]["spec"]["selector"] == services["agent-hub-api"]["spec"]["selector"]
    assert [p["port"] for p in services["agent-hub-media-processor-metrics"]["spec"]["ports"]] == [9100]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policies(rendered: dict[str, list[dict]], overlay: str) -> None:
    pols = {
        p["metadata"]["name"]: p
        for p in docs_of(rendered, overlay, "NetworkPolicy")
        if p["metadata"]["namespace"] == APP_NAMESPACE
    }
    deny = pols["default-deny-all"]["spec"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny and "egress" not in deny

    dns = pols["allow-dns-egress"]["spec"]["egress"][0]["ports"]
    assert {(p["protocol"], p["port"]) for p in dns} == {("UDP", 53), ("TCP", 53)}

    backend = pols["backend-egress"]["spec"]
    ports = sorted(p["port"] for rule in backend["egress"] for p in rule["ports"])
    assert ports == [5432, 6379, 8333]
    internet = pols["internet-https-egress"]["spec"]["egress"][0]
    assert [p["port"] for p in internet["ports"]] == [443]
    v4 = next(b["ipBlock"] for b in internet["to"] if b["ipBlock"]["cidr"] == "0.0.0.0/0")
    assert {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"} <= set(v4["except"])

    # Which pods carry the egress roles: API and worker (not UI, not the migration job).
    roles = {}
    for doc in workloads(rendered, overlay):
        labels = doc["spec"]["template"]["metadata"]["labels"]
        roles[doc["metadata"]["name"]] = (
            labels.get("agent-hub.io/backend"),
            labels.get("agent-hub.io/internet-egress"),
        )
    assert roles["agent-hub-api"] == ("true", "true")
    assert roles["agent-hub-media-processor"] == ("true", "true")
    assert roles["agent-hub-migrate"] == ("true", None)
    assert roles["agent-hub-ui"] == (None, None)

    scrape = pols["prometheus-scrape"]["spec"]["ingress"][0]
    assert scrape["from"] == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}]
    assert [p["port"] for p in scrape["ports"]] == [8000]
    api_from = pols["api-ingress"]["spec"]["ingress"]
    assert [p["port"] for rule in api_from for p in rule["ports"]] == [8000]
    # Only namespaces (ingress controller, labelled agent namespaces) reach the API; no pod
    # in agent-hub needs it (the UI calls it from the browser).
    assert all("podSelector" not in f for rule in api_from for f in rule["from"])
    assert "ui-egress" not in pols
    ui_from = pols["ui-ingress"]["spec"]["ingress"]
    assert [p["port"] for rule in ui_from for p in rule["ports"]] == [3000]


def test_database(rendered: dict[str, list[dict]]) -> None:
    cluster = one(rendered, "production", "Cluster", "agent-hub-db")["spec"]
    assert cluster["instances"] == 2
    assert cluster["storage"]["size"] == "10Gi"
    assert cluster["postgresql"]["parameters"] == {"max_connections": "100", "shared_buffers": "256MB"}
    (plugin,) = cluster["plugins"]
    store = one(rendered, "production", "ObjectStore", plugin["parameters"]["barmanObjectName"])["spec"]
    assert plugin["isWALArchiver"] is True
    assert store["retentionPolicy"]
    assert store["configuration"]["endpointURL"] == "http://seaweedfs-s3.seaweedfs.svc.cluster.local:8333"
    creds = store["configuration"]["s3Credentials"]
    assert {creds["accessKeyId"]["name"], creds["secretAccessKey"]["name"]} == {"seaweedfs-backup-credentials"}
    backup = one(rendered, "production", "ScheduledBackup", "agent-hub-db-daily")["spec"]
    assert backup["cluster"]["name"] == "agent-hub-db" and backup["method"] == "plugin"
    assert len(backup["schedule"].split()) == 6  # CNPG cron has a seconds field


def test_secrets_are_documented_and_never_shipped(rendered: dict[str, list[dict]]) -> None:
    ops = (REPO_ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    names = set()
    for overlay in OVERLAYS:
        assert not docs_of(rendered, overlay, "Secret"), "secrets are created by the operator, not shipped"
        for doc in workloads(rendered, overlay):
            for c in pod_spec(doc)["containers"]:
                for e in c.get("env", []):
                    ref = e.get("valueFrom", {}).get("secretKeyRef")
                    if ref:
                        names.add(ref["name"])
    names |= {"seaweedfs-backup-credentials", "cloudflare-api-token", "agent-hub-tls", "agent-hub-db-app"}
    missing = sorted(n for n in names if n not in ops)
    assert not missing, f"undocumented secrets in docs/operations.md: {missing}"


def test_overlay_differences(rendered: dict[str, list[dict]]) -> None:
    dev = config_map(rendered, "dev")["data"]
    assert dev["AGENT_HUB_ENVIRONMENT"] == "development"
    assert one(rendered, "dev", "Deployment", "agent-hub-api")["spec"]["replicas"] == 1
    assert not docs_of(rendered, "dev", "HorizontalPodAutoscaler")
    assert not docs_of(rendered, "dev", "PodDisruptionBudget")
    assert one(rendered, "dev", "Cluster", "agent-hub-db")["spec"]["instances"] == 1

    valkey = one(rendered, "valkey", "Service", "valkey")
    assert valkey["metadata"]["namespace"] == "valkey" and valkey["spec"]["ports"][0]["port"] == 6379
    assert config_map(rendered, "valkey")["data"]["REDIS_URL"].startswith(
        "redis://valkey.valkey.svc.cluster.local:6379"
    )

    assert not docs_of(rendered, "tunnel", "Ingress") and not docs_of(rendered, "tunnel", "Certificate")
    cloudflared = one(rendered, "tunnel", "Deployment", "cloudflared")
    token = env_of(pod_spec(cloudflared)["containers"][0])["TUNNEL_TOKEN"]["valueFrom"]["secretKeyRef"]
    assert token == {"name": "cloudflared-tunnel", "key": "token"}

    assert not docs_of(rendered, "origin-ca", "Certificate") and docs_of(rendered, "origin-ca", "Ingress")


def test_kustomize_reports_broken_manifest(kubectl: str, tmp_path: Any) -> None:
    """The render step is a real check: a broken overlay fails."""
    (tmp_path / "kustomization.yaml").write_text(
        f"resources:\n  - {K8S / 'base'}\n  - missing.yaml\n", encoding="utf-8"
    )
    result = run([kubectl, "kustomize", str(tmp_path)])
    assert result.returncode != 0


def test_kubectl_present_in_ci() -> None:
    find_tool("kubectl")


def test_yaml_files_parse() -> None:
    for path in DEPLOY.rglob("*.yaml"):
        list(yaml.safe_load_all(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_install_phases_are_self_contained(rendered: dict[str, list[dict]], overlay: str) -> None:
    """docs/operations.md applies the database, then config+migration, then the rest by
    label; each phase must carry what it needs."""

    def phase(*components: str) -> list[dict]:
        return [
            d
            for d in rendered[overlay]
            if d["metadata"].get("labels", {}).get("app.kubernetes.io/component") in components
        ]

    assert {d["kind"] for d in phase("database")} == {"Cluster", "ObjectStore", "ScheduledBackup"}
    migrate_phase = phase("config", "migrate")
    names = {(d["kind"], d["metadata"]["name"]) for d in migrate_phase}
    (job,) = [d for d in migrate_phase if d["kind"] == "Job"]
    spec = pod_spec(job)
    assert ("ServiceAccount", spec["serviceAccountName"]) in names
    for c in spec["containers"]:
        for ref in c.get("envFrom", []):
            assert ("ConfigMap", ref["configMapRef"]["name"]) in names
