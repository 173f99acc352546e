"""Header words in the other languages finance and sales tools export in: French, German,
Spanish, Italian, Portuguese, Dutch and Polish (an ERP or CRM set up in the local language
names its columns that way: 'Ragione sociale', 'Date d'échéance', 'Kwota').

They are synonyms like the English ones in lib.importing.specs, and rank after them. Headers
are compared by lib.importing.mapping.header_key, which drops case, accents and punctuation,
so 'Date d'échéance' and 'date decheance' are one key, and 'N° facture' is 'n facture'.
Letters with no accent to drop stay as they are (Polish 'ł'): the words here are written with
them.

Words that mean one field in one kind of data and another elsewhere ('Montant' is an invoice's
amount but a payment's too; 'Plan' is a budget but not revenue) are given per entity.
"""
from __future__ import annotations

# The account a row belongs to: its name, or the number the customer has in the ERP
_ACCOUNT = (
    "compte", "nom du compte", "societe", "entreprise", "numero client", "n client", "code client",
    "firma", "firmenname", "unternehmen", "kundennummer", "kundennr", "debitorennummer",
    "cuenta", "empresa", "razon social", "nombre de la empresa", "numero de cliente",
    "ragione sociale", "azienda", "denominazione", "codice cliente", "conta", "razao social",
    "nome do cliente", "codigo do cliente", "bedrijf", "bedrijfsnaam", "relatie", "klantnummer",
    "klient", "kontrahent", "nazwa klienta", "nazwa firmy", "nazwa kontrahenta", "numer klienta")
_COUNTRY = ("pays", "land", "pais", "paese", "nazione", "kraj")
_OWNER = (
    "responsable", "commercial", "charge de compte", "betreuer", "kundenbetreuer",
    "vertriebsmitarbeiter", "verantwortlich", "responsable de cuenta", "comercial", "vendedor",
    "responsabile", "commerciale", "agente", "gestor de conta", "accountmanager", "verkoper",
    "eigenaar", "opiekun", "opiekun klienta", "handlowiec")
_CURRENCY = ("monnaie", "divisa", "valuta", "moeda", "waluta")
_MONTH = ("monat", "mois", "mes", "maand", "periode", "mese", "periodo", "miesiac", "okres",
          "buchungsperiode", "datum", "fecha", "data", "date comptable", "data contabile",
          "boekingsdatum", "data księgowania")
_INVOICE = (
    "rechnungsnummer", "belegnummer", "factuurnummer", "n de facture", "n facture", "no facture",
    "numero facture", "numero de facture", "facture",
    "rechnungsnr", "rechnungs nr", "re nr", "belegnr", "rechnung", "n factura", "no factura",
    "numero de factura", "num factura", "factura", "n fattura", "numero fattura", "fattura",
    "numero da fatura", "n fatura", "fatura", "factuurnr", "factuur", "nr faktury",
    "numer faktury", "faktura")
_INVOICE_AMOUNT = (
    "montant", "montant ttc", "total ttc", "montant ht", "importo", "importo totale", "totale",
    "total factura", "importe total", "valor", "valor total", "totaal", "totaalbedrag",
    "bruttobetrag", "rechnungsbetrag", "kwota", "kwota brutto", "wartosc brutto", "brutto")
_DATE = ("date", "datum", "fecha", "data")


BY_FIELD: dict[str, tuple[str, ...]] = {
    "account": _ACCOUNT,
    "country": _COUNTRY,
    "owner": _OWNER,
    "currency": _CURRENCY,
    "salary_currency": _CURRENCY,
    "region": ("regione", "regiao", "regio", "gebiet", "vertriebsgebiet", "territoire",
               "territorio", "zona", "region sprzedazy"),
    "industry": ("secteur", "secteur d'activite", "branche", "industrie", "settore", "industria",
                 "setor", "ramo", "branza"),
    "status": ("statut", "estado", "stato", "situacao", "kundenstatus", "klantstatus"),
    "invoice_number": _INVOICE,
    "issue_date": _DATE + ("date facture", "date d'emission", "data fattura", "data emissione",
                   "fecha factura", "fecha de emision", "data da fatura", "data de emissao",
                   "data faktury", "data wystawienia", "factuur datum"),
    "due_date": ("date echeance", "scadenza", "data scadenza", "vencimiento",
                 "fecha vencimiento", "data de vencimento", "vencimento", "falligkeitsdatum",
                 "termin płatności", "vervaldag"),
    "paid_on": ("date de paiement", "date de reglement", "date paiement", "zahlungsdatum",
                "zahldatum", "data pagamento", "data di pagamento", "fecha de pago",
                "fecha pago", "data de pagamento", "betaaldatum", "datum betaling",
                "data płatności", "data zapłaty"),
    "reference": ("riferimento", "referencia", "referentie", "kenmerk", "verwendungszweck",
                  "tytuł", "tytuł płatności"),
    "title": ("fonction", "poste", "titre", "funktion", "position", "cargo", "puesto",
              "qualifica", "funcao", "functie", "stanowisko"),
    "email": ("courriel", "adresse e-mail", "adresse mail", "correo", "correo electronico",
              "posta elettronica", "endereco de email", "adres e-mail", "e-mailadres"),
    "phone": ("telephone", "tel", "telefon", "telefono", "telefone", "telefoon", "numer telefonu",
              "portable", "handy", "mobil", "cellulare", "movil", "celular", "mobiel"),
    # A person's name as two columns: Prénom + Nom, Vorname + Nachname, Nombre + Apellidos.
    # A Nom, Nombre or Nome column alone is then the whole name, as its parts are joined.
    "first_name": ("prenom", "vorname", "nombre", "nome", "voornaam", "imie", "primeiro nome"),
    "last_name": ("nom", "nom de famille", "nachname", "familienname", "apellidos", "apellido",
                  "cognome", "sobrenome", "apelido", "achternaam", "nazwisko"),
    # The year beside a month column (Jahr | Monat, Année | Mois, Año | Mes, Rok | Miesiąc),
    # the financial year too (Geschäftsjahr, Exercice, Ejercicio, Boekjaar)
    "year": ("jahr", "geschäftsjahr", "wirtschaftsjahr", "buchungsjahr", "kalenderjahr", "année",
             "exercice", "année fiscale", "año", "ejercicio", "año fiscal", "anno", "esercizio",
             "anno fiscale", "ano", "ano fiscal", "jaar", "boekjaar", "rok", "rok obrotowy"),
    "category": ("categorie", "kategorie", "categoria", "kategoria", "poste budgetaire",
                 "kostenart", "kostenstelle"),
    "budget": ("plan", "soll", "presupuesto", "budget prevu", "orcamento", "budzet", "begroting"),
    "spend": ("ist", "depenses", "realise", "ausgaben", "kosten", "gastos", "gasto real", "spesa",
              "spese", "despesas", "uitgaven", "wydatki", "wykonanie"),
    "role_title": ("fonction", "poste", "funktion", "stellenbezeichnung", "cargo", "puesto",
                   "ruolo", "qualifica", "funcao", "functie", "stanowisko"),
    "level": ("niveau", "stufe", "nivel", "livello", "poziom"),
    "reports_to": ("responsable hierarchique", "n+1", "vorgesetzter", "vorgesetzte", "jefe",
                   "jefe directo", "superiore", "gestor", "leidinggevende", "przełożony"),
    "hire_date": ("date d'embauche", "date d'entree", "eintrittsdatum", "fecha de alta",
                  "fecha de contratacion", "data di assunzione", "data de admissao",
                  "datum in dienst", "data zatrudnienia"),
    "base_salary": ("salaire", "salaire de base", "grundgehalt", "gehalt", "salario",
                    "salario base", "stipendio", "retribuzione", "salaris", "basissalaris",
                    "wynagrodzenie", "pensja"),
    "type": ("type d'activite", "typ", "art", "aktivitatstyp", "tipo", "tipo de actividad",
             "tipo di attivita", "tipo de atividade", "soort", "rodzaj"),
    "occurred_at": _DATE,
    "subject": ("objet", "sujet", "betreff", "asunto", "oggetto", "assunto", "onderwerp", "temat"),
    "notes": ("remarques", "commentaire", "commentaires", "notizen", "bemerkung", "bemerkungen",
              "kommentar", "notas", "comentarios", "commenti", "observacoes", "notities",
              "opmerkingen", "uwagi", "notatki"),
    "outcome": ("resultat", "ergebnis", "resultado", "esito", "risultato", "resultaat", "wynik"),
    "next_step": ("prochaine etape", "nachster schritt", "proximo paso", "prossimo passo",
                  "proximo passo", "volgende stap", "nastepny krok"),
    "sentiment": ("stimmung", "sentimiento", "sentimento"),
    "severity": ("gravite", "priorite", "schweregrad", "prioritat", "gravedad", "prioridad",
                 "gravita", "priorita", "gravidade", "prioridade", "prioriteit", "priorytet"),
}

BY_ENTITY_FIELD: dict[tuple[str, str], tuple[str, ...]] = {
    ("revenue", "month"): _MONTH,
    ("account_targets", "month"): _MONTH,
    ("budgets", "month"): _MONTH,
    ("revenue", "amount"): (
        "montant ht", "ca ht", "chiffre d'affaires ht", "ventes", "umsatz netto",
        "nettobetrag", "erlos", "erlose", "umsatzerlose", "ingresos", "facturacion",
        "importe neto", "fatturato", "importo", "ricavi", "vendite", "importo netto", "faturamento",
        "receita", "vendas", "valor", "valor liquido", "netto omzet", "opbrengst", "przychod",
        "sprzedaz", "kwota", "kwota netto", "wartosc netto", "wartosc"),
    ("invoices", "amount"): _INVOICE_AMOUNT,
    ("payments", "amount"): (
        "montant paye", "montant regle", "montant", "zahlbetrag", "betrag", "gezahlt",
        "importe pagado", "importe", "importo pagato", "importo", "valor pago", "valor",
        "betaald bedrag", "bedrag", "kwota zapłaty", "kwota płatności", "kwota"),
    ("account_targets", "amount"): (
        "objectif", "cible", "ziel", "zielwert", "soll", "sollwert", "plan", "obiettivo",
        "objetivo", "meta", "doel", "doelstelling", "cel", "plan sprzedazy"),
    ("accounts", "name"): (
        "nom du compte", "nom du client", "societe", "entreprise", "raison sociale", "firma",
        "firmenname", "unternehmen", "kunde", "kundenname", "cuenta", "empresa", "razon social",
        "nombre del cliente", "cliente", "ragione sociale", "azienda", "denominazione",
        "nome do cliente", "razao social", "bedrijf", "bedrijfsnaam", "klantnaam", "klant",
        "klient", "kontrahent", "nazwa klienta", "nazwa firmy", "nazwa kontrahenta"),
    ("accounts", "external_id"): (
        "numero client", "n client", "code client", "kundennummer", "kundennr",
        "debitorennummer", "numero de cliente", "codice cliente", "codigo do cliente",
        "klantnummer", "numer klienta", "id klienta"),
    ("contacts", "name"): ("nom complet", "nombre completo", "nome completo",
                           "volledige naam", "imie i nazwisko"),
    ("managers", "name"): ("nom complet", "nombre completo", "nome completo",
                           "volledige naam", "imie i nazwisko"),
}


def local_words(entity: str, field: str) -> tuple[str, ...]:
    """The other languages' header words for `field` of `entity` (entity's own first)."""
    return BY_ENTITY_FIELD.get((entity, field), ()) + BY_FIELD.get(field, ())
