"""How plausible one reading of a legacy (one byte per character) file is, in terms a person
would accept, scored on a sample of the file's cells that hold non-ASCII bytes:

- signs sit where signs do: a euro or pound sign beside digits, a fraction or degree sign after
  a number, a curly apostrophe between letters; not "¤ 12", nor a "¿" or "³" inside a word;
- each word keeps to one script (no Latin letters mixed with Cyrillic or Greek), has no capital
  inside a lowercase word ("JosŽ", "MŸller"), and its accented letters are all written by one
  language: not the "ø" and "á" of "Dvoøák", nor the "ä", "ì" and "ð" of "Äìèòðèé";
- a few spelling facts tell languages apart: Polish writes ń ś ź ć only before a consonant or at
  the end of a word (not "Peńa"), Spanish ñ only before a vowel (not "Gdañsk"), Italian puts
  accents only on a last vowel and French è only before a consonant and a final e ("Crème";
  not "Kuèera"), Portuguese writes õ only in -ões and -õe, Estonian no c, w, x, y or z;
- the file's words together need few languages: "Kővári", "Győr" and "Szűcs" are all
  Hungarian, while "Kõvári", "Gyõr" and "Szûcs" would need Portuguese and French.
Everyday letters count for more than rare ones (ĺ ŕ ÿ ď), and a word only Estonian would write
counts for less: it is weak evidence for a reading.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# The accented letters each language writes (lowercase; ASCII letters are everyone's)
ALPHABETS = {
    "German": "äöüß", "French": "àâæçéèêëîïôœùûüÿ", "Spanish": "áéíóúñü",
    "Catalan": "àçèéíïòóúü", "Portuguese": "áâãàçéêíóôõú", "Italian": "àèéìíîòóùú",
    "Dutch": "áàéèëïóöüíú", "Danish/Norwegian": "æøåéü", "Swedish": "åäöéü",
    "Finnish": "äöåšž", "Icelandic": "áðéíóúýþæö", "Estonian": "äöõüšž", "Irish": "áéíóú",
    "Albanian": "çë", "Czech": "áčďéěíňóřšťúůýž", "Slovak": "áäčďéíĺľňóôŕšťúýž",
    "Polish": "ąćęłńóśźż", "Hungarian": "áéíóöőúüű", "Croatian": "čćđšž",
    "Romanian": "ăâîşţșț",
}
_ALPHABET_SETS = {name: frozenset(letters) for name, letters in ALPHABETS.items()}
# Spelling facts: a word matching one of these is not of that language
_FRENCH_E_GRAVE = "è(?!(?:[bcdfghjklmnpqrstvwxzç]|qu|gu){1,3}e|s$)"  # "Crème", not "Kuèera"
_AFTER_A_VOWEL = "(?:^|[^aeiouyéè])ï"                           # "Haïti"; not "Ïurèo"
_VOWEL_THEN_AE = "[aeiouy]æ"                                     # "næste"; not "Ivanoviæ"
_NOT_ROMANCE = "[cs]z|zs|w"                           # not "Szûcs", "Czêstochowa", "Wiœniewski"
_NEVER = {name: re.compile("|".join(patterns)) for name, patterns in {
    "Polish": ["[ńśźć][aeiouyąęó]"],        # Polish writes "ni", "si", "zi", "ci" there: "Peńa"
    "Spanish": ["ñ(?![aeiouáéíóú])"],       # ñ always opens a syllable: "Gdañsk", "Poznañ"
    "Portuguese": ["õ(?!e)", "ã(?![oes]|$)", "[bcdpz]ã$", "à(?!s?$|qu)", _NOT_ROMANCE],
    "Icelandic": [".þ", "^ð", _VOWEL_THEN_AE],   # þ only starts a word, ð never does
    "Italian": ["[àèìòù](?!$)", "(?:^|[^bcdfghjklmnpqrstvwxzou])è$"],  # "città", "caffè"
    "French": ["à(?!$)", "ù(?!$)", _FRENCH_E_GRAVE, _AFTER_A_VOWEL, "œ(?![uiedsnt])",
               _VOWEL_THEN_AE, _NOT_ROMANCE],
    "Dutch": ["à(?!$)", _FRENCH_E_GRAVE, _AFTER_A_VOWEL],
    "Catalan": ["[kw]", "[èò](?:[aeiouàèéíïòóúü]|[^aeiouàèéíïòóúü]{3})", _AFTER_A_VOWEL],
    "Danish/Norwegian": [_VOWEL_THEN_AE],
    "Estonian": ["[cqwxyz]"],               # none in Estonian's own words: "Gyõr", "Kõszeg"
    "Czech": ["rř|řr"]}.items()}
_SMALL = {"Estonian"}   # a word only it writes ("Erdõs") is weak evidence for a reading
_CYRILLIC = frozenset(["Cyrillic"])
_RARE = set("ĺŕÿď")
_ONE_LETTER_WORDS = {"à": "French", "è": "Italian", "é": "Portuguese", "ó": "Spanish",
                     "ő": "Hungarian"}
_CYRILLIC_ONE_LETTER_WORDS = set("авикосуя")

_CURRENCY = set("€£¥¢")
_APOSTROPHES = {"’": 1.0, "‘": 0.5, "´": 0.5}
_BY_NUMBERS = set("½¼¾²³¹°ºª‰±×µ")
_PUNCTUATION = set("“”„«»–—…•·©®™¿¡")
_WORD = re.compile(r"[^\W\d_ªºµ²³¹¼½¾]+")   # letters: not "²", which \w takes
_NON_ASCII = re.compile(r"[^\x00-\x7f]")

_FLATTEN = bytes(range(0x80)) + b"\x80" * 0x80   # every non-ASCII byte to 0x80, for find()
_UTF8_SIGNS = set("£°©®«»±·§¢¥¿¡\xa0")   # "£" read as "Â£"; not "²", the Cyrillic "ВІ"
_CELL_EDGE = re.compile(rb'[,;|"\t\r\n]')
_WORD_EDGE = re.compile(rb'[\s,;|"]')
_REACH = 80                 # bytes looked at either side of a non-ASCII byte


def sample_cells(data: bytes, limit: int = 1000, max_hits: int = 20_000) -> list[bytes]:
    """The first `limit` distinct cells (or 80-byte stretches of long ones) with a non-ASCII
    byte: enough to judge a reading, and fast on a large mostly-ASCII file."""
    cells: dict[bytes, None] = {}
    flat = data.translate(_FLATTEN)      # a regex scan of 30 MB takes ten times as long
    pos = hits = 0
    while len(cells) < limit and hits < max_hits:
        at = flat.find(0x80, pos)
        if at == -1:
            break
        hits += 1
        before = _CELL_EDGE.split(data[max(0, at - _REACH):at])[-1]
        end = _CELL_EDGE.search(data, at, at + _REACH)
        stop = end.start() if end else min(len(data), at + _REACH)
        cells.setdefault(data[at - len(before):stop], None)
        pos = stop + 1 if end else stop
    return list(cells)


def utf8_word_in(data: bytes, max_checks: int = 500) -> bool:
    """Whether a word of the file is UTF-8 ("José" that would read "JosÃ©") although the file
    as a whole is not: a file that mixes two encodings."""
    for lead in (0xC3, 0xC2):   # the first byte of UTF-8's Latin-1 letters and signs
        at, checks = data.find(lead), 0
        while at != -1 and at + 1 < len(data) and checks < max_checks:
            if 0x80 <= data[at + 1] <= 0xBF:
                checks += 1
                start = at - len(_WORD_EDGE.split(data[max(0, at - _REACH):at])[-1])
                end = _WORD_EDGE.search(data, at, at + _REACH)
                try:
                    word = data[start:end.start() if end else at + _REACH].decode("utf-8")
                except UnicodeDecodeError:
                    word = ""
                if any(ch.isalpha() or ch in _UTF8_SIGNS for ch in word if "\x7f" < ch <= "\xff"):
                    return True
            at = data.find(lead, at + 1)
    return False


def reading_score(texts: list[str]) -> float:
    """Evidence for one reading of the sampled cells: above 0 plausible, below 0 not."""
    score = 0.0
    words: dict[str, None] = {}
    for text in texts:
        score += _symbols_score(text)
        for word in _WORD.findall(text):
            if not word.isascii():
                words.setdefault(word, None)
    languages = set()
    for word in words:
        points, fits = word_score(word)
        score += points
        if fits:
            languages.add(fits)
    return score - 0.5 * max(0, _languages_needed(languages) - 1)


def _symbols_score(text: str) -> float:
    score = 0.0
    for m in _NON_ASCII.finditer(text):
        i = m.start()
        c = text[i]
        if (c.isalpha() and c not in _BY_NUMBERS) or c.isspace():
            continue                     # letters are judged word by word
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < len(text) else " "
        score += _symbol_score(c, prev, nxt, text[i - 2:i - 1], text[i + 2:i + 3])
    return score


def _symbol_score(c: str, prev: str, nxt: str, prev2: str, nxt2: str) -> float:
    between_letters = prev.isalpha() and nxt.isalpha()
    by_digit = prev.isdigit() or nxt.isdigit() or (prev == " " and prev2.isdigit()) \
        or (nxt == " " and nxt2.isdigit())
    if c in _CURRENCY:       # "€ 12", "12€", "£5"; "€" alone in a currency column
        if between_letters or prev.isalpha() or nxt.isalpha():
            return -2.0
        return 1.0 if by_digit else 0.5
    if c in _APOSTROPHES:    # "D’Angelo", "Don´t"
        return _APOSTROPHES[c] if between_letters else 0.0
    if c in "ºª":            # "Nº 3", "1º", "2ª"; not "Mureº"
        if between_letters:
            return -2.0
        return 0.5 if prev.isdigit() or prev in "Nn" else -2.0
    if c in _BY_NUMBERS:     # "1½", "m²", "5 °C"; not "Za¿ó³æ"
        if between_letters:
            return -2.0
        return 0.5 if by_digit or prev.isalpha() else 0.0
    if c in _PUNCTUATION:    # quotes, dashes, bullets; "l·l" is Catalan, "A–Z" a range
        if between_letters:
            if c in "–—" or (c == "·" and prev.lower() == nxt.lower() == "l"):
                return 0.0
            return -2.0
        return 0.5
    if c == "§":
        return -2.0 if between_letters else 0.0
    if unicodedata.category(c) in ("Cc", "Cf", "Co", "Cn"):
        return -3.0
    return -2.0              # daggers, "¤", maths signs: rare in business data


@lru_cache(maxsize=50_000)
def word_score(word: str) -> tuple[float, frozenset[str] | None]:
    """Points for a word with accented or non-Latin letters, and the languages it fits."""
    latin = cyrillic = other = 0
    for ch in word:
        o = ord(ch)
        if o < 0x250 or 0x1E00 <= o < 0x1F00 or 0xFB00 <= o <= 0xFB06:
            latin += 1
        elif 0x400 <= o < 0x530:
            cyrillic += 1
        else:
            other += 1
    if other or (latin and cyrillic):
        return -4.0, None    # "Mьller", "1Ω": letters of two scripts in one word
    if _odd_capital(word):
        return -3.0, None    # "JosŽ", "MŸller", "ìPillow"
    if cyrillic:             # Russian writes a few one-letter words: "и", "в", "с", "к"
        if len(word) == 1 and word.lower() not in _CYRILLIC_ONE_LETTER_WORDS:
            return -1.0, None
        return float(len(word)), _CYRILLIC
    lower = word.lower()
    if len(lower) == 1:
        fits = _ONE_LETTER_WORDS.get(lower)
        return (1.0, frozenset([fits])) if fits else (-1.0, None)
    accented = frozenset(ch for ch in lower if ord(ch) > 0x7F)
    fits = frozenset(name for name, letters in _ALPHABET_SETS.items()
                     if accented <= letters and not (name in _NEVER and _NEVER[name].search(lower)))
    if not fits or (len(lower) >= 3 and len(lower) == sum(ord(ch) > 0x7F for ch in lower)):
        return -2.0, None    # "Dvoøák", "Peńa", "ÎÎÎ": no language writes these so
    points = sum(0.5 if ch in _RARE else 1.0 for ch in lower if ord(ch) > 0x7F)
    return (points / 2 if fits <= _SMALL else points), fits


def _odd_capital(word: str) -> bool:
    """A capital inside a word that has lowercase letters, where a non-ASCII letter is involved."""
    if word.isupper() or word.islower():
        return False
    for i in range(1, len(word)):
        ch, prev = word[i], word[i - 1]
        if ch.isupper() and (ord(ch) > 0x7F or (ord(prev) > 0x7F and prev.islower())):
            return True
    return False


def _languages_needed(fits: set[frozenset[str]]) -> int:
    """How many languages, chosen greedily, cover every word (each word: the languages it fits)."""
    left, needed = set(fits), 0
    while left:
        counts: dict[str, int] = {}
        for options in left:
            for name in options:
                counts[name] = counts.get(name, 0) + 1
        chosen = max(counts, key=lambda name: (counts[name], name))
        left = {options for options in left if chosen not in options}
        needed += 1
    return needed
