"""Audit trail: who changed what and when, filtered (filters live in the URL) and paged."""
import streamlit as st

from lib import audit, ui
from lib.errors import NotAllowed

PAGE_SIZE = 100

actor = ui.current_user(page="audit")
db = ui.database()

st.title("Audit trail")

try:  # lib decides who may read the log; app.py only hides the page from the others
    names = ui.cached(audit.people, db, actor)
except NotAllowed as exc:
    ui.show_error(exc)
    st.stop()
kinds = ui.cached(audit.entity_kinds, db)

# ---- filters: bound to the URL, so a copied link shows the same entries ---------------------
with st.container(border=True):
    c = st.columns([2, 2, 1, 1, 2])
    person_ids = c[0].multiselect("Person", list(names), format_func=names.get, key="audit_person",
                                  bind="query-params", placeholder="Everyone")
    entities = c[1].multiselect("Record type", kinds, format_func=audit.entity_label,
                                key="audit_entity", bind="query-params", placeholder="All")
    since = c[2].date_input("From", value=None, key="audit_from", bind="query-params",
                            format="YYYY-MM-DD")
    until = c[3].date_input("To", value=None, key="audit_to", bind="query-params",
                            format="YYYY-MM-DD")
    text = c[4].text_input("Record or change contains", key="audit_q", bind="query-params",
                           max_chars=100,
                           help="Searches the record's id and name and the changed values.")

if since and until and since > until:
    st.warning(f"The From date ({since:%Y-%m-%d}) is after the To date ({until:%Y-%m-%d}). "
               "Pick a From date on or before the To date.", icon=":material/date_range:")
    st.stop()

filters = dict(person_ids=tuple(person_ids), entities=tuple(entities), since=since, until=until,
               text=text)
total = ui.cached(audit.count, db, actor, **filters)
said = audit.sentence(names, **filters)
st.caption(f"Changes where {said} · times in UTC" if said else "All changes you may see · times in UTC")

if not total:
    st.info("No change matches these filters." if said else "No change matches: nothing has "
            "been recorded yet that you may see.", icon=":material/filter_alt_off:")
    st.stop()

# ---- the entries: paged in DuckDB ------------------------------------------------------------
pages = max(1, -(-total // PAGE_SIZE))
if st.session_state.get("audit_page", 1) > pages:  # the filter shrank the result
    st.session_state["audit_page"] = pages
page_no = st.session_state.get("audit_page", 1)
rows = ui.cached(audit.entries, db, actor, **filters, limit=PAGE_SIZE,
                 offset=(page_no - 1) * PAGE_SIZE)
table = audit.for_display(rows)
multi_line = bool(table["Changes"].str.contains("\n").any())
st.dataframe(
    table, hide_index=True, key="audit_table", placeholder="",
    height=min(38 + (90 if multi_line else 35) * len(table), 720),
    row_height=90 if multi_line else None,  # above 4rem Streamlit wraps text: ~4 lines show
    column_config={
        "When": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss", help="UTC"),
        "Changes": st.column_config.TextColumn(width="large"),
        "link": st.column_config.LinkColumn("Open", display_text="Open", width="small"),
    },
)
first = (page_no - 1) * PAGE_SIZE + 1
st.caption(f"Entries {first:,}–{first + len(table) - 1:,} of {total:,}")
if pages > 1:
    st.pagination(pages, key="audit_page")
