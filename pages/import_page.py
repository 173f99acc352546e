"""Import: bring revenue, accounts, invoices or payments in from a CSV or Excel file, step by
step (file, sheet, kind of data, columns, date order, preview, import), and undo a batch."""
from functools import partial
from typing import Any, Callable

import streamlit as st

from lib import importing, ui, ui_import
from lib.exports import csv_bytes
from lib.formatting import count, plain
from lib.importing import ENTITIES
from lib.importing.apply import same_file_message
from lib.importing.hints import with_unnamed_reference

actor = ui.current_user(page="import")
db = ui.database()
ui.forget_stale("import")
UNDO_KEYS = ("import_undo_pick", "import_undo_sure")


def next_round() -> None:
    """A fresh, empty uploader (and fresh choices) after an import."""
    st.session_state["import_round"] = st.session_state.get("import_round", 0) + 1


def choose_file(uploads: list) -> Any:
    if len(uploads) == 1:
        return uploads[0]
    pick = st.selectbox("File to import", range(len(uploads)), key="import_file_pick",
                        format_func=lambda i: uploads[i].name,
                        help="Each file is imported on its own; choose which one to work on.")
    return uploads[pick]


def choose_sheet(workbook: importing.Workbook) -> tuple[int, importing.Sheet]:
    sheets = workbook.importable_sheets
    index = 0
    if len(sheets) > 1:
        index = st.selectbox("Sheet", range(len(sheets)), key=f"import_sheet_{base}",
                             format_func=lambda i: f"{sheets[i].name} ({count(len(sheets[i].rows), 'row')}"
                                                   + ("; hidden in Excel)" if sheets[i].hidden else ")"))
    sheet = sheets[index]
    others = ui_import.other_sheets(workbook)
    dropped, dropped_cols = ui_import.dropped_rows(sheet), ui_import.dropped_columns(sheet)
    with st.expander(f"What was read: {count(len(sheet.rows), 'row')}, {len(dropped):,} left out"):
        for note in [*workbook.notes, *sheet.notes]:
            st.text(note)
        if not dropped.empty:
            st.caption("Rows left out of the import, and why:")
            st.dataframe(dropped, hide_index=True, key=f"import_dropped_{base}")
        if not dropped_cols.empty:
            st.caption("Columns left out of the import, and why:")
            st.dataframe(dropped_cols, hide_index=True, key=f"import_dropped_cols_{base}")
        if not others.empty:
            st.caption("Sheets that are not imported, and why:")
            st.dataframe(others, hide_index=True, key=f"import_other_sheets_{base}")
    return index, sheet


def choose_entity(headers: list[str], sheet: importing.Sheet, file_name: str) -> str:
    saved = ui.cached(importing.recall_mapping, db, headers)
    guess = importing.guess_entity(sheet, file_name)
    default = saved.entity if saved else guess.entity
    names = list(ENTITIES)
    entity = st.selectbox("What the file holds", names, index=names.index(default),
                          format_func=lambda e: ENTITIES[e].label, key=f"import_entity_{base}")
    if saved and saved.entity == entity:
        st.caption("These columns were mapped before; the remembered mapping is filled in.")
    elif guess.tied and entity == guess.entity:   # not a guess: a choice the person must make
        st.warning(plain(guess.reason), icon=":material/help:")
    elif entity == guess.entity:
        st.caption(guess.reason)
    if ENTITIES[entity].note:
        st.caption(ENTITIES[entity].note)
    return entity


def choose_mapping(headers: list[str], entity: str, sheet: importing.Sheet,
                   file_name: str) -> tuple[dict, dict]:
    spec = ENTITIES[entity]
    saved = ui.cached(importing.recall_mapping, db, headers, entity)
    proposed = saved.mapping if saved else with_unnamed_reference(
        db, sheet.rows, entity, importing.suggest_mapping(headers, entity, sheet.rows))
    options = [None, *(f.name for f in spec.fields)]

    def label(name: str | None) -> str:
        if name is None:
            return "Ignore"
        field = spec.field(name)
        return f"{field.label} (required)" if field.required else field.label

    st.markdown("**Columns**")
    st.caption("What each column of the file is. Columns set to Ignore are not imported.")
    mapping: dict[str, str | None] = {}
    cells = st.columns(3)
    for i, header in enumerate(headers):
        default = proposed.get(header)
        mapping[header] = cells[i % 3].selectbox(
            plain(header) or f"Column {i + 1}", options, format_func=label,
            index=options.index(default) if default in options else 0,
            key=f"import_map_{base}_{entity}_{i}")
    given = {f for f in mapping.values() if f}
    missing = [f for f in spec.fields if f.name not in given and (f.required or f.kind == "currency")]
    constants: dict[str, str] = {}
    if missing:
        st.caption("Fields no column gives: a value typed here holds for every row of the file.")
        cells = st.columns(3)
        for i, f in enumerate(missing):
            hint = (" Leave empty to use each account's currency." if f.kind == "currency" and
                    entity != "accounts" else "")
            named = (importing.sheet_month(sheet.name, importing.words_around(sheet, file_name))
                     if f.kind == "month" else None)
            if named:
                year = ("" if str(named.year) in sheet.name
                        else f", and {named.year} from the file's name or title")
                hint += f" Filled in from the sheet's name, '{sheet.name}'{year}."
            value = cells[i % 3].text_input(
                f"{f.label} for the whole file", max_chars=200, placeholder=f.example,
                value=(saved.constants.get(f.name, "") if saved else f"{named:%Y-%m}" if named else ""),
                help=f"For example {f.example}.{hint}", key=f"import_const_{base}_{entity}_{f.name}")
            if value.strip():
                constants[f.name] = value.strip()
    return mapping, constants


def choose_create_missing(entity: str) -> bool:
    label = ui_import.missing_label(entity)
    if label is None:
        return False
    return st.checkbox(label, key=f"import_create_missing_{base}_{entity}",
                       help="New accounts get the row's currency (or the reporting currency) and, "
                            "for interactions, the manager as owner; new managers get the role "
                            "title Account Manager. The preview lists them, and undoing the "
                            "import removes them.")


def show_preview(preview: importing.Preview, staged: importing.Staged, create_missing: bool) -> None:
    def in_full() -> importing.Preview:
        return importing.preview_in_full(db, staged, match_on=preview.match_on,
                                         create_missing=create_missing)

    counts = preview.counts
    for kind, names in preview.will_create.items():
        st.markdown(f"**Will be created: {count(len(names), kind[:-1])}**")
        st.caption(plain(", ".join(names[:50]) + (f" and {len(names) - 50:,} more"
                                                  if len(names) > 50 else "")))
    cells = st.columns(4)
    cells[0].metric("Rows to create", f"{counts['create']:,}")
    cells[1].metric("Rows to update", f"{counts['update']:,}")
    cells[2].metric("Rows unchanged", f"{counts['unchanged']:,}")
    cells[3].metric("Rows with errors", f"{counts['error']:,}")
    records = preview.records
    st.caption(f"Records: {records['create']:,} new, {records['update']:,} changed, "
               f"{records['unchanged']:,} already as in the file.")
    for note in preview.notes:
        if not note.startswith("Will be created:"):   # shown above, one list per kind
            st.info(plain(note), icon=":material/info:")
    if not preview.changes.empty:
        st.markdown("**What changes** (old and new values)")
        preview_table(preview.changes, preview.changes_total, lambda: in_full().changes,
                      ui_import.changes_table, "changes", "import-changes.csv")
    if not preview.errors.empty:
        st.markdown("**Errors**")
        st.dataframe(ui_import.errors_table(preview.errors.head(ui_import.SHOWN)),
                     hide_index=True, key=f"import_errors_{base}")
        shown_of(len(preview.errors), "errors")
        st.download_button(f"Download the {count(len(preview.errors), 'error')} (CSV)",
                           lambda: ui_import.errors_csv(preview), file_name="import-errors.csv",
                           mime="text/csv", on_click="ignore", key=f"import_errors_csv_{base}",
                           icon=":material/download:")
    with st.expander("Every row and what happens to it"):
        preview_table(preview.rows, preview.rows_total, lambda: in_full().rows,
                      ui_import.rows_table, "rows", "import-rows.csv")


def choose_spellings(entity: str, found: Any) -> tuple[tuple[str, str, str], ...]:
    """The file's values that look like ones already in use, for the person to choose which take
    the stored spelling; the (field, as written, stored spelling) chosen."""
    if found.empty:
        return ()
    label = {f: ENTITIES[entity].field(f).label for f in found["field"].unique()}
    # The sentence is the option: should the suggestions change (someone wrote meanwhile), a
    # choice made for one never points at another
    options = {f"{label[r.field]}: '{r.written}' as '{r.suggested}' ({count(r.rows, 'row')})":
               (r.field, r.written, r.suggested) for r in found.itertuples(index=False)}
    picked = st.multiselect(
        "Values like ones already in use: choose those to import with the spelling in use",
        list(options), key=f"import_spellings_{base}", placeholder="None: import as written",
        help="A value not chosen is imported as written, as a new value.")
    return tuple(options[p] for p in picked if p in options)


def shown_of(total: int, what: str) -> None:
    if total > ui_import.SHOWN:
        st.caption(f"The first {ui_import.SHOWN:,} of {total:,} {what} are shown here; the "
                   "download has them all.")


def preview_table(frame: Any, total: int, every: Callable[[], Any], shape: Any, what: str,
                  file_name: str) -> None:
    """A preview table drawn up to its first SHOWN rows (a million rows would take the browser
    tens of megabytes); beyond that, a download of all `total`, worked out when it is clicked."""
    st.dataframe(shape(frame.head(ui_import.SHOWN)), hide_index=True, key=f"import_{what}_{base}")
    if total > ui_import.SHOWN:
        shown_of(total, what)
        st.download_button(f"Download all {total:,} {what} (CSV)",
                           lambda: csv_bytes(shape(every())), file_name=file_name, mime="text/csv",
                           on_click="ignore", key=f"import_{what}_csv_{base}",
                           icon=":material/download:")


def apply_step(upload: Any, digest: str, headers: list[str], entity: str, mapping: dict,
               constants: dict, staged: importing.Staged, preview: importing.Preview,
               create_missing: bool) -> None:
    counts = preview.counts
    again = False
    if preview.same_file:
        st.warning(plain(same_file_message(preview.same_file)), icon=":material/content_copy:")
        again = st.checkbox("Import this file again anyway", key=f"import_again_{base}")
    skip = st.checkbox("Import the good rows and skip the bad ones", key="import_skip")
    good = counts["create"] + counts["update"] + counts["unchanged"]
    if counts["error"] and not skip:
        st.warning(f"{count(counts['error'], 'row')} {'has' if counts['error'] == 1 else 'have'} errors, so nothing is imported while any row "
                   "is bad. Fix them in the file and upload it again, or tick 'Import the good "
                   "rows and skip the bad ones'.", icon=":material/warning:")
    remember = st.checkbox("Remember this mapping", value=True, key="import_remember",
                           help="Next time a file with the same columns is uploaded, its columns "
                                "are mapped the same way.")
    clicked = st.button(f"Import {count(good, 'row')}", type="primary", key="import_apply",
                        disabled=good == 0 or (bool(preview.same_file) and not again),
                        icon=":material/upload:")
    if not clicked:
        return
    done: dict[str, Any] = {}

    bar = st.progress(0.0, text="Importing")

    def run() -> None:
        done["result"] = importing.apply_import(
            db, actor, staged, file_name=upload.name, digest=digest, mapping=mapping,
            match_on=preview.match_on, skip_bad_rows=skip, allow_same_file=again,
            create_missing=create_missing, preview=preview,
            progress=lambda fraction, what: bar.progress(fraction, text=what))
        if remember:
            importing.remember_mapping(db, actor, headers, entity, mapping, constants)

    if ui.attempt(run):
        r = done["result"]
        next_round()
        ui.finish("import", "success",
                  f"Imported as batch {r.batch_id}: {r.created:,} created, {r.updated:,} updated, "
                  f"{r.unchanged:,} unchanged, {r.rejected:,} row{'s' * (r.rejected != 1)} skipped.",
                  "import_skip")


def import_steps(upload: Any) -> None:
    global base
    data = upload.getvalue()
    digest = importing.file_hash(data)
    workbook, problem = ui_import.read(data, upload.name, digest)
    if problem:
        st.error(plain(problem), icon=":material/error:")
        return
    base = ui.digest(digest, st.session_state.get("import_round", 0))
    sheet_index, sheet = choose_sheet(workbook)
    base = ui.digest(digest, sheet_index, st.session_state.get("import_round", 0))
    headers = [str(h) for h in sheet.rows.columns]
    if not headers or sheet.rows.empty:
        st.info("This sheet has no rows to import.")
        return
    entity = choose_entity(headers, sheet, upload.name)
    mapping, constants = choose_mapping(headers, entity, sheet, upload.name)
    twice = ui_import.twice(entity, mapping)
    if twice:
        st.error(f"{', '.join(twice)}: chosen for more than one column. Choose each field once.")
        return
    create_missing = choose_create_missing(entity)
    staged, preview = ui_import.staged_preview(db, sheet, entity, mapping, constants, None,
                                               digest=digest, create_missing=create_missing)
    order = decimal = None
    if staged.ambiguous_dates:   # what the dates say: all fit both orders, or rows contradict
        st.warning(plain("\n\n".join(staged.date_doubts.values())), icon=":material/event:")
        order = st.radio("How does this file write dates?", list(staged.order_choices), index=None,
                         format_func=ui_import.ORDERS.get, key=f"import_order_{base}",
                         horizontal=True)
    if staged.decimal_doubts:    # 12.500 and nothing in the file says which it is
        st.warning(plain("\n\n".join(staged.decimal_doubts.values())), icon=":material/pin:")
        decimal = st.radio("How does this file write decimals?", list(importing.SEPARATORS),
                           index=None, format_func=lambda s: importing.SEPARATORS[s].capitalize(),
                           key=f"import_decimal_{base}", horizontal=True)
    open_questions = (int(bool(staged.date_doubts) and order is None)
                      + int(bool(staged.decimal_doubts) and decimal is None))
    if open_questions:
        st.info(f"Answer the question{'s' * (open_questions > 1)} above to see the preview.")
        return
    if staged.questions:
        staged, preview = ui_import.staged_preview(db, sheet, entity, mapping, constants, order,
                                                   digest=digest, create_missing=create_missing,
                                                   decimal=decimal)
    if spellings := choose_spellings(entity, preview.spellings):
        staged, preview = ui_import.staged_preview(db, sheet, entity, mapping, constants, order,
                                                   digest=digest, create_missing=create_missing,
                                                   decimal=decimal, spellings=spellings)
    st.subheader("Preview")
    show_preview(preview, staged, create_missing)
    apply_step(upload, digest, headers, entity, mapping, constants, staged, preview, create_missing)


def history_step() -> None:
    st.subheader("Import history")
    history = ui.cached(importing.import_history, db)
    if history.empty:
        st.info("Nothing has been imported yet.")
        return
    st.dataframe(ui_import.history_table(history), hide_index=True, key="import_history",
                 column_config={
                     "When": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                     "Undone": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")})
    open_batches = ui_import.open_batches(history)
    if not open_batches:
        return
    st.markdown("**Undo an import**")
    pick = st.selectbox("Batch", list(open_batches), index=None, format_func=open_batches.get,
                        placeholder="Choose a batch", key="import_undo_pick")
    sure = st.checkbox("Yes: remove the records this batch created and restore the ones it "
                       "changed", key="import_undo_sure")
    if st.button("Undo the batch", key="import_undo", disabled=pick is None,
                 icon=":material/undo:"):
        if not sure:
            st.error("Tick the box to confirm the undo first.")
            return
        done: dict[str, Any] = {}
        if ui.attempt(lambda: done.update(r=importing.undo_batch(db, actor, int(pick)))):
            r = done["r"]
            ui.finish("import", "success", f"Batch {r.batch_id} was undone: {r.removed:,} records "
                      f"removed, {r.restored:,} restored.", *UNDO_KEYS)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def templates_step() -> None:
    st.subheader("Templates")
    st.caption("A CSV or Excel file with the columns each kind of data takes and an example row.")
    # One list per format, each button as wide as its list, so every name shows whole.
    as_csv, as_xlsx, _ = st.columns([1, 1, 2])
    for column, kind, label in ((as_csv, "csv", "CSV"), (as_xlsx, "xlsx", "Excel")):
        column.markdown(f"**{label}**")
        for name, spec in ENTITIES.items():
            make = importing.template if kind == "csv" else importing.template_xlsx  # when clicked
            column.download_button(spec.label, partial(make, name), file_name=f"{name}-template.{kind}",
                                   mime="text/csv" if kind == "csv" else XLSX, on_click="ignore",
                                   key=f"import_template_{name}" + ("" if kind == "csv" else "_xlsx"),
                                   icon=":material/download:", width="stretch")


base = ""
st.title("Import")
ui.show_outcome("import")
st.caption("Bring " + ", ".join(spec.label.lower() for spec in ENTITIES.values())
           + " in from a CSV or Excel file. Check the "
           "preview before importing; every import can be undone below.")
uploads = st.file_uploader("CSV or Excel files", type=["csv", "xlsx", "xlsm"],
                           accept_multiple_files=True,
                           key=f"import_files_{st.session_state.get('import_round', 0)}")
st.caption(f"Up to {st.get_option('server.maxUploadSize'):,} MB per file. Several files may be "
           "uploaded; each is imported on its own.")
if uploads:
    import_steps(choose_file(uploads))
history_step()
templates_step()
# A reader waits ready for the next file, started once the page is drawn: not beside the work
# of this run (a file's stage and preview, or its commit), which it would slow down.
importing.start_reader()
