"""The floor: bare Streamlit pages that render the same final tables and charts as Account Desk's
pages, from DataFrames and figures computed beforehand. No database, no sign-in, no sidebar.

Two modes in one file:

    .venv/bin/python bench/floor_app.py capture --db FILE --out FILE [--account ID]
        Runs the real app in-process (streamlit's AppTest) on FILE as the director, opens each
        measured page, and pickles every table (st.dataframe's DataFrame) and chart (the plotly
        figure's JSON) it shows, in order. The database must not be open in a running server.

    streamlit run bench/floor_app.py      (with BENCH_FLOOR_DATA=<the pickle>)
        One page per captured page: a "Variant" selectbox, then the tables and charts. A new
        variant rotates every table's rows and every trace's points by one step, so a change
        redraws everything with the same shape; that is the floor's "filter change".

bench/browser.py times a page switch and a filter change here exactly as on the real app.
"""
from __future__ import annotations

import base64
import os
import pickle
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

# page key -> (the app's page script, its title); the floor's URL paths are the keys
PAGES = {
    "portfolio": ("pages/portfolio_page.py", "Portfolio"),
    "account": ("pages/account_page.py", "Account"),
    "performance": ("pages/performance_page.py", "Performance"),
    "compensation": ("pages/compensation_page.py", "Compensation"),
    "review": ("pages/review_page.py", "Team review"),
    "explore": ("pages/explore_page.py", "Explore"),
}
VARIANTS = 32
HOME_TEXT = "Bare pages rendering precomputed tables and charts."


# ---- capture: the real app's final tables and charts ----------------------------------------
def capture(db_path: Path, out: Path, account_id: int | None) -> dict[str, dict]:
    os.environ["ACCOUNTDESK_DB"] = str(db_path)
    os.environ["ACCOUNTDESK_DAILY_BACKUP"] = "0"
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    from streamlit.testing.v1 import AppTest

    from bench.browser_common import DIRECTOR, PASSWORD

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()
    at.text_input(key="sign_in_email").input(DIRECTOR)
    at.text_input(key="sign_in_password").input(PASSWORD)
    next(b for b in at.button if b.label == "Sign in").click()
    at.run()
    shown = {}
    for key, (script, title) in PAGES.items():
        if key == "account" and account_id is not None:
            at.query_params["account"] = str(account_id)
        at.switch_page(script)
        at.run()
        if at.exception:
            raise RuntimeError(f"{title}: {at.exception[0].value}")
        shown[key] = {"title": title, "tables": [d.value for d in at.dataframe],
                      "charts": [c.proto.spec for c in at.get("plotly_chart")]}
        at.query_params.clear()
        print(f"  {title}: {len(shown[key]['tables'])} tables "
              f"({', '.join(f'{len(t)}x{t.shape[1]}' for t in shown[key]['tables'])}), "
              f"{len(shown[key]['charts'])} charts")
    out.write_bytes(pickle.dumps(shown))
    return shown


def capture_main() -> None:
    import argparse
    parser = argparse.ArgumentParser(description="Capture the app's tables and charts.")
    parser.add_argument("mode", choices=["capture"])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--account", type=int)
    args = parser.parse_args()
    capture(args.db, args.out, args.account)


# ---- render: the bare pages -------------------------------------------------------------------
def rotated(frame, step: int):
    n = len(frame)
    return frame if n < 2 else frame.iloc[[(i + step) % n for i in range(n)]]


def figure(spec: str, step: int):
    """The captured figure with every trace's y values rolled by `step`."""
    import plotly.io as pio
    fig = pio.from_json(spec)
    for trace in fig.data:
        y = values(getattr(trace, "y", None))
        if y is not None and len(y) > 1:
            trace.y = np.roll(y, step)
    return fig


def values(y):
    """A trace's y as an array; plotly's JSON packs numbers as base64 typed arrays."""
    if y is None:
        return None
    if isinstance(y, dict) and "bdata" in y:
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"]))
    return np.asarray(y, dtype=object)


def render(key: str, page: dict) -> None:
    import streamlit as st
    st.title(f"Floor: {page['title']}")
    step = st.selectbox("Variant", range(VARIANTS), format_func=lambda i: f"variant {i}",
                        key=f"floor_{key}_variant")
    st.caption(f"{page['title']} · variant {step}")
    for i, spec in enumerate(page["charts"]):
        st.plotly_chart(figure(spec, step), key=f"floor_{key}_chart_{i}")
    for i, table in enumerate(page["tables"]):
        st.dataframe(rotated(table, step), hide_index=True, key=f"floor_{key}_table_{i}")


def home() -> None:
    import streamlit as st
    st.title("Floor")
    st.write(HOME_TEXT)


def app() -> None:
    import streamlit as st
    st.set_page_config(page_title="Floor", layout="wide")
    shown = load(os.environ["BENCH_FLOOR_DATA"])
    pages = [st.Page(home, title="Home", url_path="home", default=True)]
    for key, page in shown.items():
        pages.append(st.Page(lambda key=key, page=page: render(key, page), title=page["title"],
                             url_path=key))
    st.navigation(pages, expanded=True).run()


def load(path: str) -> dict:
    import streamlit as st

    @st.cache_resource
    def _load(p: str) -> dict:  # once per process: the floor has nothing to compute
        return pickle.loads(Path(p).read_bytes())
    return _load(path)


if __name__ == "__main__":
    from streamlit import runtime
    if runtime.exists():
        app()
    else:
        capture_main()
