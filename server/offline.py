"""No telemetry, no model hub: the environment every library reads at import time, set before any is imported.

Nexus is a self-hosted ERP assistant: it sends no usage data anywhere and loads models only from local files, however
it is started (``nexus`` CLI, ``uvicorn server.asgi:create --factory``, systemd, a container, Kubernetes). Each entry
point calls ``keep_offline()`` first thing, so Haystack's PostHog client, the Hugging Face hub, ragas' tracker and
their kin see these values when they are first imported. Only the standard library is imported here.

Telemetry switches are forced off. Hub access is off unless the operator set the variable explicitly (e.g.
``HF_HUB_OFFLINE=0`` for a one-off model download): models are never fetched silently.
"""

from __future__ import annotations

import os

#: Usage reporting of the libraries Nexus uses: always off.
TELEMETRY_OFF = {
    "HAYSTACK_TELEMETRY_ENABLED": "False",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "RAGAS_DO_NOT_TRACK": "true",
    "ANONYMIZED_TELEMETRY": "False",
    "DO_NOT_TRACK": "1",
    "VLLM_NO_USAGE_STATS": "1",
    "POSTHOG_DISABLED": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
}
#: Model hub access: off unless explicitly set.
HUB_OFFLINE = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
}


def keep_offline(environ: dict[str, str] | None = None) -> None:
    """Turn every library's telemetry off and the model hub off (unless explicitly allowed) in ``environ``."""
    env = os.environ if environ is None else environ
    env.update(TELEMETRY_OFF)
    for name, value in HUB_OFFLINE.items():
        env.setdefault(name, value)
