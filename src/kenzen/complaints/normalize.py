"""Text folding for brand matching: one function, so terms and listings fold alike.

``fold`` = Unicode NFKC (full-width ``ＡＣＭＥ`` and half-width ``ｱｸﾒ`` become ``ACME`` and
``アクメ``), case folding, hiragana → katakana, small kana → large (``キャノン`` matches the
official ``キヤノン``), and runs of white space → one space, trimmed. The long-vowel mark
``ー`` is kept: dropping it would make ``ボール`` match inside ``ボルト``.

``fold_with_offsets`` folds the same way but also says, for every folded character, which
span of the original it came from, so a finding can point at the seller's own text. When
every character folds to exactly one (the usual case) the map is the identity; otherwise it
folds word by word and, inside a word, cluster by cluster (a character plus the marks NFKC
composes onto it), which agrees with ``fold`` on all text except decomposed Hangul jamo.
It only runs on fields that matched, so its cost stays out of the bulk path.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SMALL_KANA = "ァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
_LARGE_KANA = "アイウエオツヤユヨワカケクシストヌハヒフヘホムラリルレロ"
_LARGE = dict(zip(_SMALL_KANA, _LARGE_KANA, strict=True))


def _katakana(code: int) -> str:
    kana = chr(code + 0x60)
    return _LARGE.get(kana, kana)


#: Hiragana (ぁ..ゖ, ゝ ゞ) → katakana, then small kana → large.
_TABLE: dict[int, str] = {
    **{code: _katakana(code) for code in (*range(0x3041, 0x3097), 0x309D, 0x309E)},
    **{ord(small): large for small, large in _LARGE.items()},
}
#: Characters the table changes; most text has few, so only their runs are translated
#: (``str.translate`` costs a dictionary lookup per character of the whole text).
_FOLDABLE = re.compile("[" + "".join(chr(code) for code in sorted(_TABLE)) + "]+")
#: Half-width voiced sound marks: NFKC turns them into marks that join the kana before them.
_JOINING = frozenset("\uff9e\uff9f")
_TOKEN = re.compile(r"\S+")
#: White space that ``fold`` would change: at either end, in runs, or other than " ".
_ODD_SPACE = re.compile(r"^\s|\s$|\s\s|[^\S ]")


@lru_cache(maxsize=65_536)
def _kana(run: str) -> str:
    return run.translate(_TABLE)


def _kana_match(match: re.Match[str]) -> str:
    return _kana(match.group())


def _fold_piece(text: str) -> str:
    """NFKC, case fold and kana fold, without touching white space."""
    return _FOLDABLE.sub(_kana_match, unicodedata.normalize("NFKC", text).casefold())


_fold_cluster = lru_cache(maxsize=65_536)(_fold_piece)


@lru_cache(maxsize=65_536)
def _one_to_one(ch: str) -> bool:
    """Whether ``ch`` folds to one character by itself and joins no neighbour."""
    joins = unicodedata.combining(ch) or ch in _JOINING
    return not joins and len(_fold_piece(ch)) == 1


def fold(text: str) -> str:
    """The form terms and listing text are compared in."""
    if text.isascii():  # NFKC leaves ASCII as it is, and casefold is lower
        return " ".join(text.lower().split())
    return " ".join(_fold_piece(text).split())


def fold_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """``fold(text)`` with each folded character's original start and end offsets."""
    if not _ODD_SPACE.search(text) and all(map(_one_to_one, text)):
        folded = _fold_piece(text)
        if len(folded) == len(text):  # the usual case: character for character
            return folded, list(range(len(text))), list(range(1, len(text) + 1))
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []

    def emit(piece: str, start: int, end: int) -> None:
        for ch in piece:
            space = ch.isspace()
            if space and (not out or out[-1] == " "):
                continue
            out.append(" " if space else ch)
            starts.append(start)
            ends.append(end)

    for token in _TOKEN.finditer(text):
        emit(" ", token.start() - 1, token.start())
        word = token.group()
        if word.isascii():
            piece = word.lower()
        elif all(map(_one_to_one, word)):
            piece = _fold_piece(word)
        else:
            piece = ""
        if len(piece) == len(word):  # one folded character per original character
            out.extend(piece)
            starts.extend(range(token.start(), token.end()))
            ends.extend(range(token.start() + 1, token.end() + 1))
            continue
        clusters: list[tuple[int, int]] = []
        for i, ch in enumerate(word, token.start()):
            if clusters and (unicodedata.combining(ch) or ch in _JOINING):
                clusters[-1] = (clusters[-1][0], i + 1)
            else:
                clusters.append((i, i + 1))
        for start, end in clusters:
            piece = _fold_cluster(text[start:end])
            if len(piece) == 1 and not piece.isspace():  # the usual case, inline
                out.append(piece)
                starts.append(start)
                ends.append(end)
            else:
                emit(piece, start, end)
    while out and out[-1] == " ":
        out.pop()
        starts.pop()
        ends.pop()
    return "".join(out), starts, ends
