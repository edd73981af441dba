"""A GGUF's chat template as the engine uses it: render a conversation, and find its static (system) prefix.

Templates differ in ways that matter here (tests/unit/agent/test_chat_templates.py holds the common ones):
- Llama 3.x and Qwen read ``messages[0]`` unconditionally, so a template cannot be rendered on an empty list.
- Gemma and Mistral refuse a ``system`` role; their own convention is the system text at the top of the first user
  turn, which is what :meth:`ChatTemplate.render` falls back to.
- Phi-3 closes a prompt rendered without the generation header with the EOS token, so "the system messages rendered
  alone" is not a prefix of the whole prompt.
The static prefix is therefore found by difference: the text a conversation shares with the same system messages
followed by a placeholder user turn. The engine then checks the tokens too, so a mismatch only costs the cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from erp_core.errors import ErrorCode, NexusError

_PLACEHOLDER = "\x1f"  # a control character no real message starts with


@dataclass(frozen=True, slots=True)
class Rendered:
    prompt: str
    stops: list[str]


class ChatTemplate:
    def __init__(self, template: str, *, bos_token: str, eos_token: str) -> None:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter  # lazy: pulls in the compiled extension

        self._with_header = Jinja2ChatFormatter(template=template, eos_token=eos_token, bos_token=bos_token)
        self._merge_system = False  # learnt on the first refusal of a system role

    def render(self, messages: Sequence[dict[str, Any]]) -> Rendered:
        """The prompt up to and including the assistant's header, and the template's stop strings."""
        conversation = _system_into_first_user(messages) if self._merge_system else list(messages)
        try:
            result = self._with_header(messages=conversation)  # type: ignore[arg-type]
        except Exception as exc:  # jinja2 raise_exception (ValueError) or TemplateError from the model's template
            if self._merge_system or not any(m.get("role") == "system" for m in messages):
                raise _cannot_render(exc) from None
            self._merge_system = True
            return self.render(messages)
        stops = result.stop if isinstance(result.stop, list) else [result.stop]
        return Rendered(result.prompt, [s for s in stops if s])  # an empty stop would end every generation at once

    def static_prefix(self, messages: Sequence[dict[str, Any]]) -> str:
        """The text every conversation with these leading system messages starts with; "" when there is none."""
        leading = 0
        while leading < len(messages) and messages[leading].get("role") == "system":
            leading += 1
        if leading == 0 or leading == len(messages):
            return ""
        full = self.render(messages).prompt
        probe = self.render([*messages[:leading], {"role": "user", "content": _PLACEHOLDER}]).prompt
        shared = _common_prefix(full, probe)
        return shared if len(shared) < len(full) else ""


def _common_prefix(a: str, b: str) -> str:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return a[:i]
    return a[: min(len(a), len(b))]


def _system_into_first_user(messages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    system = "\n\n".join(str(m.get("content") or "") for m in messages if m.get("role") == "system")
    rest = [dict(m) for m in messages if m.get("role") != "system"]
    if not system:
        return rest
    for message in rest:
        if message.get("role") == "user":
            message["content"] = f"{system}\n\n{message.get('content') or ''}"
            return rest
    return [{"role": "user", "content": system}, *rest]


def _cannot_render(exc: Exception) -> NexusError:
    return NexusError(ErrorCode.BACKEND_UNAVAILABLE,
                      f"the model's chat template cannot render this conversation: {type(exc).__name__}: {exc}")
