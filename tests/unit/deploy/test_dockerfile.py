"""The container image the manifests name: built by the same install script as `make install`, non-root, offline,
with health checks. No container engine runs here, so the Dockerfile is linted and checked against the repository."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def instructions(name: str) -> list[str]:
    joined = DOCKERFILE.replace("\\\n", " ")
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.upper().startswith(name + " ")]


def test_hadolint_is_clean() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    done = subprocess.run([hadolint, "--config", str(ROOT / ".hadolint.yaml"), str(ROOT / "Dockerfile")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_installs_with_the_script_make_install_runs() -> None:
    assert any("scripts/install-runtime.sh" in run for run in instructions("RUN"))
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "bash scripts/install-runtime.sh $(PY)" in makefile


def test_every_copied_path_exists_and_the_app_packages_are_all_copied() -> None:
    sources = [part for copy in instructions("COPY") if "--from" not in copy for part in copy.split()[:-1]]
    for source in sources:
        assert (ROOT / source).exists(), source
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}
    assert packages <= {s.rstrip("/") for s in sources}


def test_runs_as_non_root_offline_with_health_checks() -> None:
    assert instructions("USER") == ["10001"]  # the manifests' runAsUser
    env = " ".join(instructions("ENV"))
    for variable in ("HF_HUB_OFFLINE=1", "TRANSFORMERS_OFFLINE=1", "HAYSTACK_TELEMETRY_ENABLED=False"):
        assert variable in env
    assert "/healthz" in instructions("HEALTHCHECK")[0]
    assert "/readyz" in DOCKERFILE
    assert re.search(r"FROM python:3\.11-slim", DOCKERFILE)


def test_the_manifests_deploy_this_image() -> None:
    images = {container["image"]
              for doc in yaml.safe_load_all((ROOT / "gpu" / "manifests" / "nexus.yaml").read_text(encoding="utf-8"))
              if doc and doc.get("kind") in {"Deployment", "Job"}
              for container in doc["spec"]["template"]["spec"]["containers"]
              if container["image"].startswith("nexus-assistant")}
    assert images == {"nexus-assistant:0.1.0"}
    assert "nexus-assistant:0.1.0" in DOCKERFILE
