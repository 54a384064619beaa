"""How many SMS segments a text takes: GSM-7 (GSM 03.38 basic set and extension table) or UCS-2.

A GSM-7 text of up to 160 septets is one segment; longer ones are split into segments of 153 septets (the
concatenation header takes the rest), and an extension character (two septets: ESC + code) is never split
across two. A text with any other character is sent as UCS-2: 70 UTF-16 units in one segment, else 67 per
segment, a surrogate pair (an emoji) never split.
"""

from __future__ import annotations

import unicodedata

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")


def is_gsm(text: str) -> bool:
    return all(c in GSM_BASIC or c in GSM_EXTENSION for c in text)


def _split(units: list[int], single: int, multi: int) -> int:
    """Segments for a text whose characters take `units` each (a character is never split)."""
    if sum(units) <= single:
        return 1
    segments, used = 1, 0
    for u in units:
        if used + u > multi:
            segments, used = segments + 1, 0
        used += u
    return segments


def segments(text: str) -> int:
    """The number of segments this text is billed and sent as."""
    if is_gsm(text):
        return _split([2 if c in GSM_EXTENSION else 1 for c in text], 160, 153)
    return _split([len(c.encode("utf-16-le")) // 2 for c in text], 70, 67)


def encoding(text: str) -> str:
    return "GSM-7" if is_gsm(text) else "UCS-2"


def to_gsm(text: str) -> str:
    """The text with each character outside GSM-7 replaced by its unaccented letter when it has one
    (á -> a, í -> i, Ó -> O); others stay (and make the text UCS-2). Keeps ñ, é, ü, ¿, ¡, which GSM-7 has."""
    out = []
    for c in text:
        if c in GSM_BASIC or c in GSM_EXTENSION:
            out.append(c)
            continue
        base = "".join(ch for ch in unicodedata.normalize("NFD", c) if not unicodedata.combining(ch))
        out.append(
            base
            if base and is_gsm(base)
            else {"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " "}.get(c, c)
        )
    return "".join(out)


def fits(text: str, max_segments: int = 2) -> bool:
    return segments(text) <= max_segments
