"""Exports from tools set up in French, German, Spanish, Italian, Portuguese, Dutch or Polish
name their columns in that language: the importer knows what they hold, as it does in English."""
from __future__ import annotations

from decimal import Decimal

import pytest

from lib.importing import preview_import, stage, suggest_entity, suggest_mapping
from tests.builders import make_account
from tests.importing.pipeline_helpers import apply_file, stored_revenue, upload


@pytest.mark.parametrize("entity, headers, fields", [
    ("revenue", ["Compte", "Mois", "Chiffre d'affaires", "Devise"],
     ["account", "month", "amount", "currency"]),
    ("revenue", ["Société", "Période", "Montant HT", "Devise"],
     ["account", "month", "amount", "currency"]),
    ("revenue", ["Ragione sociale", "Periodo", "Importo", "Valuta"],
     ["account", "month", "amount", "currency"]),
    ("revenue", ["Empresa", "Mês", "Faturamento", "Moeda"],
     ["account", "month", "amount", "currency"]),
    ("revenue", ["Bedrijfsnaam", "Maand", "Omzet", "Valuta"],
     ["account", "month", "amount", "currency"]),
    ("revenue", ["Kontrahent", "Miesiąc", "Przychód", "Waluta"],
     ["account", "month", "amount", "currency"]),
    ("revenue", ["Kundennummer", "Monat", "Umsatz netto", "Währung"],
     ["account", "month", "amount", "currency"]),
    ("invoices", ["N° facture", "Client", "Date facture", "Date d'échéance", "Montant TTC"],
     ["invoice_number", "account", "issue_date", "due_date", "amount"]),
    ("invoices", ["Número de factura", "Cliente", "Fecha", "Vencimiento", "Total"],
     ["invoice_number", "account", "issue_date", "due_date", "amount"]),
    ("invoices", ["Rechnungsnr.", "Kunde", "Rechnungsdatum", "Fällig am", "Bruttobetrag"],
     ["invoice_number", "account", "issue_date", "due_date", "amount"]),
    ("invoices", ["Nr faktury", "Kontrahent", "Data wystawienia", "Termin płatności", "Kwota brutto"],
     ["invoice_number", "account", "issue_date", "due_date", "amount"]),
    ("payments", ["Numero fattura", "Data pagamento", "Importo pagato"],
     ["invoice_number", "paid_on", "amount"]),
    ("payments", ["Rechnungsnummer", "Zahlungsdatum", "Zahlbetrag"],
     ["invoice_number", "paid_on", "amount"]),
    ("accounts", ["Nom du compte", "Pays", "Secteur", "Région", "Responsable"],
     ["name", "country", "industry", "region", "owner"]),
    ("accounts", ["Firmenname", "Kundennummer", "Land", "Branche", "Betreuer"],
     ["name", "external_id", "country", "industry", "owner"]),
    ("contacts", ["Société", "Prénom", "Nom", "Fonction", "E-mail", "Téléphone"],
     ["account", "first_name", "last_name", "title", "email", "phone"]),
    ("budgets", ["Kunde", "Kostenart", "Monat", "Plan", "Ist"],
     ["account", "category", "month", "budget", "spend"]),
    ("interactions", ["Kunde", "Datum", "Typ", "Betreff", "Notizen"],
     ["account", "occurred_at", "type", "subject", "notes"]),
])
def test_headers_in_another_language_suggest_the_kind_of_data_and_map_every_column(
        entity, headers, fields):
    assert suggest_entity(headers).entity == entity
    assert suggest_mapping(headers, entity) == dict(zip(headers, fields))


def test_an_english_word_still_wins_over_a_local_one_for_the_same_field():
    # 'Date' is the invoice date in English; 'Datum' is a local word for it, ranked after
    mapping = suggest_mapping(["Invoice", "Customer", "Datum", "Date", "Due", "Amount"], "invoices")
    assert mapping["Date"] == "issue_date" and mapping["Datum"] is None


def test_a_french_revenue_csv_imports_with_its_amounts_right(db, tmp_path):
    make_account(db, name="Lindqvist Retail GmbH", currency="EUR")
    text = ("Compte;Mois;Chiffre d'affaires;Devise\n"
            "Lindqvist Retail GmbH;2026-10;1\u202f234,50 €;EUR\n"
            "Lindqvist Retail GmbH;2026-09;12\u00a0500,00 €;EUR\n")
    sheet = upload(tmp_path, "ventes.csv", text.encode()).sheets[0]
    mapping = suggest_mapping(list(sheet.rows.columns), "revenue", sheet.rows)
    s = stage(sheet.rows, "revenue", mapping, delimiter=sheet.delimiter)
    assert preview_import(db, s).counts["error"] == 0
    apply_file(db, s)
    assert [(str(month), amount) for _, month, amount, _ in stored_revenue(db)] == [
        ("2026-09-01", Decimal("12500.00")), ("2026-10-01", Decimal("1234.50"))]
