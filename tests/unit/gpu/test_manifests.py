"""Every rendered Kubernetes object validates (strict) against the bundled Kubernetes schemas of kubernetes-validate."""

from __future__ import annotations

from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from gpu.k8s import DeploymentConfig, render_all, to_yaml
from gpu.serve_config import VLLMServeConfig

K8S_VERSION = "1.33.0"
CHECKED_IN = Path(__file__).resolve().parents[3] / "gpu" / "manifests" / "nexus.yaml"


def by_name(manifests: list[dict], kind: str, name: str) -> dict:
    return next(m for m in manifests if m["kind"] == kind and m["metadata"]["name"] == name)


@pytest.mark.parametrize("tp", [1, 4])
def test_every_object_passes_strict_schema_validation(tp: int) -> None:
    manifests = render_all(DeploymentConfig(vllm=VLLMServeConfig(tensor_parallel_size=tp)))
    for manifest in yaml.safe_load_all(to_yaml(manifests)):  # what kubectl would read
        # raises ValidationError / SchemaNotFoundError: both fail the test
        kubernetes_validate.validate(manifest, K8S_VERSION, strict=True)


def test_validator_catches_a_broken_manifest() -> None:
    deployment = by_name(render_all(), "Deployment", "nexus-api")
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["pathh"] = "/readyz"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSION, strict=True)


def test_api_pods_probe_healthz_and_readyz_and_read_external_stores_by_name() -> None:
    manifests = render_all()
    api = by_name(manifests, "Deployment", "nexus-api")["spec"]["template"]["spec"]["containers"][0]
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    externals = {m["metadata"]["name"] for m in manifests if m["kind"] == "Service"
                 and m["spec"].get("type") == "ExternalName"}
    assert externals == {"postgres-primary", "postgres-replica", "milvus", "neo4j", "mongodb", "redis", "keycloak",
                         "kafka"}
    config = by_name(manifests, "ConfigMap", "nexus-config")["data"]
    assert config["NEXUS_OPENAI_STRUCTURED_MODE"] == "json_schema"
    assert config["NEXUS_OPENAI_BASE_URL"] == "http://nexus-vllm:8001/v1"
    secrets = {e["name"] for e in api["env"]}
    assert {"NEXUS_DATABASE_URL", "NEXUS_DATABASE_READ_URL", "NEXUS_CHECKPOINT_URL"} <= secrets


def test_vllm_pod_asks_for_as_many_gpus_as_tensor_parallel_ranks() -> None:
    manifests = render_all(DeploymentConfig(vllm=VLLMServeConfig(tensor_parallel_size=8)))
    vllm = by_name(manifests, "Deployment", "nexus-vllm")["spec"]["template"]["spec"]["containers"][0]
    assert vllm["resources"]["limits"]["nvidia.com/gpu"] == "8"
    assert vllm["args"][vllm["args"].index("--tensor-parallel-size") + 1] == "8"


def test_checked_in_manifests_match_the_renderer() -> None:
    # gpu/manifests/nexus.yaml is `nexus gpu manifests` output; regenerate it when the renderer changes.
    assert CHECKED_IN.read_text() == to_yaml(render_all())
