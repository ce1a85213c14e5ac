"""The command line's view of the stall settings: options made from the settings schema.

``@settings_options("database", "printer")`` gives a command ``--config`` and those
settings' flags, with help from the schema. The values are not passed to the command:
:func:`settings` resolves them with the environment, the settings file and the defaults,
as ``kiosk run`` does, so every command at a stall sees the kiosk's own database, printer,
cases, kiosk id, event and campaign.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..application import Settings
from ..settings import CONFIG_ENV, Spec, resolve, specs
from ..settings import settings_file as _settings_file
from ..settings.files import literal as _literal

F = TypeVar("F", bound=Callable[..., Any])
_FLAGS, _CONFIG = "kiosk.flags", "kiosk.config"


class Utf8Text(click.ParamType[str]):
    """Text given on the command line: refused (wrong usage) unless it is valid UTF-8, so a
    byte the terminal could not decode never reaches a database query or a file."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                self.fail("not valid UTF-8 text", param, ctx)
        return value


class Day(click.ParamType[dt.date]):
    """A day, ``YYYY-MM-DD`` (0001-01-01 to 9999-12-31)."""

    name = "date"
    _FORM = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", re.ASCII)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.date):
            return value
        text = str(value)
        if self._FORM.fullmatch(text):
            try:
                return dt.date(*(int(part) for part in text.split("-")))
            except ValueError as exc:
                self.fail(f"{value!r} is not a day: {exc}", param, ctx)
        self.fail(f"{value!r} does not match the format '%Y-%m-%d'", param, ctx)


TEXT = Utf8Text()
DATE = Day()


def _plain(doc: str) -> str:
    """Markdown in a setting's doc, as plain text for --help."""
    return re.sub(r"\[([^]]+)\]\([^)]*\)", r"\1", doc).replace("`", "")


def _remember(name: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is not None:
            ctx.meta.setdefault(_FLAGS, {})[name] = value
        return value

    return callback


def _remember_config(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is not None:
        ctx.meta[_CONFIG] = value
    return value


config_option = click.option(
    "--config", type=click.Path(path_type=Path), default=None, expose_value=False,
    callback=_remember_config, is_eager=True,
    help=f"Settings file [env {CONFIG_ENV}; default: kiosk.toml in the user config folder].")


def _option(name: str, spec: Spec) -> Callable[[F], F]:
    assert spec.flag is not None, name
    default = spec.default_doc or _literal(Settings.__dataclass_fields__[name].default)
    help_text = f"{_plain(spec.doc)} [env {spec.env}; default: {_plain(default)}]"
    kwargs: dict[str, Any] = {"default": None, "expose_value": False, "callback": _remember(name), "help": help_text}
    declarations = [spec.flag]
    if spec.kind == "flag":
        declarations = [f"{spec.flag}/--no-{spec.flag.removeprefix('--')}"]  # either way, over the file
    elif spec.kind == "folder" or spec.kind == "file":
        kwargs["type"] = click.Path(path_type=Path)
    elif spec.kind == "number":
        kwargs["metavar"] = "SECONDS"
    elif spec.kind == "text":
        kwargs["type"] = TEXT
    return click.option(*declarations, **kwargs)


def settings_options(*names: str) -> Callable[[F], F]:
    """``--config`` and the flags of the settings ``names``, for a command or group."""
    schema = specs()

    def decorate(func: F) -> F:
        for name in reversed(names):
            func = _option(name, schema[name])(func)
        return config_option(func)

    return decorate


def settings(*, require_file: bool = False) -> Settings:
    """The settings of the command being run: its flags, then the environment, the settings
    file (``--config``, ``KIOSK_CONFIG``, or the default one) and the defaults."""
    ctx = click.get_current_context()
    key = f"kiosk.settings.{require_file}"
    if key not in ctx.meta:
        ctx.meta[key] = resolve(ctx.meta.get(_FLAGS, {}), config=ctx.meta.get(_CONFIG), require_file=require_file)
    resolved: Settings = ctx.meta[key]
    return resolved


def settings_file() -> Path:
    """The settings file the command being run reads (or would create)."""
    return _settings_file(click.get_current_context().meta.get(_CONFIG), os.environ)[0]
