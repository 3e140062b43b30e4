"""`rag settings`: every setting with its environment name, value and description, so a
knob is found without reading code (rag/settings.py, rag/presets/)."""

import argparse
import json
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from rag.settings import Settings, presets

# Shown as set or not, never printed: a terminal log or a pasted bug report keeps no secret.
SECRETS = ("llm__openai__api_key", "ui__auth")


def fields(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, Any, str]]:
    """(environment name, value, description) of every leaf field, groups flattened."""
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from fields(value, f"{prefix}{name}__")
        else:
            yield f"RAG_{prefix}{name}".upper(), value, info.description or ""


def masked(settings: Settings) -> Settings:
    """The settings with each secret that is set replaced by "(set)"."""
    values = {env: value for env, value, _ in fields(settings)}
    return settings.changed(**{key: "(set)" for key in SECRETS if values[f"RAG_{key}".upper()]})


def cmd_settings(args: argparse.Namespace) -> int:
    settings = masked(Settings())
    if args.json:
        print(json.dumps(settings.model_dump(mode="json"), indent=2))
        return 0
    print(f"preset {settings.preset} (there are {', '.join(presets())}; RAG_PRESET picks one)")
    for env, value, description in fields(settings):
        if env == "RAG_PRESET":
            continue
        print(f"{env}={value}" + (f"  # {description}" if description else ""))
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("settings", help="every setting: its RAG_ name, value and description")
    p.add_argument("--json", action="store_true", help="the values, nested as the settings are")
    p.set_defaults(run=cmd_settings)
