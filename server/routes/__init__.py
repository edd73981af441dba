"""HTTP routers. ``server.app.create_app`` includes every module named here (each exposes ``router``)."""

ROUTERS: tuple[str, ...] = ("health", "chat", "openai_compat", "gl", "approvals", "metrics", "widget", "feedback",
                            "slack")
