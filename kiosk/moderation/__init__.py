"""Moderation: which letters wait for a volunteer to read them before they print.

Nothing a visitor writes is refused. A letter whose name or message holds a word of the
stall's word lists is recorded all the same, its print job ``held`` (``words``), and a
volunteer decides: *Print* or *Do not print* (``docs/moderation.md``).

:func:`check` gives the words that make a letter wait (none: it prints). The lists are
glin-profanity's for the visitor's language and for English (visitors type English in any
language), less the campaign vocabulary the kiosk ships (:mod:`.vocabulary`: torture,
rape, execution ... in each language), plus and less the organiser's own words
(``moderation.toml`` in the cases folder, :mod:`.organiser`). How a disguised word is still
found, and how names are spared (``Dick Smith``, ``Cockburn``): :mod:`.matching`.
"""

from __future__ import annotations

from functools import lru_cache

from .matching import Matcher, folded, name_tokens, prepared
from .organiser import MODERATION_FILE, NO_LISTS, WordLists, parse_word_lists, read_word_lists
from .vocabulary import CAMPAIGN, FLAG, LIST_OF, NAMES

__all__ = ["MODERATION_FILE", "NO_LISTS", "WordLists", "check", "parse_word_lists", "read_word_lists"]


def _shipped(words: dict[str, tuple[str, ...]], codes: tuple[str, ...]) -> frozenset[str]:
    return frozenset(folded(word) for code in codes for word in words.get(code, ()))


@lru_cache(maxsize=32)
def _matchers(codes: tuple[str, ...], allow: frozenset[str], flag: frozenset[str]) -> tuple[Matcher, Matcher]:
    """The message's matcher and the name's (names allowed too), for one set of words."""
    lists = tuple(sorted({LIST_OF[code] for code in codes}))
    allowed = _shipped(CAMPAIGN, codes) | allow
    flagged = (_shipped(FLAG, codes) - allow) | flag
    names = frozenset(folded(name) for name in NAMES)
    return Matcher(lists, allowed, flagged), Matcher(lists, allowed | names, flagged)


def check(name: str, message: str, language: str, lists: WordLists = NO_LISTS) -> list[str]:
    """The listed words in a letter's ``name`` and ``message`` (each once, in lower case), for a
    visitor reading ``language``; empty: it may print. ``lists``: the organiser's words."""
    codes = tuple(dict.fromkeys((language if language in LIST_OF else "en", "en")))
    return list(_found(name, message, codes, lists.allowed(codes), lists.flagged(codes)))


@lru_cache(maxsize=1024)
def _found(name: str, message: str, codes: tuple[str, ...], allow: frozenset[str],
           flag: frozenset[str]) -> tuple[str, ...]:
    """:func:`check`'s answer, kept for the letters asked about again (a volunteer's list of held letters)."""
    for_message, for_name = _matchers(codes, allow, flag)
    found = [word for token in name_tokens(prepared(name)) for word in for_name.found(token)]
    found += for_message.found(prepared(message))
    return tuple(dict.fromkeys(found))
