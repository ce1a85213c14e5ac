"""Finding listed words in what a visitor typed, however they disguised them.

The text is first prepared as the kiosk cleans everything a visitor types (:func:`kiosk.text.clean`),
then stripped of what shows nothing or only decorates a letter (zero-width and other
default-ignorable characters, blank fillers, Arabic tatweel, accents and vowel marks), and
folded to plain letters (Unicode NFKD: full-width, mathematical and circled letters; enclosed
and regional-indicator letters by hand). glin-profanity then looks for each list's words as
whole words in it and in its views: leetspeak (``sh1t``), look-alike letters of other scripts
(Cyrillic ``с`` for ``c``), letters spread out (``f u c k``, ``f.u.c.k``), masked (``f*ck``)
or stretched (``fuuuck``). A second pass reads any other punctuation between letters as a
separator (``f~u~c~k``); a word made only of listed words (``fuckfuck``) is flagged too, and so
is the plural of a listed word (``cunts``, ``putas``).

A message is searched as a whole. A name is searched token by token, a token matching only
as a whole (``Cockburn`` is no ``cock``); a run of single letters (``F U C K``) is read as one
token too. Names that a list holds (``Dick``) are allowed in names.

glin-profanity is imported (about 150 ms) on the first check, and each set of lists is built
into a filter once.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from ..text import clean, without_ignorables

CHECKED_MAX = 2000  # characters of one field looked at: a letter's are at most 500 (a name's 80)

# What shows nothing on paper or only decorates a word: blank fillers, Arabic tatweel (ـ, which
# stretches a word: كـــس) and Arabic vowel and other marks over or under a letter.
_DECORATION = re.compile("[\u115f\u1160\u3164\uffa0\u2800\u0640\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")


def _enclosed() -> dict[int, str]:
    """Letters NFKC leaves alone: negative circled, negative squared (🅵), regional indicators (🇫)."""
    table: dict[int, str] = {}
    for first in (0x1F150, 0x1F170, 0x1F1E6):
        for offset in range(26):
            table[first + offset] = chr(ord("a") + offset)
    return table


_LETTERS = _enclosed()
# Punctuation and symbols between two letters that glin-profanity does not read as a separator,
# a mask or leetspeak itself (f~u~c~k, f+u+c+k, f'u'c'k): read as a dot in the second pass.
_JOINER = re.compile(r"(?<=\w)[^\w\s.,/|_*#@$%?!-]+(?=\w)")
_WORD = re.compile(r"\w+")


def prepared(text: str) -> str:
    """``text`` as the lists are searched in: cleaned, nothing invisible or decorative, plain letters
    without their accents (glin-profanity reads an accented letter as the end of a word, so
    ``artículo`` would hold ``culo``; its lists hold each accented word without accents too)."""
    text = clean(text[:CHECKED_MAX])
    text = _DECORATION.sub("", without_ignorables(text))
    text = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    return unicodedata.normalize("NFC", "".join(ch for ch in text if not unicodedata.combining(ch)))


def folded(word: str) -> str:
    """A list entry as it is compared: prepared, lower case, one space between words."""
    return " ".join(prepared(word).casefold().split())


@lru_cache(maxsize=32)
def _filter(lists: tuple[str, ...], allow: frozenset[str], flag: frozenset[str]) -> Any:
    """glin-profanity's filter for these lists, allowed and flagged words: built once per set."""
    from glin_profanity import Filter  # about 150 ms: only when a letter is checked

    allowed = sorted(allow)
    return Filter({
        "languages": list(lists), "whitelist": allowed, "ignore_words": allowed, "custom_words": sorted(flag),
        "detect_leetspeak": True, "normalize_unicode": True,
    })


class Matcher:
    """The words of one set of lists (glin-profanity's ``lists`` and ``flag``), less ``allow``."""

    def __init__(self, lists: tuple[str, ...], allow: frozenset[str], flag: frozenset[str]) -> None:
        self._filter = _filter(lists, allow - flag, flag)
        self._allow = allow - flag
        self._single = frozenset(word for w in self._filter.words if _WORD.fullmatch(word := folded(w))
                                 and len(word) >= 3 and word not in self._allow)

    def found(self, text: str) -> list[str]:
        """The listed words in ``text`` (prepared), in the order found, each once."""
        words: list[str] = []
        views = (text, _JOINER.sub(".", text))
        for view in dict.fromkeys(views):
            words += self._filter.check_profanity(view).get("profane_words") or []
        tokens = [token for token in _WORD.findall(text.casefold()) if token not in self._allow]
        words += [token for token in tokens if self._made_of_listed(token)]
        stems = [stem for token in tokens for stem in _singular(token)]
        if stems:  # plurals the lists do not hold (cunts, putas, connards): their singular
            words += self._filter.check_profanity(" ".join(stems)).get("profane_words") or []
        return list(dict.fromkeys(w.casefold() for w in words))

    def _made_of_listed(self, token: str) -> bool:
        """Whether ``token`` is two or more listed words run together (``fuckfuck``, ``shitcunt``)."""
        if len(token) < 6 or len(token) > 60:
            return False
        reach: dict[int, int] = {0: 0}  # a position: the most listed words that run up to it
        for start in range(len(token)):
            if start not in reach:
                continue
            for end in range(start + 3, len(token) + 1):
                if token[start:end] in self._single:
                    reach[end] = max(reach.get(end, 0), reach[start] + 1)
        return reach.get(len(token), 0) >= 2


def _singular(token: str) -> list[str]:
    """What a plural ``token`` may be the plural of (``-s``, ``-es``), for words of four letters and more."""
    if len(token) < 5 or not token.endswith("s"):
        return []
    return [token[:-1]] + ([token[:-2]] if len(token) >= 6 and token.endswith("es") else [])


def name_tokens(name: str) -> list[str]:
    """A prepared name's tokens, each checked alone; a run of three or more single letters
    (``F U C K``, ``F. U. C. K.``) is one more token, joined."""
    tokens = name.split()
    out = list(tokens)
    run: list[str] = []
    for token in [*tokens, ""]:
        letters = token.strip(".")
        if len(letters) == 1 and letters.isalnum():
            run.append(letters)
            continue
        if len(run) >= 3:
            out.append("".join(run))
        run = []
    return out
