"""The words of a deal's stage, a payment's status and an invoice's status that decide whether a
row is imported, as regular expressions over the lower-cased text that Python and DuckDB read
alike (lib.importing.entities checks the rows with them, lib.importing.mapping tells a column
of statuses from other columns)."""
from __future__ import annotations

# A deal's stage that says it was won (Closed Won, won, closedwon, Gewonnen, Gagné, Ganado),
# as a regular expression over the lower-cased stage that Python and DuckDB read alike
WON_STAGE = r"(^|[^a-z])(won|closedwon|gewonnen|gagn[eé]e?|ganad[oa]|vint[oa])([^a-z]|$)"
# A deal's won flag that says it was won (Salesforce's IsWon: true, a report's Won: 1), and
# any value such a flag takes (a file of lost deals only is still a won flag of false)
WON_FLAG = r"^(true|yes|y|1|won|wahr|ja|oui|vrai|s[ií])$"
FLAG = r"^(true|false|yes|no|y|n|1|0|won|lost|wahr|falsch|ja|nein|oui|non|vrai|faux|s[ií])$"
# A payment's status that says the money arrived (Stripe's Paid / Succeeded, a bank's Booked),
# unless it also says it did not or went back (Unpaid, Not paid, Partially refunded)
PAID_STATUS = (r"(^|[^a-z])(paid|succeeded|successful|success|captured|settled|completed?|cleared|"
               r"received|booked|bezahlt|gebucht|pay[eé]e?|r[eé]gl[eé]e?|pagad[oa]|pagat[oa]|betaald)"
               r"([^a-z]|$)")
NOT_PAID = (r"(^|[^a-z])(not|un|non|no|nicht|partially|partial)[^a-z]?"
            r"(paid|succeeded|captured|settled|complete)|"
            r"refund|fail|declin|revers|chargeback|disput|cancel|void|pending|erstattet|storn")
# An invoice's status that says nobody owes it: voided, a draft, deleted, cancelled, reversed
NOT_OWED = (r"void|draft|delet|cancel|reversed|storn|annul|entwurf|brouillon|borrador|bozza|"
            r"concept|gelöscht|geloescht")
# The statuses an invoice export lists: those of invoices owed, and NOT_OWED
INVOICE_STATUS = (r"(^|[^a-z])(authori[sz]ed|approved|awaiting|sent|open|posted|submitted|issued|"
                  r"due|overdue|unpaid|outstanding|paid|partial|partially|closed|final|"
                  r"offen|bezahlt|ouverte?|pay[eé]e|pendiente|pagad[oa]|aperta|pagata|"
                  r"openstaand|betaald)([^a-z]|$)|" + NOT_OWED)
# The field of kind "stage" -> the words that show a column is that field's: a column that
# never says one of them holds something else (for deals and payments, only the rows that say
# them are imported; for invoices, those that say NOT_OWED are left out; for a won flag, those
# that say WON_FLAG)
DONE = {"stage": WON_STAGE, "won": FLAG, "status": PAID_STATUS, "invoice_status": INVOICE_STATUS}

# What the mapping's help says of each field of kind "stage"
STAGE_HELP = {
    "stage": "A deal's stage or status: rows whose stage is not won (Closed Won, won) are errors, "
             "so lost and open deals are not counted.",
    "won": "Whether the deal was won (true or false, 1 or 0, yes or no): rows not won are "
           "errors, so lost and open deals are not counted.",
    "status": "A payment's status: rows that are not paid (Paid, Succeeded, Settled) are errors, "
              "so failed, refunded and pending payments are not counted.",
    "invoice_status": "An invoice's status: voided, draft and cancelled invoices are errors, so "
                      "nobody is chased for money they do not owe."}
