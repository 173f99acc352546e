"""Decide a CSV's text encoding without ever handing back mojibake silently.

Order: byte-order marks, UTF-16 without a mark, strict UTF-8; only when UTF-8 fails do we
choose between Windows-1252 and Mac Roman (failing both, the DOS code page 850 that old
accounting and ERP exports still write), by which one gives characters that are plausible
where they stand (a lowercase accented letter inside a word, a curly quote after a digit) rather
than implausible (an uppercase letter inside a lowercase word, a dagger between letters).
"""
from __future__ import annotations

import re
import unicodedata

from lib.importing.detect import _looks_utf16
from lib.importing.model import ImportFileError

_COMMON_PUNCTUATION = set("’‘“”–—…•€£°©®™«»¡¿·§¢¥±×")
_UTF8_AS_CP1252 = re.compile("[ÂÃ][\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]")
_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (with BOM)", "utf-16-le": "UTF-16 LE",
           "utf-16-be": "UTF-16 BE", "cp1252": "Windows-1252", "mac_roman": "Mac Roman",
           "cp850": "DOS Latin-1 (code page 850)"}
_LEGACY = ("cp1252", "mac_roman")
# Weighed with Mac Roman when Windows-1252 cannot read the file at all; otherwise tried only
# when neither reads plausibly: its accented letters sit on the bytes of Windows-1252's curly
# quotes and no-break space, so it would win many a Windows file.
_LAST_RESORT = ("cp850",)


def decode_text(data: bytes, filename: str = "the file") -> tuple[str, str, list[str]]:
    """Return (text, encoding label, notes). Raise ImportFileError when no choice is safe."""
    codec, body = _by_mark(data)
    if codec:
        return _decode(body, codec, filename), _LABELS[codec], []
    try:
        return data.decode("utf-8"), _LABELS["utf-8"], []
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    return _decode_legacy(data, bad_at, filename)


def _by_mark(data: bytes) -> tuple[str | None, bytes]:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", data
    if data.startswith(b"\xff\xfe"):
        return "utf-16-le", data[2:]
    if data.startswith(b"\xfe\xff"):
        return "utf-16-be", data[2:]
    if _looks_utf16(data[:4096]):
        zeros_at_odd = data[1:4096:2].count(0) > data[0:4096:2].count(0)
        return ("utf-16-le" if zeros_at_odd else "utf-16-be"), data
    return None, data


def _decode(body: bytes, codec: str, filename: str) -> str:
    try:
        return body.decode(codec)
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"{filename} says it is {_LABELS[codec]} but has invalid bytes near byte "
            f"{exc.start:,} (line {_line_of(body, exc.start)}). Save it again as CSV UTF-8.") from None


def _decode_legacy(data: bytes, bad_at: int, filename: str) -> tuple[str, str, list[str]]:
    candidates = _decodings(data, _LEGACY)
    if "cp1252" not in candidates:   # bytes Windows never writes: a Mac or a DOS file
        candidates |= _decodings(data, _LAST_RESORT)
    if "cp1252" in candidates and _UTF8_AS_CP1252.search(candidates["cp1252"]):
        raise ImportFileError(
            f"{filename} mixes UTF-8 text with another encoding (the first byte that is not "
            f"UTF-8 is on line {_line_of(data, bad_at)}). It cannot be read without garbling "
            "names; save it again as CSV UTF-8.")
    scores = {codec: plausibility(text) for codec, text in candidates.items()}
    # When neither reads plausibly (and code page 850 was not weighed already): its letters
    # sit on common bytes of the others
    if max(scores.values(), default=-1) < 0 and "cp850" not in scores:
        candidates = _decodings(data, _LAST_RESORT)
        scores = {codec: plausibility(text) for codec, text in candidates.items()}
    best = max(scores, key=scores.get, default=None)  # on a tie, the first: far more files come from it
    if best is None or scores[best] < 0:
        raise ImportFileError(
            f"{filename} is not UTF-8 and its encoding cannot be told safely (line "
            f"{_line_of(data, bad_at)} has the first non-UTF-8 byte). Save it again as CSV UTF-8.")
    text = candidates[best]
    tied = " and ".join(_LABELS[c] for c in scores if c != best and scores[c] == scores[best])
    note = (f"The file is not UTF-8; it was read as {_LABELS[best]}"
            f"{f' ({tied} would fit as well)' if tied else ''}. "
            f"Check these words read right: {', '.join(sample_words(text)) or '(none)'}.")
    return text, _LABELS[best], [note]


def _decodings(data: bytes, codecs: tuple[str, ...]) -> dict[str, str]:
    decoded = {}
    for codec in codecs:
        try:
            decoded[codec] = data.decode(codec)
        except UnicodeDecodeError:
            continue
    return decoded


def plausibility(text: str) -> float:
    """Score how natural the non-ASCII characters of a decoding look where they stand."""
    score = 0.0
    for n, m in enumerate(re.finditer(r"[^\x00-\x7f]", text)):
        if n >= 50_000:      # plenty to decide; keeps a large accented file fast
            break
        i = m.start()
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < len(text) else " "
        score += _char_score(m.group(), prev, nxt)
    return score


def _char_score(c: str, prev: str, nxt: str) -> float:
    if c.isspace():
        return 0.0
    between_letters = prev.isalpha() and nxt.isalpha()
    if c.isalpha():
        if c.isupper() and prev.islower():
            return -3.0      # "CafÍ", "MŸller": a capital inside a lowercase word
        if c.isupper() and prev.isalpha() and nxt.islower():
            return -2.0      # "MÅller", "DÅsseldorf": a capital between a capital and lowercase
        if prev.isalpha() or nxt.isalpha():
            return 1.0 if c.islower() or nxt.isalpha() else 0.5
        return -1.0          # a lone accented letter next to digits or spaces
    if c in _COMMON_PUNCTUATION:
        return 1.0 if c == "’" else (-2.0 if between_letters else 0.5)
    if unicodedata.category(c) in ("Cc", "Cf", "Co", "Cn"):
        return -3.0
    return -2.0              # daggers, per-mille, maths symbols: rare in business data


def sample_words(text: str, limit: int = 5) -> list[str]:
    words: list[str] = []
    for m in re.finditer(r'[^\s,;|"]*[^\x00-\x7f\s][^\s,;|"]*', text):
        word = m.group()[:40]
        if word not in words:
            words.append(word)
        if len(words) >= limit:
            break
    return words


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1
