"""`rag settings`: every setting with its environment name, value and description, so a
knob is found without reading code (rag/settings.py, rag/presets/)."""

import argparse
import json
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from rag.settings import Settings, presets

# Shown as set or not, never printed: a terminal log or a pasted bug report keeps no secret.
SECRETS = {("llm", "openai", "api_key"), ("ui", "auth")}


def fields(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, Any, str]]:
    """(environment name, value, description) of every leaf field, groups flattened."""
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from fields(value, f"{prefix}{name}__")
        else:
            yield f"RAG_{prefix}{name}".upper(), value, info.description or ""


def cmd_settings(args: argparse.Namespace) -> int:
    settings = Settings()
    if args.json:
        values = settings.model_dump(mode="json")
        for *groups, name in SECRETS:
            target = values
            for group in groups:
                target = target[group]
            target[name] = "(set)" if target[name] else None
        print(json.dumps(values, indent=2))
        return 0
    print(f"preset {settings.preset} (there are {', '.join(presets())}; RAG_PRESET picks one)")
    for env, value, description in fields(settings):
        if env == "RAG_PRESET":
            continue
        secret = any(env == "RAG_" + "__".join(path).upper() for path in SECRETS)
        shown = "(set)" if secret and value else value
        print(f"{env}={shown}" + (f"  # {description}" if description else ""))
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("settings", help="every setting: its RAG_ name, value and description")
    p.add_argument("--json", action="store_true", help="the values, nested as the settings are")
    p.set_defaults(run=cmd_settings)
