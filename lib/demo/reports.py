"""The sales-call report on each interaction: subject, notes, outcome, sentiment, products and
the customer's reaction, the next step and, for escalations, severity and resolution.

Sentiment follows the account's mood (growing books sound happier, declining ones do not;
escalations are never happy). Follow-ups: most past ones were done, a few are still open
and overdue, and recent ones are due in the coming days.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib.demo import cast, texts
from lib.demo.common import Clock, choose, choose_per_row, fill, objects

SENTIMENTS = ("very_negative", "negative", "neutral", "positive", "very_positive")
MOOD_P = {"up": (0.02, 0.05, 0.25, 0.45, 0.23), "flat": (0.03, 0.10, 0.40, 0.35, 0.12),
          "down": (0.15, 0.35, 0.30, 0.15, 0.05)}
ESCALATION_P = (0.35, 0.45, 0.20, 0.0, 0.0)
SEVERITY_P = (0.30, 0.40, 0.22, 0.08)  # low, medium, high, critical
_FLAT = [(t, *tpl) for t, tpls in texts.TEMPLATES.items() for tpl in tpls]
SUBJECTS, NOTES, OUTCOMES = ([row[i] for row in _FLAT] for i in (1, 2, 3))
_LEGAL = r" (Inc\.|Ltd|GmbH|SAS|B\.V\.|S\.L\.|Pvt Ltd)$"


def write_reports(rng: np.random.Generator, clock: Clock, acc: pd.DataFrame,
                  contacts: pd.DataFrame, frame: pd.DataFrame) -> None:
    kind = frame["type"].to_numpy()
    fields = _fields(rng, acc, contacts, frame)
    which = _template_index(rng, kind)
    frame["subject"] = fill(SUBJECTS, which, **fields)
    frame["notes"] = fill(NOTES, which, **fields)
    frame["outcome"] = objects(OUTCOMES)[which]
    frame["sentiment"] = _sentiment(rng, acc, frame)
    talked = np.isin(kind, ["call", "meeting", "visit", "demo", "qbr"])
    reacted = rng.random(len(frame)) < np.where(talked, 0.6, np.where(kind == "email", 0.15, 0))
    reaction = fill(texts.REACTIONS, rng.integers(0, len(texts.REACTIONS), len(frame)), **fields)
    frame["product_reaction"] = np.where(reacted, reaction, None)
    _next_steps(rng, clock, frame)
    _escalations(rng, clock, frame)
    _at_risk_story(acc, contacts, frame)


def write_planned(rng: np.random.Generator, acc: pd.DataFrame, contacts: pd.DataFrame,
                  frame: pd.DataFrame) -> None:
    """A plan has an agenda, no outcome, no sentiment and no follow-up yet."""
    fields = _fields(rng, acc, contacts, frame)
    which = rng.integers(0, len(texts.PLANNED), len(frame))
    frame["subject"] = fill([p[0] for p in texts.PLANNED], which, **fields)
    frame["notes"] = fill([p[1] for p in texts.PLANNED], which, **fields)


def _fields(rng: np.random.Generator, acc: pd.DataFrame, contacts: pd.DataFrame,
            frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per-row template values; also records the contact mentioned (`_contact`) and the
    products discussed on the frame."""
    n, a = len(frame), frame["account_id"].to_numpy()
    starts = np.searchsorted(contacts["account_id"].to_numpy(), a)
    counts = np.bincount(contacts["account_id"].to_numpy(), minlength=len(acc))[a]
    frame["_contact"] = starts + np.floor(rng.random(n) * counts).astype(int)
    product = rng.integers(0, len(texts.PRODUCTS), n)
    other = (product + 1 + rng.integers(0, len(texts.PRODUCTS) - 1, n)) % len(texts.PRODUCTS)
    names = objects(texts.PRODUCTS)
    frame["products"] = np.where(rng.random(n) < 0.3, names[product] + ", " + names[other],
                                 names[product])
    short = pd.Series(acc["name"].to_numpy(), dtype="str").str.replace(_LEGAL, "", regex=True)
    return {
        "account": objects(short.tolist())[a],
        "contact": contacts["first_name"].to_numpy()[frame["_contact"].to_numpy()],
        "product": names[product],
        "competitor": choose(rng, texts.COMPETITORS, None, n),
    }


def _template_index(rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
    which = np.zeros(len(kind), dtype=int)
    offset = 0
    for t, tpls in texts.TEMPLATES.items():
        rows = kind == t
        which[rows] = offset + rng.integers(0, len(tpls), int(rows.sum()))
        offset += len(tpls)
    return which


def _sentiment(rng: np.random.Generator, acc: pd.DataFrame, frame: pd.DataFrame) -> np.ndarray:
    story, momentum = acc["story"].to_numpy(), acc["momentum"].to_numpy()
    mood = np.where(np.isin(story, ["growth", "rocket"]) | (momentum > 1), "up",
                    np.where(np.isin(story, ["decline", "at_risk_drop", "churn"]) | (momentum < 1),
                             "down", "flat"))
    probs = np.array([MOOD_P[m] for m in ("up", "flat", "down")])
    mood_ix = pd.Series(mood).map({"up": 0, "flat": 1, "down": 2}).to_numpy()
    p = probs[mood_ix[frame["account_id"].to_numpy()]]
    p[frame["type"].to_numpy() == "escalation"] = ESCALATION_P
    return objects(SENTIMENTS)[choose_per_row(rng, p)]


def _next_steps(rng: np.random.Generator, clock: Clock, frame: pd.DataFrame) -> None:
    n, kind = len(frame), frame["type"].to_numpy()
    day = frame["occurred_at"].to_numpy().astype("datetime64[D]")
    has = rng.random(n) < np.where(kind == "email", 0.4, np.where(kind == "escalation", 1.0, 0.7))
    due = day + rng.integers(2, 22, n).astype("timedelta64[D]")
    # Old follow-ups were nearly all done; recently missed ones are the overdue list.
    p_done = np.where(due < clock.today64 - 60, 0.97, np.where(due < clock.today64, 0.75, 0.10))
    took = np.maximum((due - day).astype(int) + 3, 2)
    done_day = day + np.floor(rng.random(n) * took).astype("timedelta64[D]") + 1
    done = has & (rng.random(n) < p_done) & (done_day < clock.today64)
    frame["next_step"] = np.where(has, choose(rng, texts.NEXT_STEPS, None, n), None)
    frame["next_step_due"] = np.where(has, due, np.datetime64("NaT"))
    frame["next_step_owner_id"] = pd.array(np.where(has, frame["manager_id"], None), dtype="Int64")
    frame["next_step_done_at"] = np.where(done, done_day.astype("datetime64[s]")
                                          + np.timedelta64(14, "h"), np.datetime64("NaT"))


def _escalations(rng: np.random.Generator, clock: Clock, frame: pd.DataFrame) -> None:
    n, esc = len(frame), frame["type"].to_numpy() == "escalation"
    day = frame["occurred_at"].to_numpy().astype("datetime64[D]")
    severity = choose(rng, ("low", "medium", "high", "critical"), SEVERITY_P, n)
    recent = day > clock.today64 - 21
    status = np.where(recent, choose(rng, ("open", "in_progress"), None, n),
                      np.where((rng.random(n) < 0.88) | (severity == "critical"),
                               "resolved", "in_progress"))
    resolved_day = day + rng.integers(1, 21, n).astype("timedelta64[D]")
    not_yet = (status == "resolved") & (resolved_day >= clock.today64)
    status = np.where(not_yet, "in_progress", status)
    resolved = esc & (status == "resolved")
    frame["severity"] = np.where(esc, severity, None)
    frame["escalation_status"] = np.where(esc, status, None)
    frame["escalated_to"] = np.where(esc, choose(rng, texts.ESCALATED_TO, None, n), None)
    frame["resolution_notes"] = np.where(resolved, choose(rng, texts.RESOLUTIONS, None, n), None)
    frame["resolved_at"] = np.where(resolved, resolved_day.astype("datetime64[s]")
                                    + np.timedelta64(16, "h"), np.datetime64("NaT"))


def _at_risk_story(acc: pd.DataFrame, contacts: pd.DataFrame, frame: pd.DataFrame) -> None:
    """Story 1: the last word from the at-risk key account is an open critical escalation
    whose follow-up (a written recovery plan) is overdue."""
    ix = int(np.flatnonzero(acc["name"].to_numpy() == cast.AT_RISK_KEY)[0])
    row = frame.index[frame["_last"] & (frame["account_id"] == ix)][0]
    decision_maker = int(np.searchsorted(contacts["account_id"].to_numpy(), ix))
    subject, notes, outcome = texts.AT_RISK_ESCALATION
    values = {"product": "Beacon Fleet", "contact": contacts["first_name"].iloc[decision_maker]}
    day = frame.at[row, "occurred_at"].to_datetime64().astype("datetime64[D]")
    frame.loc[row, ["subject", "notes", "outcome", "sentiment", "products", "product_reaction"]] = [
        subject.format(**values), notes.format(**values), outcome, "very_negative",
        "Beacon Fleet", None]
    frame.loc[row, ["severity", "escalation_status", "escalated_to", "resolution_notes"]] = [
        "critical", "open", "Head of Service Delivery", None]
    frame.loc[row, ["next_step", "_contact"]] = ["Send the written recovery plan", decision_maker]
    frame.loc[row, "next_step_due"] = day + 7
    frame.loc[row, ["next_step_done_at", "resolved_at"]] = pd.NaT
