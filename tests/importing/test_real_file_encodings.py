"""Real exports saved in a legacy code page other than Windows-1252 read with their own letters, or
are refused with both readings shown; plain Windows-1252 files read as they always did."""
from __future__ import annotations

import pytest

from lib.importing import stage, suggest_mapping
from tests.importing.pipeline_helpers import refusal, upload

CENTRAL = "Windows-1250 (Central European)"


def names(tmp_path, file_name: str, text: str, codec: str):
    book = upload(tmp_path, file_name, text.encode(codec))
    return book, book.sheets[0].rows["Account Name"].tolist()


def test_a_czech_list_saved_as_windows_1250_reads_its_names_right(tmp_path):
    book, read = names(tmp_path, "zakaznici.csv", "Account Name,Country\nDvořák s.r.o.,CZ\n"
                       "Černý a syn,CZ\nRůžička,CZ\nKučera,CZ\n", "cp1250")
    assert book.encoding == CENTRAL
    assert read == ["Dvořák s.r.o.", "Černý a syn", "Růžička", "Kučera"]


def test_the_note_says_why_windows_1250_was_chosen_over_windows_1252(tmp_path):
    book, _ = names(tmp_path, "zakaznici.csv", "Account Name,Country\nDvořák s.r.o.,CZ\n"
                    "Černý a syn,CZ\n", "cp1250")
    assert book.notes[0] == (
        f"The file is not UTF-8; it was read as {CENTRAL} rather than Windows-1252 (Western "
        "European), which would make its words read Dvoøák, Èerný. Check these words read "
        "right: Dvořák, Černý.")


@pytest.mark.parametrize("file_name, rows", [
    ("ugyfelek.csv", [("Kővári Kft.", "Győr"), ("Szűcs és Társa", "Pécs"),     # double acutes
                      ("Hegedűs Bt.", "Székesfehérvár")]),
    ("klienci.csv", [("Zażółć Sp. z o.o.", "Łódź"), ("Wróbel i Syn", "Gdańsk"),  # once refused
                     ("Gęślą Jaźń", "Kraków")]),
])
def test_hungarian_and_polish_lists_saved_as_windows_1250_keep_their_letters(tmp_path, file_name, rows):
    text = "Account Name,City\n" + "".join(f"{n},{c}\n" for n, c in rows)
    book, read = names(tmp_path, file_name, text, "cp1250")
    assert book.encoding == CENTRAL
    assert read == [n for n, _ in rows]
    assert book.sheets[0].rows["City"].tolist() == [c for _, c in rows]


def test_a_russian_list_saved_as_windows_1251_reads_in_cyrillic(tmp_path):
    book, read = names(tmp_path, "klienty.csv", "Account Name,City\nДмитрий Иванов,Москва\n"
                       "ООО Ромашка,Санкт-Петербург\n", "cp1251")
    assert book.encoding == "Windows-1251 (Cyrillic)"
    assert read == ["Дмитрий Иванов", "ООО Ромашка"]
    assert "Äìèòðèé" in book.notes[0]     # what Windows-1252 would have made of it


def test_a_ukrainian_list_in_capitals_is_not_taken_for_a_mix_with_utf8(tmp_path):
    # "ВІ" is the bytes C2 B2, which UTF-8 reads as "²"
    book, read = names(tmp_path, "mista.csv", "Account Name\nВІННИЦЯ\nВІ\n", "cp1251")
    assert (book.encoding, read) == ("Windows-1251 (Cyrillic)", ["ВІННИЦЯ", "ВІ"])


def test_euro_amounts_saved_as_latin_9_read_as_euros_and_add_up(tmp_path):
    # ISO-8859-15 writes € as byte A4, which Windows-1252 reads as "¤" and Mac Roman as "§"
    book = upload(tmp_path, "umsatz.csv", "Account,Month,Amount\nAcme,2025-01,€ 1200\n"
                  "Beta,2025-02,300 €\n".encode("iso8859_15"))
    assert book.encoding == "ISO-8859-15 (Latin-9)"
    rows = book.sheets[0].rows
    assert rows["Amount"].tolist() == ["€ 1200", "300 €"]
    values = stage(rows, "revenue", suggest_mapping(list(rows.columns), "revenue", rows)).values
    assert values["amount"].tolist() == [1200.0, 300.0]


WESTERN = ("Kunde;Ort;Preis\nMüller GmbH;Köln;€10\nSociété Générale;Paris;€5\n"
           "Peña y Hijos;Málaga;£5\nCrème & Co;Genève;12\n")
PARTS = "Kunde;Artikel\nMüller GmbH;Rohr 1½ Zoll\nBäckerei Schön;Blech ¾ m²\n"


def test_german_and_french_lists_saved_as_windows_1252_read_as_windows_1252_without_a_new_warning(
        tmp_path):
    for name, text in (("kunden.csv", WESTERN), ("artikel.csv", PARTS)):
        book = upload(tmp_path, name, text.encode("cp1252"))   # € is byte 80 there
        assert book.encoding == "Windows-1252"
        rows = book.sheets[0].rows
        assert [";".join(rows.columns), *(";".join(r) for r in rows.values.tolist())] \
            == text.splitlines()
        assert book.notes[0].startswith(
            "The file is not UTF-8; it was read as Windows-1252. Check these words read right: ")
        assert not any("rather than" in note or "cannot" in note for note in book.notes)


def test_a_short_file_that_reads_as_well_in_two_encodings_is_refused_showing_both(tmp_path):
    # "Erdõs" is as plausible (õ is an Estonian letter) as "Erdős": no guess either way
    message = refusal(tmp_path, "ugyfel.csv", "Customer,City\nErdős Pál,Pécs\n".encode("cp1250"))
    assert message == (
        "'ugyfel.csv' is not UTF-8, and its encoding cannot be told safely: read as Windows-1252 "
        "(Western European) its words are Erdõs; read as Windows-1250 (Central European) they "
        "are Erdős. Each would be plausible, so rather than guess, the file was not read. Save it "
        "again as CSV UTF-8.")
