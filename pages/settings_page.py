"""Settings & backups (admin): the fiscal calendar, the default currency, the contact policy,
database backups and the FX rates."""
from datetime import date
from functools import partial

import streamlit as st

from lib import backup, contact_policies, fx, health, settings, ui
from lib.errors import UserError, WriteConflict
from lib.portfolio import label
from lib.settings import MONTHS

FIELDS = {"fiscal_year_start_month": "settings_fiscal_month",
          "reporting_currency": "settings_currency"}
POLICY = {tier: f"settings_policy_{tier}" for tier in contact_policies.TIERS}
HEALTH = {factor: f"settings_health_{factor}" for factor in health.FACTORS}

db = ui.database()
actor = ui.current_user(page="settings")

ui.forget_stale("settings")


finish = partial(ui.finish, "settings")  # finish(kind, message, *keys to forget)


def save(key: str, value, shown: str) -> None:
    """Save one setting against the version this person loaded; say what happened."""
    try:
        settings.update_setting(db, actor, key, value, st.session_state[f"settings_version_{key}"])
    except WriteConflict as exc:
        theirs = exc.current["value"]
        theirs = MONTHS[theirs - 1] if key == "fiscal_year_start_month" else theirs
        finish("error", f"{exc}\n\nTheir value now: **{theirs}**.", f"settings_version_{key}")
    except UserError as exc:
        ui.show_error(exc)
    else:
        finish("success", f"Saved: {shown}.", f"settings_version_{key}")


def save_policy() -> None:
    """Save the tiers whose days changed, in one go, against the versions this person loaded."""
    loaded = {tier: st.session_state[f"settings_policy_loaded_{tier}"] for tier in POLICY}
    edits = {tier: (st.session_state[widget], loaded[tier]["version"])
             for tier, widget in POLICY.items() if st.session_state[widget] != loaded[tier]["max_days"]}
    if not edits:
        st.info("Nothing to save: every tier is as it was.")
        return
    try:
        contact_policies.update_policies(db, actor, edits)
    except WriteConflict as exc:
        tier = exc.entity_id
        finish("error", f"{exc}\n\nTheir value now: **{label(tier)} accounts every "
               f"{exc.current['max_days']} days**.", f"settings_policy_loaded_{tier}", POLICY[tier])
    except UserError as exc:
        ui.show_error(exc)
    else:
        said = "; ".join(f"{label(tier)} accounts every {days} days" for tier, (days, _) in edits.items())
        finish("success", f"Saved the contact policy: {said}.",
               *(key for tier in edits for key in (f"settings_policy_loaded_{tier}", POLICY[tier])))


def save_health() -> None:
    """Save the health weights and threshold together, against the version this person loaded."""
    try:
        health.set_weights(db, actor, {f: st.session_state[w] for f, w in HEALTH.items()},
                           st.session_state["settings_health_threshold"],
                           st.session_state["settings_health_version"])
    except WriteConflict as exc:
        theirs = ", ".join(f"{health.FACTORS[f].label} {float(w):g}" for f, w in exc.current["weights"].items())
        finish("error", f"{exc}\n\nTheir weights now: **{theirs}**; at risk below "
               f"**{float(exc.current['threshold']):g}**.", "settings_health_version",
               "settings_health_threshold", *HEALTH.values())
    except UserError as exc:
        ui.show_error(exc)
    else:
        finish("success", "Saved the health score weights and the at-risk threshold.",
               "settings_health_version", "settings_health_threshold", *HEALTH.values())


st.title("Settings & backups")
ui.show_outcome("settings")

# Each setting's version (and value) shown is kept until it is saved, so another admin's save
# meanwhile is a conflict rather than a silent overwrite. A save reloads only its own setting,
# keeping an unsaved choice in the other; leaving the page drops the widgets' values: reload.
stale = [key for key, widget in FIELDS.items()
         if f"settings_version_{key}" not in st.session_state or widget not in st.session_state]
if stale:
    current = settings.get_settings(db)
    for key in stale:
        st.session_state[f"settings_version_{key}"] = current["versions"][key]
        st.session_state[FIELDS[key]] = current[key]
stale = [tier for tier, widget in POLICY.items()
         if f"settings_policy_loaded_{tier}" not in st.session_state or widget not in st.session_state]
if stale:
    current = contact_policies.for_editing(db)
    for tier in stale:
        st.session_state[f"settings_policy_loaded_{tier}"] = current[tier]
        st.session_state[POLICY[tier]] = current[tier]["max_days"]

if "settings_health_version" not in st.session_state or any(
        w not in st.session_state for w in [*HEALTH.values(), "settings_health_threshold"]):
    current = health.for_editing(db)
    st.session_state["settings_health_version"] = current["version"]
    st.session_state["settings_health_threshold"] = float(current["threshold"])
    for factor, widget in HEALTH.items():
        st.session_state[widget] = float(current["weights"][factor])

# ---- settings ---------------------------------------------------------------------------------
left, right = st.columns(2)
with left.container(border=True):
    st.subheader("Fiscal year")
    month = st.selectbox("The fiscal year's first month", range(1, 13),
                         format_func=lambda m: MONTHS[m - 1], key="settings_fiscal_month")
    st.caption("April for an India-style fiscal year (April to March), January for a calendar "
               "year. Targets, year-to-date figures and quarters follow this month.")
    if st.button("Save the fiscal year", key="settings_save_fiscal"):
        save("fiscal_year_start_month", month, f"the fiscal year starts in {MONTHS[month - 1]}")

with right.container(border=True):
    st.subheader("Reporting currency")
    options = ui.cached(fx.currencies, db)
    if st.session_state.get("settings_currency") not in options:
        st.session_state["settings_currency"] = options[0]
    currency = st.selectbox("Default reporting currency", options, key="settings_currency")
    st.caption("What amounts are shown in until a person picks another currency in the sidebar. "
               "Only currencies with FX rates are offered.")
    if st.button("Save the reporting currency", key="settings_save_currency"):
        save("reporting_currency", currency, f"amounts are reported in {currency} by default")

with st.container(border=True):
    st.subheader("Contact policy")
    st.caption("How many days each tier may go without hearing from us. An account not contacted "
               "for longer than its tier allows appears on its manager's My work list and counts "
               "against its health.")
    with st.form("settings_policy", enter_to_submit=False, border=False):
        for column, (tier, widget) in zip(st.columns(len(POLICY)), POLICY.items()):
            column.number_input(f"{label(tier)} accounts: days between contacts", step=1,
                                key=widget, placeholder="not set")
        if st.form_submit_button("Save the contact policy", key="settings_save_policy"):
            save_policy()

with st.container(border=True):
    st.subheader("Health score")
    st.caption("Each account's health, 0 to 100, is 100 minus what each factor costs. A factor can "
               "cost at most its weight's share of 100 points (with weights that sum to 100, a "
               "weight of 15 costs up to 15 points); a weight of 0 leaves the factor out. An "
               "account is at risk below the threshold, or when a key account's score fell by "
               "more than 15 points in 30 days.")
    with st.form("settings_health", enter_to_submit=False, border=False):
        columns = st.columns(4)
        for n, (factor, widget) in enumerate(HEALTH.items()):
            columns[n % 4].number_input(health.FACTORS[factor].label, min_value=0.0, max_value=100.0,
                                        step=1.0, key=widget, help=health.FACTORS[factor].rule)
        columns[len(HEALTH) % 4].number_input("At risk below this score", min_value=0.0,
                                              max_value=100.0, step=1.0,
                                              key="settings_health_threshold")
        if st.form_submit_button("Save the health weights", key="settings_save_health"):
            save_health()

# ---- backups ----------------------------------------------------------------------------------
st.subheader("Backups")
folder = backup.backup_folder(db.path)
st.markdown(f"Backups are kept in `{folder}`. The newest **{backup.keep_from_env()}** are kept "
            "(set `ACCOUNTDESK_BACKUP_KEEP` to change that; `ACCOUNTDESK_BACKUP_DIR` moves the "
            "folder). The app also takes one by itself when none was taken in the last day.")
if st.button("Back up now", type="primary", key="settings_backup_now", icon=":material/backup:"):
    with st.spinner("Backing up…"):
        try:
            made = settings.back_up(db, actor)
        except Exception as exc:  # disk full, permissions...: said in words, the page stays up
            ui.show_error(exc)
        else:
            size = settings.file_size(made.stat().st_size)
            finish("success", f"Backed up to {made.name} ({size}).")

table = settings.backups_table(folder)
if table.empty:
    st.info("No backups yet.", icon=":material/inventory_2:")
else:
    st.dataframe(table, hide_index=True, key="settings_backups")

with st.expander("How to restore a backup", icon=":material/restore:"):
    st.markdown(
        "1. Stop the app: a running app holds the database file, so a restore cannot replace it.\n"
        "2. On the server, from the app's folder, run "
        "`python -m lib.backup restore FILE` with FILE one of the backups listed above "
        "(for example `" + str(folder / "accountdesk-YYYYMMDD-HHMMSS.duckdb") + "`).\n"
        "3. Start the app again. The database you replaced is kept beside it as "
        "`<file>.before-restore-<time>`, so a restore loses nothing.")

# ---- FX rates ---------------------------------------------------------------------------------
st.subheader("FX rates")
st.caption("What one unit of each currency is worth in USD, month by month. Reports convert every "
           "amount with its month's rate; a month without one uses the latest earlier rate.")


def save_rate(currency: str, month, value, base: str) -> None:
    """Save one currency's rate for one month against the version this person loaded."""
    try:
        fx.set_rate(db, actor, currency, month, value, st.session_state[f"{base}_version"])
    except WriteConflict as exc:
        finish("error", f"{exc}\n\nTheir rate now: **{exc.current['usd_per_unit']} USD per "
               f"{currency}**.", f"{base}_version", f"{base}_rate")
    except UserError as exc:
        ui.show_error(exc)
    else:
        finish("success", f"Saved: in {month:%B %Y} one {currency} is worth {value:.8g} USD.",
               f"{base}_version", f"{base}_rate")


fx_form, fx_latest = st.columns(2)
with fx_form.container(border=True):
    fx_months = fx.months_to_edit(date.today())
    fx_currency = st.selectbox("Currency", fx.EDITABLE, key="settings_fx_currency")
    fx_month = st.selectbox("Month", fx_months, index=fx_months.index(date.today().replace(day=1)),
                            format_func=lambda m: f"{m:%b %Y}", key="settings_fx_month")
    loaded = fx.rate_for_editing(db, fx_currency, fx_month)
    fx_base = f"settings_fx_{fx_currency}_{fx_month:%Y%m}"
    ui.loaded_version(fx_base, loaded["version"])
    st.caption(f"Saved for {fx_month:%b %Y}: {loaded['usd_per_unit']:.8g} USD per {fx_currency}."
               if loaded["usd_per_unit"] is not None else
               f"No rate saved for {fx_month:%b %Y}: the latest earlier {fx_currency} rate applies.")
    fx_value = st.number_input(f"USD per {fx_currency}", value=loaded["usd_per_unit"], format="%.6f",
                               step=0.0001, key=f"{fx_base}_rate", placeholder="e.g. 1.27")
    if st.button("Save the rate", key="settings_fx_save"):
        save_rate(fx_currency, fx_month, fx_value, fx_base)
with fx_latest:
    latest = fx.latest_rates(db)
    if latest.empty:
        st.info("No FX rates yet: amounts in other currencies cannot be converted until an admin "
                "adds them here (or loads the demo).", icon=":material/currency_exchange:")
    else:
        st.caption("The latest month of each currency")
        st.dataframe(fx.rates_for_display(latest), hide_index=True, key="settings_fx_latest",
                     column_config={"USD per unit": st.column_config.NumberColumn(format="%.6f")})
        with st.expander(f"Every {fx_currency} rate"):
            st.dataframe(fx.rates_for_display(fx.rates(db, fx_currency)), hide_index=True,
                         key="settings_fx_all",
                         column_config={"USD per unit": st.column_config.NumberColumn(format="%.6f")})
