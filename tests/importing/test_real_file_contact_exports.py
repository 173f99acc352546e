"""Contact lists as people export them from Outlook and LinkedIn: many empty columns beside the
filled ones, a Title of forms of address beside the Job Title, notes above the header."""
from __future__ import annotations

from lib.importing import preview_import, stage, suggest_entity, suggest_mapping
from tests.builders import make_account
from tests.importing.pipeline_helpers import apply_file, sheet_rows, upload

OUTLOOK_HEADER = ('"First Name","Middle Name","Last Name","Title","Suffix","Nickname","Given Yomi","Surname Yomi","E-mail Address","E-mail 2 Address","E-mail 3 Address","Home Phone","Home Phone 2","Business Phone","Business Phone 2","Mobile Phone","Car Phone","Other Phone","Primary Phone","Pager","Business Fax","Home Fax","Other Fax","Company Main Phone","Callback","Radio Phone","Telex","TTY/TDD Phone","IMAddress","Job Title","Department","Company","Office Location","Manager\'s Name","Assistant\'s Name","Assistant\'s Phone","Company Yomi","Business Street","Business City","Business State","Business Postal Code","Business Country/Region","Home Street","Home City","Home State","Home Postal Code","Home Country/Region","Other Street","Other City","Other State","Other Postal Code","Other Country/Region","Personal Web Page","Spouse","Schools","Hobby","Location","Web Page","Birthday","Anniversary","Notes"')


def outlook_row(**cells: str) -> str:
    headers = [h.strip('"') for h in OUTLOOK_HEADER.split('","')]
    return ",".join(f'"{cells.get(h, "")}"' for h in headers) + "\n"


def outlook_contacts(tmp_path, *rows: dict):
    text = OUTLOOK_HEADER + "\n" + "".join(outlook_row(**r) for r in rows)
    return upload(tmp_path, "contacts.CSV", b"\xef\xbb\xbf" + text.encode()).sheets[0]


ANNA = {"First Name": "Anna", "Last Name": "Berg", "Title": "Dr.", "Company": "Lindqvist Retail",
        "E-mail Address": "anna.berg@lindqvist.example", "Business Phone": "+49 40 1234567",
        "Job Title": "Head of Procurement", "Business Country/Region": "Germany"}
RAVI = {"First Name": "Ravi", "Last Name": "Iyer", "Title": "Mr", "Company": "Sundara Textiles",
        "E-mail Address": "ravi@sundara.example",
        "Job Title": "CFO"}


def test_an_outlook_contact_list_maps_job_title_not_the_form_of_address_and_the_filled_phone(
        db, tmp_path):
    lindqvist = make_account(db, name="Lindqvist Retail")
    sundara = make_account(db, name="Sundara Textiles")
    sheet = outlook_contacts(tmp_path, ANNA, RAVI)
    assert suggest_entity(list(sheet.rows.columns), sheet.rows).entity == "contacts"
    mapping = suggest_mapping(list(sheet.rows.columns), "contacts", sheet.rows)
    assert {h: f for h, f in mapping.items() if f} == {
        "First Name": "first_name", "Last Name": "last_name", "E-mail Address": "email",
        "Business Phone": "phone", "Job Title": "title", "Company": "account"}
    s = stage(sheet.rows, "contacts", mapping)
    assert preview_import(db, s).counts["error"] == 0
    apply_file(db, s)
    assert db.rows("SELECT account_id, name, title, phone FROM contacts ORDER BY name") == [
        (lindqvist, "Anna Berg", "Head of Procurement", "+49 40 1234567"),
        (sundara, "Ravi Iyer", "CFO", None)]


def test_a_title_column_of_job_titles_is_still_the_job_title():
    headers = ["Name", "Company", "Title"]
    rows = sheet_rows(headers, [["Anna Berg", "Lindqvist", "Head of Procurement"],
                                 ["Dr. Ravi Iyer", "Sundara", "CFO"]])
    assert suggest_mapping(headers, "contacts", rows)["Title"] == "title"


def test_a_column_with_values_wins_over_an_empty_one_that_names_the_same_field():
    headers = ["Customer", "Month", "Amount", "Sales"]
    rows = sheet_rows(headers, [["Acme", "2026-01", "", "1200"], ["Acme", "2026-02", "", "900"]])
    mapping = suggest_mapping(headers, "revenue", rows)
    assert (mapping["Amount"], mapping["Sales"]) == (None, "amount")
    # without the rows to look at, the header alone decides, as before
    assert suggest_mapping(headers, "revenue")["Amount"] == "amount"


def test_linkedins_connections_export_skips_its_notes_and_imports_the_people(db, tmp_path):
    make_account(db, name="Lindqvist Retail")
    text = ('Notes:\n"When exporting your connection data, you may notice that some of the email '
            'addresses are missing."\n\n'
            "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
            "Anna,Berg,https://www.linkedin.com/in/anna-berg,,Lindqvist Retail,Head of Procurement,"
            "14 Mar 2024\n")
    sheet = upload(tmp_path, "Connections.csv", text.encode()).sheets[0]
    mapping = suggest_mapping(list(sheet.rows.columns), "contacts", sheet.rows)
    s = stage(sheet.rows, "contacts", mapping)
    assert s.values["_row"].tolist() == [5]
    apply_file(db, s)
    assert db.rows("SELECT name, title, email FROM contacts") == [
        ("Anna Berg", "Head of Procurement", None)]
