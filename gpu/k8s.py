"""Kubernetes manifests for the scaled-out deployment, rendered from code so they cannot drift from the settings.

What is rendered: the stateless API workers (Deployment, Service, PodDisruptionBudget, HorizontalPodAutoscaler) with
probes on ``/healthz`` and ``/readyz``; a migration Job; the outbox relay; vLLM on GPUs; the ``NEXUS_`` settings as a
ConfigMap; and ``ExternalName`` Services that name the externally run stores (PostgreSQL primary and replica, Milvus,
Neo4j, MongoDB, Redis, Keycloak, Kafka), so the workers' settings say ``postgres-primary`` and operators point that
name at their real host. Secrets are referenced by name and never rendered.

``tests/unit/gpu/test_manifests.py`` validates every object against the Kubernetes OpenAPI schemas (strict).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gpu.serve_config import VLLMServeConfig

Manifest = dict[str, Any]

SECRET_NAME = "nexus-secrets"
# Secret keys the workers read (operators create them: see docs/scaling.md).
SECRET_KEYS = ("NEXUS_DATABASE_URL", "NEXUS_DATABASE_READ_URL", "NEXUS_CHECKPOINT_URL", "NEXUS_MONGO_URI",
               "NEXUS_GRAPH_PASSWORD", "NEXUS_OIDC_CLIENT_SECRET", "NEXUS_OPENAI_API_KEY")


@dataclass(frozen=True)
class ExternalStores:
    """DNS names of the stores that run outside the cluster (or in their own operators' namespaces)."""

    postgres_primary: str = "pg-primary.db.example.internal"
    postgres_replica: str = "pg-replica.db.example.internal"
    milvus: str = "milvus.vector.example.internal"
    neo4j: str = "neo4j.graph.example.internal"
    mongodb: str = "mongodb.docs.example.internal"
    redis: str = "redis.cache.example.internal"
    keycloak: str = "keycloak.auth.example.internal"
    kafka: str = "kafka.events.example.internal"

    def services(self) -> dict[str, str]:
        return {"postgres-primary": self.postgres_primary, "postgres-replica": self.postgres_replica,
                "milvus": self.milvus, "neo4j": self.neo4j, "mongodb": self.mongodb, "redis": self.redis,
                "keycloak": self.keycloak, "kafka": self.kafka}


@dataclass(frozen=True)
class DeploymentConfig:
    """The knobs of a deployment; defaults size a small production (3 API pods, one 8B model on one GPU)."""

    image: str = "nexus-assistant:0.1.0"
    vllm_image: str = "vllm/vllm-openai:v0.11.0"
    api_replicas: int = 3
    api_max_replicas: int = 12
    workers_per_pod: int = 2
    vllm_replicas: int = 1
    models_claim: str = "nexus-models"
    oidc_realm: str = "nexus"
    vllm: VLLMServeConfig = field(default_factory=VLLMServeConfig)
    stores: ExternalStores = field(default_factory=ExternalStores)


def _labels(component: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": "nexus", "app.kubernetes.io/component": component}


def _meta(name: str, component: str) -> dict[str, Any]:
    return {"name": name, "labels": _labels(component)}


def _http_probe(path: str, port: int | str, period: int, failures: int, delay: int = 0) -> dict[str, Any]:
    return {"httpGet": {"path": path, "port": port}, "periodSeconds": period, "failureThreshold": failures,
            "timeoutSeconds": 3, "initialDelaySeconds": delay}


def _secret_env() -> list[dict[str, Any]]:
    return [{"name": key, "valueFrom": {"secretKeyRef": {"name": SECRET_NAME, "key": key, "optional":
                                                         key in ("NEXUS_DATABASE_READ_URL", "NEXUS_OIDC_CLIENT_SECRET",
                                                                 "NEXUS_OPENAI_API_KEY")}}}
            for key in SECRET_KEYS]


def _restricted_security() -> dict[str, Any]:
    return {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]}}


def settings_configmap(cfg: DeploymentConfig) -> Manifest:
    """The non-secret ``NEXUS_`` settings every API pod (and the relay) reads."""
    data = {
        "NEXUS_HOST": "0.0.0.0",
        "NEXUS_PORT": "8000",
        "NEXUS_WORKERS": str(cfg.workers_per_pod),
        "NEXUS_DATA_DIR": "/var/lib/nexus",
        "NEXUS_AUTH_MODE": "oidc",
        "NEXUS_OIDC_SERVER_URL": "http://keycloak:8080/",
        "NEXUS_OIDC_REALM": cfg.oidc_realm,
        "NEXUS_MILVUS_URI": "http://milvus:19530",
        "NEXUS_GRAPH_URI": "bolt://neo4j:7687",
        "NEXUS_GRAPH_USER": "neo4j",
        "NEXUS_REDIS_URL": "redis://redis:6379/0",
        "NEXUS_KAFKA_BOOTSTRAP": "kafka:9092",
        "NEXUS_EMBEDDING_DEVICE": "auto",
        "NEXUS_LOG_JSON": "true",
        **cfg.vllm.nexus_env(service_host="nexus-vllm"),
    }
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta("nexus-config", "api"), "data": data}


def external_services(cfg: DeploymentConfig) -> list[Manifest]:
    """One ``ExternalName`` Service per external store: in-cluster names stay fixed, operators repoint them."""
    return [{"apiVersion": "v1", "kind": "Service", "metadata": _meta(name, "external-store"),
             "spec": {"type": "ExternalName", "externalName": host}}
            for name, host in cfg.stores.services().items()]


def _nexus_container(cfg: DeploymentConfig, name: str, args: list[str]) -> dict[str, Any]:
    return {"name": name, "image": cfg.image, "imagePullPolicy": "IfNotPresent", "command": ["nexus"], "args": args,
            "envFrom": [{"configMapRef": {"name": "nexus-config"}}], "env": _secret_env(),
            "securityContext": _restricted_security(),
            "volumeMounts": [{"name": "data", "mountPath": "/var/lib/nexus"}, {"name": "tmp", "mountPath": "/tmp"}]}


def _pod_volumes() -> list[dict[str, Any]]:
    return [{"name": "data", "emptyDir": {}}, {"name": "tmp", "emptyDir": {}}]


def api_manifests(cfg: DeploymentConfig) -> list[Manifest]:
    container = _nexus_container(cfg, "api", ["serve", "--host", "0.0.0.0", "--port", "8000",
                                              "--workers", str(cfg.workers_per_pod)])
    container.update({
        "ports": [{"name": "http", "containerPort": 8000}],
        # Liveness: the process answers. Readiness: the model server and database answer (503 + reasons if not).
        "livenessProbe": _http_probe("/healthz", "http", period=10, failures=3),
        "readinessProbe": _http_probe("/readyz", "http", period=5, failures=2),
        "startupProbe": _http_probe("/healthz", "http", period=2, failures=60),
        "resources": {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"memory": "4Gi"}},
    })
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta("nexus-api", "api"),
        "spec": {"replicas": cfg.api_replicas, "selector": {"matchLabels": _labels("api")},
                 "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
                 "template": {"metadata": {"labels": _labels("api")},
                              "spec": {"securityContext": {"runAsNonRoot": True, "runAsUser": 10001,
                                                           "fsGroup": 10001},
                                       "terminationGracePeriodSeconds": 30,
                                       "containers": [container], "volumes": _pod_volumes()}}}}
    service = {"apiVersion": "v1", "kind": "Service", "metadata": _meta("nexus-api", "api"),
               "spec": {"selector": _labels("api"),
                        "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}}
    pdb = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": _meta("nexus-api", "api"),
           "spec": {"minAvailable": 1, "selector": {"matchLabels": _labels("api")}}}
    hpa = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": _meta("nexus-api", "api"),
           "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "nexus-api"},
                    "minReplicas": cfg.api_replicas, "maxReplicas": cfg.api_max_replicas,
                    "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                        "type": "Utilization", "averageUtilization": 70}}}]}}
    return [deployment, service, pdb, hpa]


def migration_job(cfg: DeploymentConfig) -> Manifest:
    """Alembic to head once per release, before the API pods roll (workers never race to migrate)."""
    container = _nexus_container(cfg, "migrate", ["db", "upgrade"])
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": _meta("nexus-migrate", "migrate"),
            "spec": {"backoffLimit": 2, "template": {"metadata": {"labels": _labels("migrate")}, "spec": {
                "restartPolicy": "Never", "securityContext": {"runAsNonRoot": True, "runAsUser": 10001},
                "containers": [container], "volumes": _pod_volumes()}}}}


def outbox_relay_manifest(cfg: DeploymentConfig) -> Manifest:
    """One relay is enough (it locks the rows it publishes); Recreate keeps it from running twice during a roll."""
    container = _nexus_container(cfg, "relay", ["outbox", "relay"])
    container["resources"] = {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta("nexus-outbox-relay", "outbox-relay"),
            "spec": {"replicas": 1, "strategy": {"type": "Recreate"},
                     "selector": {"matchLabels": _labels("outbox-relay")},
                     "template": {"metadata": {"labels": _labels("outbox-relay")}, "spec": {
                         "securityContext": {"runAsNonRoot": True, "runAsUser": 10001},
                         "containers": [container], "volumes": _pod_volumes()}}}}


def vllm_manifests(cfg: DeploymentConfig) -> list[Manifest]:
    """vLLM Deployment + Service: GPUs as resources, weights from a volume, shared memory for tensor parallelism."""
    v = cfg.vllm
    argv = v.argv()
    gpus = str(v.tensor_parallel_size)
    env = []
    if v.api_key_env:
        env.append({"name": v.api_key_env, "valueFrom": {"secretKeyRef": {
            "name": SECRET_NAME, "key": "NEXUS_OPENAI_API_KEY", "optional": True}}})
    env += [{"name": "HF_HUB_OFFLINE", "value": "1"}, {"name": "VLLM_NO_USAGE_STATS", "value": "1"}]
    container = {
        "name": "vllm", "image": cfg.vllm_image, "command": argv[:2], "args": argv[2:], "env": env,
        "ports": [{"name": "http", "containerPort": v.port}],
        "resources": {"requests": {"nvidia.com/gpu": gpus, "cpu": "4", "memory": "32Gi"},
                      "limits": {"nvidia.com/gpu": gpus, "memory": "64Gi"}},
        # vLLM answers /health once the engine is up; loading an 8B model takes a minute or two.
        "startupProbe": _http_probe("/health", "http", period=10, failures=60),
        "livenessProbe": _http_probe("/health", "http", period=15, failures=3),
        "readinessProbe": _http_probe("/v1/models", "http", period=10, failures=3),
        "volumeMounts": [{"name": "models", "mountPath": "/models", "readOnly": True},
                         {"name": "shm", "mountPath": "/dev/shm"}],
    }
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta("nexus-vllm", "vllm"),
        "spec": {"replicas": cfg.vllm_replicas, "selector": {"matchLabels": _labels("vllm")},
                 "strategy": {"type": "Recreate"},
                 "template": {"metadata": {"labels": _labels("vllm")}, "spec": {
                     "containers": [container],
                     "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
                     "volumes": [{"name": "models", "persistentVolumeClaim": {"claimName": cfg.models_claim,
                                                                              "readOnly": True}},
                                 {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "16Gi"}}]}}}}
    service = {"apiVersion": "v1", "kind": "Service", "metadata": _meta("nexus-vllm", "vllm"),
               "spec": {"selector": _labels("vllm"), "ports": [{"name": "http", "port": v.port,
                                                                 "targetPort": "http"}]}}
    return [deployment, service]


def render_all(cfg: DeploymentConfig | None = None) -> list[Manifest]:
    """Every object of the deployment, in apply order."""
    cfg = cfg or DeploymentConfig()
    return [settings_configmap(cfg), *external_services(cfg), migration_job(cfg), *api_manifests(cfg),
            outbox_relay_manifest(cfg), *vllm_manifests(cfg)]


def to_yaml(manifests: list[Manifest]) -> str:
    import yaml

    return "---\n".join(yaml.safe_dump(m, sort_keys=False, default_flow_style=False) for m in manifests)
