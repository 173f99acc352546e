"""Tell what an upload is from its bytes, never from its name, and refuse what we cannot read.

Real files named .csv are workbooks, and real "Excel" files are HTML or password-protected, so
every refusal says what was actually seen and what the person can do about it.
"""
from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass, field

from lib.importing.model import ImportFileError, Limits

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SAVE_AS = "Open it in Excel and use File > Save As > Excel Workbook (.xlsx) or CSV UTF-8, then upload that."

# Magic numbers of things people upload by mistake: naming them beats "unreadable".
_KNOWN_BINARIES = [
    (b"%PDF", "a PDF document"), (b"\x1f\x8b", "a gzip archive"), (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"), (b"Rar!", "a RAR archive"), (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x7fELF", "a program (ELF executable)"), (b"MZ", "a Windows program"),
]


@dataclass
class Sniffed:
    format: str                       # "csv" or "xlsx" / "xlsm"
    notes: list[str] = field(default_factory=list)


def sniff_format(data: bytes, filename: str, limits: Limits = Limits()) -> Sniffed:
    """Decide how to read `data`; raise ImportFileError for anything we will not parse."""
    if not data:
        raise ImportFileError(f"'{filename}' is empty (0 bytes). Export it again and upload the new file.")
    if len(data) > limits.max_file_bytes:
        raise ImportFileError(
            f"'{filename}' is {_mb(len(data))}; the limit is {_mb(limits.max_file_bytes)}. "
            "Split it or remove unused sheets and columns.")
    if data.startswith(ZIP_MAGIC) or data.startswith(b"PK\x05\x06"):
        return _sniff_zip(data, filename, limits)
    if data.startswith(OLE2_MAGIC):
        raise ImportFileError(_ole2_message(data, filename))
    for magic, what in _KNOWN_BINARIES:
        if data.startswith(magic):
            raise ImportFileError(f"'{filename}' is {what}, not a spreadsheet or CSV file.")
    _refuse_markup(data, filename)
    _refuse_binary(data, filename)
    notes = [] if filename.lower().endswith((".csv", ".txt", ".tsv")) else [
        f"'{filename}' was read as delimited text (CSV) because that is what its content is."]
    return Sniffed("csv", notes)


def _sniff_zip(data: bytes, filename: str, limits: Limits) -> Sniffed:
    _check_entry_count(data, filename, limits)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, NotImplementedError, struct.error) as exc:
        raise ImportFileError(
            f"'{filename}' starts like a zip file (as .xlsx workbooks do) but is damaged or "
            f"incomplete ({exc}). Upload the original file again.") from None
    names = set(zf.namelist())
    if "xl/workbook.xml" not in names:
        raise ImportFileError(_not_a_workbook_message(zf, names, filename))
    check_zip_sizes(zf, filename, limits)
    if any(info.flag_bits & 0x1 for info in zf.infolist()):
        raise ImportFileError(f"'{filename}' has encrypted parts; remove the password and save again.")
    fmt = "xlsm" if _is_macro_enabled(zf, names) else "xlsx"
    notes = [] if filename.lower().endswith((".xlsx", ".xlsm")) else [
        f"'{filename}' is an Excel workbook despite its name; it was read as a workbook."]
    if fmt == "xlsm":
        notes.append("This workbook contains macros (VBA). Only its cell values were read; the "
                     "macros were ignored and never run.")
    return Sniffed(fmt, notes)


def check_zip_sizes(zf: zipfile.ZipFile, filename: str, limits: Limits) -> None:
    """Zip-bomb guard from the declared sizes, before anything is decompressed."""
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        raise ImportFileError(
            f"'{filename}' would expand to {_mb(total)} when unpacked (limit "
            f"{_mb(limits.max_uncompressed_bytes)}). It may be a zip bomb, or simply too big: "
            "export only the sheet you need as CSV.")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= limits.ratio_checked_from_bytes and ratio > limits.max_compression_ratio:
            raise ImportFileError(
                f"'{filename}' contains a part ({info.filename}) that expands {ratio:,.0f} times "
                f"to {_mb(info.file_size)}; real workbooks compress about 5-20 times. It looks "
                "like a zip bomb and was not opened.")


def _check_entry_count(data: bytes, filename: str, limits: Limits) -> None:
    # Read the count from the end-of-directory record: building a ZipFile of a million
    # entries would itself be the denial of service.
    tail = data[-(65535 + 22):]
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return  # zipfile will report the damage with its own words
    count = struct.unpack("<H", tail[at + 10:at + 12])[0]
    if count > limits.max_zip_entries:
        raise ImportFileError(
            f"'{filename}' is a zip with {count:,} parts (limit {limits.max_zip_entries:,}); "
            "it is not a normal workbook.")


def _is_macro_enabled(zf: zipfile.ZipFile, names: set[str]) -> bool:
    if "xl/vbaProject.bin" in names:
        return True
    if "[Content_Types].xml" not in names:
        return False
    with zf.open("[Content_Types].xml") as f:
        return b"macroEnabled" in f.read(256 * 1024)


def _not_a_workbook_message(zf: zipfile.ZipFile, names: set[str], filename: str) -> str:
    if "xl/workbook.bin" in names:
        return (f"'{filename}' is a binary Excel workbook (.xlsb), which cannot be read here. "
                + SAVE_AS)
    if "mimetype" in names and b"opendocument.spreadsheet" in _head(zf, "mimetype"):
        return f"'{filename}' is an OpenDocument spreadsheet (.ods). " + SAVE_AS
    if "word/document.xml" in names:
        return f"'{filename}' is a Word document, not a spreadsheet."
    shown = ", ".join(sorted(names)[:5]) + (" ..." if len(names) > 5 else "")
    hint = " Unzip it and upload the CSV inside." if any(n.lower().endswith(".csv") for n in names) else ""
    return (f"'{filename}' is a zip archive but not an Excel workbook (it has no xl/workbook.xml; "
            f"it holds {len(names)} file(s): {shown}).{hint}")


def _head(zf: zipfile.ZipFile, name: str, n: int = 200) -> bytes:
    with zf.open(name) as f:   # never zf.read(): the entry could be a bomb
        return f.read(n)


def _ole2_message(data: bytes, filename: str) -> str:
    # Directory entry names in a compound file are UTF-16LE; an encrypted OOXML workbook
    # is stored as an "EncryptedPackage" stream inside such a file.
    if "EncryptedPackage".encode("utf-16-le") in data:
        return (f"'{filename}' is a password-protected (encrypted) Excel workbook. Open it in "
                "Excel, remove the password (File > Info > Protect Workbook > Encrypt with "
                "Password, clear it), save, and upload again.")
    if any(s.encode("utf-16-le") in data for s in ("Workbook", "Book")):
        return (f"'{filename}' is an old-format Excel 97-2003 workbook (.xls), which is not "
                "read here. " + SAVE_AS)
    return (f"'{filename}' is an old Microsoft Office file (OLE2 compound document) that is not "
            "a workbook.")


def _refuse_markup(data: bytes, filename: str) -> None:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table")):
        raise ImportFileError(
            f"'{filename}' is a web page (HTML), not a spreadsheet; some systems export 'Excel' "
            "files that are really HTML. " + SAVE_AS)
    if head.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in data[:4096]:
        raise ImportFileError(f"'{filename}' is an Excel 2003 XML spreadsheet. " + SAVE_AS)


def _refuse_binary(data: bytes, filename: str) -> None:
    head = data[:65536].rstrip(b"\x1a")   # DOS programs end a text file with Ctrl-Z
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(head):
        return
    controls = sum(head.count(bytes([c])) for c in range(32) if c not in (9, 10, 12, 13))
    if b"\x00" in head or controls > len(head) * 0.01:
        raise ImportFileError(
            f"'{filename}' is not text and not a workbook: it holds binary data (first bytes "
            f"{head[:8].hex(' ')}). Upload a CSV or an .xlsx file.")


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without a byte-order mark: ASCII text has a zero in every other byte."""
    sample = head[:4096] if len(head) % 2 == 0 else head[:4095]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    return max(even, odd) > half * 0.7 and min(even, odd) < half * 0.05


def _mb(n: int) -> str:
    return f"{n / 1024**2:,.1f} MB"
