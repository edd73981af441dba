"""Prompt rendering and the static prefix for the chat templates users point the engine at, from the template texts
the GGUFs carry (no weights needed)."""

from __future__ import annotations

import pytest

from agent.backends.chat_template import ChatTemplate
from erp_core.errors import NexusError

LLAMA3 = (
    "{{- bos_token }}\n"
    "{%- if messages[0]['role'] == 'system' %}{%- set system_message = messages[0]['content']|trim %}"
    "{%- set messages = messages[1:] %}{%- else %}{%- set system_message = \"\" %}{%- endif %}\n"
    "{{- \"<|start_header_id|>system<|end_header_id|>\\n\\n\" }}"
    "{{- \"Cutting Knowledge Date: December 2023\\n\\n\" }}{{- system_message }}{{- \"<|eot_id|>\" }}\n"
    "{%- for message in messages %}{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'"
    " + message['content'] | trim + '<|eot_id|>' }}{%- endfor %}\n"
    "{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}\n"
)
QWEN = (
    "{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content'] + "
    "'<|im_end|>\\n' }}{%- else %}{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a "
    "helpful assistant.<|im_end|>\\n' }}{%- endif %}\n"
    "{%- for message in messages %}{%- if (message.role == \"user\") or (message.role == \"system\" and not "
    "loop.first) or (message.role == \"assistant\") %}{{- '<|im_start|>' + message.role + '\\n' + message.content "
    "+ '<|im_end|>' + '\\n' }}{%- endif %}{%- endfor %}\n"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}\n"
)
PHI3 = (
    "{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\\n' + message['content'] + "
    "'<|end|>\\n'}}{% elif message['role'] == 'user' %}{{'<|user|>\\n' + message['content'] + '<|end|>\\n'}}"
    "{% elif message['role'] == 'assistant' %}{{'<|assistant|>\\n' + message['content'] + '<|end|>\\n'}}{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% else %}{{ eos_token }}{% endif %}"
)
GEMMA = (
    "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}"
    "{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
    "{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}"
    "{% endif %}{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}"
)
MISTRAL = (
    "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
    "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
    "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}"
    "{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}"
)
CHATML_SMOLLM = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\n"
    "You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\\n' }}{% endif %}"
    "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
TEMPLATES = {
    "llama3": (LLAMA3, "<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>assistant<|end_header_id|>\n\n"),
    "qwen": (QWEN, "", "<|im_end|>", "<|im_start|>assistant\n"),
    "phi3": (PHI3, "<s>", "<|endoftext|>", "<|assistant|>\n"),
    "gemma": (GEMMA, "<bos>", "<eos>", "<start_of_turn>model\n"),
    "mistral": (MISTRAL, "<s>", "</s>", " [/INST]"),
    "smollm2": (CHATML_SMOLLM, "<|im_start|>", "<|im_end|>", "<|im_start|>assistant\n"),
}
SYSTEM = {"role": "system", "content": "You are Nexus, the ERP assistant of Acme. Tools: account_balance, ..."}


def conversation(user: str) -> list[dict[str, str]]:
    return [SYSTEM, {"role": "user", "content": user}]


@pytest.fixture(params=sorted(TEMPLATES))
def template(request: pytest.FixtureRequest) -> tuple[ChatTemplate, str]:
    text, bos, eos, header = TEMPLATES[request.param]
    return ChatTemplate(text, bos_token=bos, eos_token=eos), header


def test_renders_a_system_and_user_turn_with_the_generation_header(template: tuple[ChatTemplate, str]) -> None:
    chat, header = template
    rendered = chat.render(conversation("What is the balance of 1010?"))
    assert rendered.prompt.endswith(header)
    assert "What is the balance of 1010?" in rendered.prompt
    assert "You are Nexus" in rendered.prompt  # never dropped, even where the template has no system role


def test_static_prefix_is_shared_by_every_conversation_with_that_system_prompt(
        template: tuple[ChatTemplate, str]) -> None:
    chat, _ = template
    one = conversation("first question")
    two = conversation("a different second question")
    prefix = chat.static_prefix(one)
    assert prefix  # every one of these templates allows caching the system part
    assert "You are Nexus" in prefix
    assert chat.render(one).prompt.startswith(prefix)
    assert chat.render(two).prompt.startswith(prefix)
    assert chat.static_prefix(two) == prefix
    assert "first question" not in prefix


def test_no_static_prefix_without_a_system_message(template: tuple[ChatTemplate, str]) -> None:
    chat, _ = template
    assert chat.static_prefix([{"role": "user", "content": "hi"}]) == ""


def test_a_template_that_cannot_render_is_a_typed_error() -> None:
    broken = ChatTemplate("{{ raise_exception('no') }}", bos_token="", eos_token="")
    with pytest.raises(NexusError) as info:
        broken.render([{"role": "user", "content": "hi"}])
    assert "chat template" in info.value.message
