"""Decide a CSV's text encoding without ever handing back mojibake silently.

Order: byte-order marks, UTF-16 without a mark, strict UTF-8; only when UTF-8 fails do we
weigh the one-byte encodings real exports use: Windows-1252 (Western European), ISO-8859-15
(Latin-9, whose euro sign is byte 0xA4), Windows-1250 (Central European), Windows-1251
(Cyrillic), Mac Roman, and, failing those, the DOS code page 850 that old accounting and ERP
exports still write. Each reading is scored by how natural its words and signs look
(lib.importing.encoding_scores): "Dvořák" beats "Dvoøák", "€ 12" beats "¤ 12". Windows-1252,
by far the most common, wins unless another reads clearly better; when two read about
equally well and differ, the file is refused with both readings rather than guessed.
"""
from __future__ import annotations

import codecs
import re

from lib.importing.detect import _looks_utf16
from lib.importing.encoding_scores import reading_score, sample_cells, utf8_word_in
from lib.importing.model import ImportFileError

_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (with BOM)", "utf-16-le": "UTF-16 LE",
           "utf-16-be": "UTF-16 BE", "cp1252": "Windows-1252", "mac_roman": "Mac Roman",
           "cp850": "DOS Latin-1 (code page 850)", "cp1250": "Windows-1250 (Central European)",
           "cp1251": "Windows-1251 (Cyrillic)", "iso8859_15": "ISO-8859-15 (Latin-9)"}
_NAMES = {**_LABELS, "cp1252": "Windows-1252 (Western European)"}   # in messages
# In order of preference on a tie: far more files come from the first
_LEGACY = ("cp1252", "iso8859_15", "cp1250", "cp1251", "mac_roman")
# Weighed when Windows-1252 cannot read the file at all, or when nothing else reads plausibly:
# its accented letters sit on the bytes of Windows-1252's curly quotes and no-break space, so
# it would win many a Windows file.
_LAST_RESORT = "cp850"
# A head start in points: another reading must be clearly better to beat Windows-1252, by far
# the most common (and Mac Roman and DOS files are rare today)
_PRIOR = {"cp1252": 1.25, "mac_roman": -0.5, "cp850": -0.5}
# How far the best reading must lead every other plausible one that reads the file differently;
# closer than that, the file is refused with both readings rather than guessed
_MARGIN = 1.0


def _undefined(codec: str) -> list[bytes]:
    """Bytes a code page leaves undefined: a file holding one was not written in it."""
    return [bytes([b]) for b in range(0x80, 0x100) if not bytes([b]).decode(codec, "ignore")]


_UNDEFINED = {codec: _undefined(codec) for codec in (*_LEGACY, _LAST_RESORT)}


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


def plain_utf8(data: bytes) -> bool:
    """Whether decode_text reads `data` as UTF-8 with no mark and no notes. Checked a slice at a
    time: a str of a whole file takes up to four times its bytes."""
    if _by_mark(data)[0]:
        return False
    decoder, view = codecs.getincrementaldecoder("utf-8")(), memoryview(data)
    try:
        for start in range(0, len(view), _SLICE_BYTES):
            decoder.decode(view[start:start + _SLICE_BYTES])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


_SLICE_BYTES = 1 << 20


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
    if utf8_word_in(data):
        raise ImportFileError(
            f"{filename} mixes UTF-8 text with another encoding (the first byte that is not "
            f"UTF-8 is on line {_line_of(data, bad_at)}). It cannot be read without garbling "
            "names; save it again as CSV UTF-8.")
    cells = sample_cells(data)
    readings, evidence = _weigh(cells, _readable_as(data))
    if not any(points >= 0 for points in evidence.values()) and _LAST_RESORT not in evidence:
        more = _weigh(cells, [_LAST_RESORT])    # when nothing else reads plausibly
        readings, evidence = {**readings, **more[0]}, {**evidence, **more[1]}
    # Only a reading whose oddities do not outweigh its natural words and signs can be chosen
    plausible = sorted((c for c in evidence if evidence[c] >= 0),
                       key=lambda c: -(evidence[c] + _PRIOR.get(c, 0.0)))
    if not plausible:
        raise ImportFileError(
            f"{filename} is not UTF-8 and its encoding cannot be told safely (line "
            f"{_line_of(data, bad_at)} has the first non-UTF-8 byte). Save it again as CSV UTF-8.")
    best = plausible[0]
    lead = evidence[best] + _PRIOR.get(best, 0.0)
    close = [c for c in plausible[1:] if readings[c] != readings[best]
             and lead - evidence[c] - _PRIOR.get(c, 0.0) < _MARGIN]
    if close:
        raise ImportFileError(_undecided(filename, cells, [best, *close]))
    instead = ""
    if best != "cp1252" and readings.get("cp1252", readings[best]) != readings[best]:
        shown = ", ".join(theirs for _, theirs in _differing_words(cells, best, "cp1252"))
        instead = f" rather than {_NAMES['cp1252']}, which would make its words read {shown}"
    words = ", ".join(sample_words("\n".join(readings[best]))) or "(none)"
    note = (f"The file is not UTF-8; it was read as {_LABELS[best]}{instead}. "
            f"Check these words read right: {words}.")
    return data.decode(best), _LABELS[best], [note]


def _readable_as(data: bytes) -> list[str]:
    """The legacy encodings that define every byte of the file (code page 850 when Windows-1252
    does not: bytes Windows never writes mean a Mac or a DOS file)."""
    present = {b for b in {b for codec in _UNDEFINED for b in _UNDEFINED[codec]} if b in data}
    codecs = [c for c in _LEGACY if not present.intersection(_UNDEFINED[c])]
    return codecs if "cp1252" in codecs else [*codecs, _LAST_RESORT]


def _weigh(cells: list[bytes], codecs: list[str]) -> tuple[dict[str, list[str]], dict[str, float]]:
    readings = {codec: [cell.decode(codec) for cell in cells] for codec in codecs}
    return readings, {codec: reading_score(readings[codec]) for codec in codecs}


def _undecided(filename: str, cells: list[bytes], codecs: list[str]) -> str:
    """Two or more readings about equally plausible: show how each would read, and guess none."""
    readings = []
    for n, codec in enumerate(codecs):
        other = codecs[1] if n == 0 else codecs[0]
        shown = ", ".join(ours for ours, _ in _differing_words(cells, codec, other))
        readings.append(f"read as {_NAMES[codec]} {'they' if n else 'its words'} are {shown}")
    return (f"{filename} is not UTF-8, and its encoding cannot be told safely: "
            f"{'; '.join(readings)}. Each would be plausible, so rather than guess, the file "
            "was not read. Save it again as CSV UTF-8.")


def _differing_words(cells: list[bytes], codec: str, other: str,
                     limit: int = 4) -> list[tuple[str, str]]:
    """The first words that read differently in two encodings, as (codec's, other's)."""
    pairs: list[tuple[str, str]] = []
    for cell in cells:
        for word in cell.split():
            if word.isascii():
                continue
            pair = (word.decode(codec).strip(',;|"')[:40], word.decode(other).strip(',;|"')[:40])
            if pair[0] != pair[1] and pair not in pairs:
                pairs.append(pair)
                if len(pairs) >= limit:
                    return pairs
    return pairs


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
