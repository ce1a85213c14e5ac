"""Work-arounds for Textual's faults, each with its reproduction in the tests, to drop once
Textual fixes it (tests/test_memory.py fails then, saying so).

- ``StylesCache.get_inner_outer`` (textual/_styles_cache.py, 8.2) is an ``lru_cache(1024)``
  on a method, so its key holds the widget's styles cache itself: up to 1,024 dead widgets'
  caches of rendered lines stay alive after their screens are gone, a few megabytes more
  through a day of letters. The same colours, worked out from the colours alone, keep none.
"""

from __future__ import annotations

from functools import lru_cache

from textual._styles_cache import StylesCache
from textual.color import Color
from textual.style import Style

ORIGINAL_GET_INNER_OUTER = StylesCache.get_inner_outer


@lru_cache(1024)
def _inner_outer(base_background: Color, background: Color) -> tuple[Style, Style]:
    """What ``StylesCache.get_inner_outer`` works out, from the two colours alone."""
    return Style(background=base_background + background), Style(background=base_background)


def _get_inner_outer(self: StylesCache, base_background: Color, background: Color) -> tuple[Style, Style]:
    return _inner_outer(base_background, background)


StylesCache.get_inner_outer = _get_inner_outer  # type: ignore[method-assign,assignment]
