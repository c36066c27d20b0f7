#!/usr/bin/env python3
"""Renders the shared chat templates with tools, as Hugging Face transformers' apply_chat_template
does (jinja2 ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, tojson with
ensure_ascii=False, raise_exception, strftime_now at a fixed instant), and writes one JSON file of
cases per template: the inputs and the expected text, or the error the template raises.

Not run by CI: its outputs are committed under winnow-core/src/test/resources/template-goldens/
and ToolTemplateGoldensTest compares the Java renderer against them.

Usage: scripts/render-template-goldens.py [shared-templates-dir] [output-dir]
"""
import copy
import json
import os
import sys
import types
from datetime import datetime, timezone

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

NOW = datetime(2025, 3, 14, 9, 5, 7, tzinfo=timezone.utc)  # ChatTemplateFamiliesTest.CLOCK

LLAMA3 = ("<|begin_of_text|>", "<|eot_id|>")
SPECIAL = {
    "CohereForAI-c4ai-command-r-plus-tool_use.jinja": ("<BOS_TOKEN>", "<|END_OF_TURN_TOKEN|>"),
    "CohereForAI-c4ai-command-r7b-12-2024-tool_use.jinja": ("<BOS_TOKEN>", "<|END_OF_TURN_TOKEN|>"),
    "NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use.jinja": ("<|begin_of_text|>", "<|im_end|>"),
    "NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja": ("<|begin_of_text|>", "<|im_end|>"),
    "Qwen-Qwen2.5-7B-Instruct.jinja": (None, "<|im_end|>"),
    "deepseek-ai-DeepSeek-R1-Distill-Llama-8B.jinja": ("<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"),
    "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja": ("<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"),
    "fireworks-ai-llama-3-firefunction-v2.jinja": LLAMA3,
    "google-gemma-2-2b-it.jinja": ("<bos>", "<eos>"),
    "llama-cpp-deepseek-r1.jinja": ("<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"),
    "meetkai-functionary-medium-v3.1.jinja": LLAMA3,
    "meetkai-functionary-medium-v3.2.jinja": LLAMA3,
    "meta-llama-Llama-3.1-8B-Instruct.jinja": LLAMA3,
    "meta-llama-Llama-3.2-3B-Instruct.jinja": LLAMA3,
    "meta-llama-Llama-3.3-70B-Instruct.jinja": LLAMA3,
    "microsoft-Phi-3.5-mini-instruct.jinja": ("<s>", "<|endoftext|>"),
    "mistralai-Mistral-Nemo-Instruct-2407.jinja": ("<s>", "</s>"),
}

WEATHER = {"type": "function", "function": {
    "name": "get_weather",
    "description": "Get the current weather in a city",
    "parameters": {"type": "object", "properties": {
        "city": {"type": "string", "description": "The city, e.g. Paris"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
        "required": ["city"]}}}
SEARCH = {"type": "function", "function": {
    "name": "search_flights",
    "description": "Search flights — with filters",
    "parameters": {"type": "object", "properties": {
        "route": {"type": "object", "properties": {"from": {"type": "string"}, "to": {"type": "string"}},
                  "required": ["from", "to"]},
        "max_stops": {"type": "integer"},
        "airlines": {"type": "array", "items": {"type": "string"}}},
        "required": ["route"]}}}
TOOLS = [WEATHER, SEARCH]

SYSTEM = {"role": "system", "content": "You are a helpful assistant."}
USER = {"role": "user", "content": "What's the weather in Paris, and flights from Oslo to Rome?"}
CALL1 = {"id": "call0001a", "type": "function",
         "function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}}
CALL2 = {"id": "call0002b", "type": "function",
         "function": {"name": "search_flights",
                      "arguments": {"route": {"from": "Oslo", "to": "Rome"}, "airlines": ["SK", "AZ"]}}}
RESULT1 = {"role": "tool", "tool_call_id": "call0001a", "name": "get_weather",
           "content": "{\"temperature\": 18, \"sky\": \"cloudy\"}"}
RESULT2 = {"role": "tool", "tool_call_id": "call0002b", "name": "search_flights",
           "content": "[{\"flight\": \"SK4711\", \"stops\": 0}]"}


def cases():
    yield "prompt", [USER], TOOLS, True
    yield "prompt_system", [SYSTEM, USER], TOOLS, True
    yield "one_tool", [SYSTEM, USER], [WEATHER], True
    yield "history_one_call", [SYSTEM, USER,
                               {"role": "assistant", "content": None, "tool_calls": [CALL1]},
                               RESULT1], TOOLS, True
    yield "history_two_calls", [SYSTEM, USER,
                                {"role": "assistant", "content": None, "tool_calls": [CALL1, CALL2]},
                                RESULT1, RESULT2], TOOLS, True
    yield "history_answered", [SYSTEM, USER,
                               {"role": "assistant", "content": "", "tool_calls": [CALL1]},
                               RESULT1,
                               {"role": "assistant", "content": "It is 18 degrees and cloudy in Paris."},
                               {"role": "user", "content": "Thanks!"}], TOOLS, False


def string_arguments(messages):
    """The messages with every tool call's arguments as a JSON string (OpenAI's wire form)."""
    out = copy.deepcopy(messages)
    for m in out:
        for call in m.get("tool_calls") or []:
            call["function"]["arguments"] = json.dumps(call["function"]["arguments"], ensure_ascii=False)
    return out


def extra_variables(name, tools):
    """What llama.cpp passes to templates that read more than `tools` (firefunction v2)."""
    if name.startswith("fireworks-ai-llama-3-firefunction"):
        return {"functions": json.dumps(tools, ensure_ascii=False, indent=2),
                "datetime": NOW.strftime("%b %d %Y %H:%M:%S GMT")}
    return {}


FALLBACK_HEAD = ("You may call one or more functions to assist with the user query. "
                 "The available functions, as JSON signatures within <tools></tools> tags:\n<tools>\n")
FALLBACK_TAIL = ("</tools>\nFor each function call, return a JSON object with the function name and arguments within "
                 "<tool_call></tool_call> tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>")


def fallback_text(tools):
    return FALLBACK_HEAD + "".join(json.dumps(t, ensure_ascii=False) + "\n" for t in tools) + FALLBACK_TAIL


def with_fallback(messages, tools, role):
    """Winnow's fallback (ToolPrompt) for a template that never reads `tools`: the tools and the
    Hermes call format in the first system message (added when there is none), or, when the
    template refuses system messages, before the first user message's text."""
    out = copy.deepcopy(messages)
    text = fallback_text(tools)
    if role == "system":
        if out and out[0]["role"] == "system":
            c = out[0]["content"]
            out[0]["content"] = ("" if not c else c + "\n\n") + text
        else:
            out.insert(0, {"role": "system", "content": text})
    else:
        for m in out:
            if m["role"] == "user":
                m["content"] = text + "\n\n" + (m["content"] or "")
                break
    return out


def calls_as_text(messages):
    """Winnow's fallback (ToolPrompt) for a template that never reads `tool_calls`: an assistant
    turn's calls become Hermes-format text, and consecutive tool results one user message of
    <tool_response> blocks."""
    out = []
    for m in messages:
        if m.get("tool_calls"):
            text = "\n".join("<tool_call>\n" + json.dumps({"name": c["function"]["name"], "arguments": c["function"]["arguments"]},
                                                         ensure_ascii=False) + "\n</tool_call>" for c in m["tool_calls"])
            out.append({"role": "assistant", "content": (m["content"] + "\n" if m.get("content") else "") + text})
        elif m["role"] == "tool":
            block = "<tool_response>\n" + (m["content"] or "") + "\n</tool_response>"
            if out and out[-1].get("tool_results"):
                out[-1]["content"] += "\n" + block
            else:
                out.append({"role": "user", "content": block, "tool_results": True})
        else:
            out.append(copy.deepcopy(m))
    for m in out:
        m.pop("tool_results", None)
    return out


def render(template, messages, tools, gen, bos, eos, extra, reads_tools=True, reads_calls=True):
    if not reads_calls:
        messages = calls_as_text(messages)
    if tools and not reads_tools:
        try:
            return render(template, with_fallback(messages, tools, "system"), [], gen, bos, eos, extra)
        except Exception:
            return render(template, with_fallback(messages, tools, "user"), [], gen, bos, eos, extra)
    variables = {"messages": copy.deepcopy(messages), "tools": copy.deepcopy(tools),
                 "add_generation_prompt": gen, "documents": None}
    if bos is not None:
        variables["bos_token"] = bos
    if eos is not None:
        variables["eos_token"] = eos
    variables.update(extra)
    return template.render(**variables)


def environment():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        # One deliberate difference from HF: a generator (`tools | map(attribute='function')`, as in
        # llama.cpp's DeepSeek R1 template) is written as a list, as llama.cpp's minja does.
        if isinstance(x, types.GeneratorType):
            x = list(x)
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(fmt):
        return NOW.strftime(fmt)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "shared", "templates")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        here, "..", "winnow-core", "src", "test", "resources", "template-goldens")
    os.makedirs(out, exist_ok=True)
    env = environment()
    for name in sorted(SPECIAL):
        with open(os.path.join(src, name), encoding="utf-8") as f:
            source = f.read()
        template = env.from_string(source)
        reads_tools = "tools" in source
        reads_calls = "tool_calls" in source
        bos, eos = SPECIAL[name]
        results = []
        for case, messages, tools, gen in cases():
            extra = extra_variables(name, tools)
            entry = {"case": case, "bos_token": bos, "eos_token": eos, "add_generation_prompt": gen,
                     "extra": extra, "messages": messages, "tools": tools}
            try:
                entry["expected"] = render(template, messages, tools, gen, bos, eos, extra, reads_tools, reads_calls)
            except Exception as e:
                # Templates that concatenate the arguments want them as a string (llama.cpp retries
                # the same way); if that fails too, the Java renderer must fail as well.
                try:
                    as_strings = string_arguments(messages)
                    entry["expected"] = render(template, as_strings, tools, gen, bos, eos, extra, reads_tools, reads_calls)
                    entry["arguments"] = "string"
                except Exception:
                    entry["error"] = type(e).__name__ + ": " + str(e)
            results.append(entry)
        path = os.path.join(out, name.removesuffix(".jinja") + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"template": name, "renderer": "jinja2 " + jinja2.__version__, "cases": results},
                      f, ensure_ascii=False, indent=1)
            f.write("\n")
        print(name, [("ERR " if "error" in r else "") + r["case"] for r in results])


if __name__ == "__main__":
    main()
