"""The bad-input corpus: malformed uploads, each file named after the trouble it carries.

    python -m tests.reliability.make_corpus FOLDER      # writes every file into FOLDER

Generated (seeded) rather than committed, so the repository stays small: the test writes them
into a temporary folder. Rows that parse at all name accounts that do not exist, or carry a
value no import accepts, so a file that gets past the reader still cannot write anything.
"""
from __future__ import annotations

import gzip
import io
import random
import sys
import zipfile
from pathlib import Path
from typing import Callable

from tests.importing.conftest import far_cells_sheet, hand_made_xlsx, xlsx_from_rows

SEED = 1729
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEADER = "Account,Month,Amount"
UNKNOWN = "Nobody Trading Ltd"     # no demo account has this name


def _rng(name: str) -> random.Random:
    return random.Random(f"{SEED}:{name}")


def _rows(n: int, account: str = UNKNOWN) -> str:
    return "".join(f"{account} {i},2025-{i % 12 + 1:02d},{100 + i}.00\n" for i in range(n))


def _csv(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def _zip(parts: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(name, content)
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            block = b"\0" * (1 << 20)
            for _ in range(300):
                part.write(block)
    return buffer.getvalue()


def _ole(stream_name: str) -> bytes:
    return OLE2 + b"\0" * 504 + stream_name.encode("utf-16-le") + b"\0" * 512


def _sheet(cells: str, dimension: str | None = None) -> str:
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'{declared}<sheetData>{cells}</sheetData></worksheet>')


def _inline_row(r: int, values: list[str]) -> str:
    cols = "ABCDEFGHIJ"
    cells = "".join(f'<c r="{cols[i]}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values))
    return f'<row r="{r}">{cells}</row>'


def _formulas_xlsx() -> bytes:
    import xlsxwriter
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Data")
    sheet.write_row(0, 0, ["Account", "Month", "Amount"])
    for r in range(1, 6):
        sheet.write_string(r, 0, f"{UNKNOWN} {r}")
        sheet.write_string(r, 1, "2025-01")
        sheet.write_formula(r, 2, f'=HYPERLINK("http://example.invalid/?{r}","{r}")+cmd|" /C calc"!A0')
    book.close()
    return buffer.getvalue()


def _xlsm() -> bytes:
    data = xlsx_from_rows({"Data": [["Account", "Month", "Amount"], [UNKNOWN, "2025-01", "12"]]})
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    parts["xl/vbaProject.bin"] = _ole("VBA")
    return _zip(parts)


def _billion_laughs() -> str:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    return (f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            + _inline_row(1, ["Account", "Month", "Amount"])
            + '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')


def _nested_quotes(depth: int) -> str:
    cell = "x"
    for _ in range(depth):
        cell = '"' + cell.replace('"', '""') + '"'
    return f"{HEADER}\n{cell},2025-01,1\n"


CASES: dict[str, Callable[[], bytes]] = {
    # what the bytes are
    "empty.csv": lambda: b"",
    "header_only.csv": lambda: _csv(HEADER + "\n"),
    "bom_only.csv": lambda: b"\xef\xbb\xbf",
    "bom_and_blank_lines.csv": lambda: b"\xef\xbb\xbf\r\n\r\n\r\n",
    "whitespace_only.csv": lambda: _csv("   \n\t\n  \n"),
    "ten_thousand_blank_lines.csv": lambda: _csv("\n" * 10_000),
    "only_commas.csv": lambda: _csv(",,,,\n" * 50),
    "only_semicolons.csv": lambda: _csv(";;;;;;\n" * 50),
    "single_cell.csv": lambda: _csv("x"),
    "binary_garbage.csv": lambda: bytes(_rng("garbage").randrange(256) for _ in range(4096)),
    "binary_garbage.xlsx": lambda: bytes(_rng("garbage.xlsx").randrange(256) for _ in range(4096)),
    "png_named_csv.csv": lambda: b"\x89PNG\r\n\x1a\n" + bytes(_rng("png").randrange(256) for _ in range(512)),
    "pdf_named_xlsx.xlsx": lambda: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    "gzip_named_csv.csv": lambda: gzip.compress(_csv(HEADER + "\n" + _rows(20)), mtime=0),
    "html_named_csv.csv": lambda: _csv("<html><body><table><tr><td>Account</td></tr></table>"
                                       "<script>alert(1)</script></body></html>\n"),
    "nul_bytes.csv": lambda: _csv(HEADER + "\n") + b"Nobody\0Trading,2025-01,1\0\0\n" * 5,
    "control_characters.csv": lambda: _csv(HEADER + "\n" + "".join(
        f"{UNKNOWN}\x01\x02\x1b[31m{i},2025-01,{i}\x07\n" for i in range(5))),
    # workbooks that are not what they seem
    "zip_not_xlsx.xlsx": lambda: _zip({"report.csv": HEADER + "\n" + _rows(3)}),
    "zip_bomb.xlsx": _zip_bomb,
    "used_range_to_xfd1048576.xlsx": lambda: hand_made_xlsx(far_cells_sheet("A1:XFD1048576")),
    "far_cell_behind_a_small_dimension.xlsx": lambda: hand_made_xlsx(far_cells_sheet("A1:A1")),
    "encrypted_workbook.xlsx": lambda: _ole("EncryptedPackage"),
    "legacy_excel_97.xls": lambda: _ole("Workbook"),
    "macro_workbook.xlsm": _xlsm,
    "truncated_workbook.xlsx": lambda: (lambda d: d[: len(d) // 2])(
        xlsx_from_rows({"Data": [["Account", "Month", "Amount"]] + [[UNKNOWN, "2025-01", i] for i in range(200)]})),
    "workbook_without_sheets.xlsx": lambda: _zip({
        "[Content_Types].xml": "<Types/>", "xl/workbook.xml":
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>'}),
    "blank_sheet.xlsx": lambda: hand_made_xlsx(_sheet("")),
    "sheet_with_header_only.xlsx": lambda: hand_made_xlsx(_sheet(_inline_row(1, ["Account", "Month", "Amount"]))),
    "broken_sheet_xml.xlsx": lambda: hand_made_xlsx('<worksheet><sheetData><row r="1"><c r="A1"'),
    "missing_shared_strings.xlsx": lambda: hand_made_xlsx(_sheet(
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>7</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>99</v></c><c r="B2"><v>1</v></c></row>')),
    "xml_entity_expansion.xlsx": lambda: hand_made_xlsx(_billion_laughs()),
    "formulas.xlsx": _formulas_xlsx,
    "ten_thousand_columns.xlsx": lambda: hand_made_xlsx(_sheet("", "A1:OUL2")),
    # shape
    "ten_thousand_columns.csv": lambda: _csv(",".join(f"c{i}" for i in range(10_001)) + "\n"
                                             + ",".join("1" for _ in range(10_001)) + "\n"),
    "huge_cell.csv": lambda: _csv(f"{HEADER}\n{'A' * 3_000_000},2025-01,1\n"),
    "very_long_line.csv": lambda: _csv(HEADER + "\n" + ",".join(["x"] * 600_000) + "\n"),
    "huge_header_name.csv": lambda: _csv(f"{'H' * 200_000},Month,Amount\n{UNKNOWN},2025-01,1\n"),
    "duplicate_headers.csv": lambda: _csv("Account,Amount,Amount,Month,Month\n"
                                          + f"{UNKNOWN},1,2,2025-01,2025-02\n" * 3),
    "unbalanced_quotes.csv": lambda: _csv(f'{HEADER}\n"{UNKNOWN},2025-01,1\nOther,2025-02,2\n'),
    "quote_open_to_the_end.csv": lambda: _csv(f'{HEADER}\n{UNKNOWN},2025-01,"1\n' + _rows(30)),
    "deeply_nested_quotes.csv": lambda: _csv(_nested_quotes(14)),
    "mixed_line_endings.csv": lambda: _csv(f"{HEADER}\r\n{UNKNOWN} 1,2025-01,1\n{UNKNOWN} 2,2025-02,2\r"
                                           f"{UNKNOWN} 3,2025-03,3"),
    "cr_only_line_endings.csv": lambda: _csv(f"{HEADER}\r{UNKNOWN} 1,2025-01,1\r{UNKNOWN} 2,2025-02,2\r"),
    # encodings
    "windows_1252.csv": lambda: _csv(f"{HEADER}\nCafé Müller GmbH,2025-01,1\nSociété Générale Fictive,2025-02,2\n",
                                     "cp1252"),
    "mac_roman.csv": lambda: _csv(f"{HEADER}\nCafé Müller GmbH,2025-01,1\nFrançois & Fils,2025-02,2\n",
                                  "mac_roman"),
    "utf16_with_bom.csv": lambda: _csv(f"{HEADER}\nZoë Zürich AG,2025-01,1\n", "utf-16"),
    "utf16_without_bom.csv": lambda: _csv(f"{HEADER}\nZoë Zürich AG,2025-01,1\n", "utf-16-le"),
    "mixed_utf8_and_1252.csv": lambda: _csv(f"{HEADER}\nJosé,2025-01,1\n") + "Renée,2025-02,2\n".encode("cp1252"),
    "shift_jis.csv": lambda: _csv(f"{HEADER}\n株式会社テスト,2025-01,1\n", "shift_jis"),
    # content no import accepts
    "formulas.csv": lambda: _csv(HEADER + "\n" + "".join(
        f"{p}cmd|' /C calc'!A0,2025-01,=1+{i}\n" for i, p in enumerate(["=", "+", "-", "@", "\t=", "＝"]))),
    "script_in_cells.csv": lambda: _csv(HEADER + "\n" + "<script>alert(1)</script>,2025-01,1\n"
                                        + '<img src=x onerror="alert(2)">,2025-02,2\n'),
    "sql_in_cells.csv": lambda: _csv(HEADER + "\n" + "x'); DROP TABLE accounts;--,2025-01,1\n"
                                     + "1 OR 1=1,2025-02,2\n"),
    "amounts_beyond_any_decimal.csv": lambda: _csv(HEADER + "\n" + f"{UNKNOWN},2025-01,1e400\n"
                                                   + f"{UNKNOWN},2025-02,99999999999999999999999\n"),
    "months_that_are_not_months.csv": lambda: _csv(HEADER + "\n" + f"{UNKNOWN},soon,1\n"
                                                   + f"{UNKNOWN},0000-00,2\n{UNKNOWN},9999-99,3\n"),
    "emoji_and_right_to_left.csv": lambda: _csv(HEADER + "\n" + "🏢💥 \u202eLtd\u202c,2025-01,1\n"
                                                + "شركة وهمية,2025-02,2\n"),
}


def write_corpus(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in CASES.items():
        path = folder / name
        path.write_bytes(build())
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write_corpus(Path(sys.argv[1])):
        print(f"{p.stat().st_size:>10,}  {p.name}")
