"""Text as the personal-data checks read it, with a way back to the original.

Residents and staff write the same number or name in many ways: full-width digits (１３９),
Traditional or Simplified characters (李桂蘭, 李桂兰), Chinese numerals (一三九, 壹叁玖, 幺),
spaces inside a name (王 秀英). Each view below folds one family of variants; every character of
a view remembers which character of the original it came from, so a finding can be redacted in
the text the publisher wrote.
"""
from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

import opencc

# Chinese numerals read as digits, in the Simplified forms OpenCC produces (and the Traditional
# ones too, for text that was never converted). 幺 is how 1 is read out in phone numbers, 两 is 2.
NUMERALS = {
    **dict.fromkeys("〇零", "0"), **dict.fromkeys("一壹幺", "1"), **dict.fromkeys("二贰貳两兩", "2"),
    **dict.fromkeys("三叁叄参參弎", "3"), **dict.fromkeys("四肆", "4"), **dict.fromkeys("五伍", "5"),
    **dict.fromkeys("六陆陸", "6"), **dict.fromkeys("七柒", "7"), **dict.fromkeys("八捌", "8"),
    **dict.fromkeys("九玖", "9"),
}
# Marks that people put inside a name or a number without changing it (after NFKC folded the
# full-width and ideographic forms): spaces, dots, dashes, slashes, brackets, middle dots.
SEPARATORS = frozenset(" ./\\()_-·•‧・—–‐‑‒−。")


@dataclass(frozen=True)
class View:
    """A transformed copy of a text: origin[i] is the index in the original of the character
    that text[i] came from."""

    text: str
    origin: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that view[start:end] came from."""
        return self.origin[start], self.origin[end - 1] + 1


@functools.cache
def _t2s() -> opencc.OpenCC:
    # Loading the dictionaries takes a moment: once per process, on first use, not at import.
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return str(_t2s().convert(text))


def folded(text: str) -> View:
    """NFKC (full-width forms to ASCII, ① to 1, ideographic space to space), then OpenCC's
    Traditional-to-Simplified conversion."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for out in unicodedata.normalize("NFKC", ch):
            chars.append(out)
            origin.append(i)
    compatible = "".join(chars)
    simplified = to_simplified(compatible)
    if len(simplified) != len(compatible):
        # A phrase conversion changed the length and so the positions: convert character by
        # character instead, keeping a character whose conversion is not one character.
        simplified = "".join(c if len(s := to_simplified(c)) != 1 else s for c in compatible)
    return View(simplified, tuple(origin))


def is_separator(ch: str) -> bool:
    # Format characters (zero-width spaces and joiners) are invisible separators.
    return ch in SEPARATORS or ch.isspace() or unicodedata.category(ch) == "Cf"


def as_digits(view: View) -> View:
    """The same text with Chinese numerals and any script's decimal digits as ASCII digits,
    character for character (一三九 → 139), and every separator but the dot (which may be a
    decimal point) as a space."""
    out = []
    for ch in view.text:
        if ch == ".":
            out.append(ch)
        elif is_separator(ch):
            out.append(" ")
        elif ch in NUMERALS:
            out.append(NUMERALS[ch])
        elif ch.isdecimal():
            out.append(str(unicodedata.decimal(ch)))
        else:
            out.append(ch)
    return View("".join(out), view.origin)


def compact(view: View) -> View:
    """Without separators, case-folded: 王 秀英 and 王·秀英 both read 王秀英."""
    chars: list[str] = []
    origin: list[int] = []
    for ch, source in zip(view.text, view.origin):
        if is_separator(ch):
            continue
        for out in ch.casefold():
            chars.append(out)
            origin.append(source)
    return View("".join(chars), tuple(origin))
