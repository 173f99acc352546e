"""The floors: bare Streamlit pages that render the same final tables and charts as Account Desk's
pages, from DataFrames and figures computed beforehand. No database, no sign-in, no sidebar.

Two modes in one file:

    .venv/bin/python bench/floor_app.py capture --db FILE --out FILE [--account ID] [--tree]
        Runs the real app in-process (streamlit's AppTest) on FILE as the director, opens each
        measured page, and pickles every table (st.dataframe's DataFrame) and chart (the plotly
        figure's JSON) it shows, in order; with --tree, its element tree too. The database must
        not be open in a running server.

    streamlit run bench/floor_app.py      (with BENCH_FLOOR_DATA=<the pickle>)
        The bare floor: one page per captured page, a "Variant" selectbox, then the tables and
        charts. A new variant rotates every table's rows and every trace's points by one step, so
        a change redraws everything with the same shape; that is the floor's "filter change".

        With BENCH_FLOOR_CONTROLS=1, the controls floor instead (URL paths controls-<page>): the
        "Variant" selectbox, then the page's element tree drawn again (the same widgets, text,
        metrics and layout blocks, with the tables and charts in their places, rotated as on the
        bare floor); an element it cannot draw shows its type name, and capture lists those.

bench/browser.py times a page switch and a filter change here exactly as on the real app.
"""
from __future__ import annotations

import base64
import os
import pickle
import sys
from collections import Counter
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import streamlit as st

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
VIEWS = {"review": {"review_tab": "Walk-through"}}   # the views the timed runs show (tabs in the URL)
VARIANTS = 32
HOME_TEXT = "Bare pages rendering precomputed tables and charts."


# ---- capture: the real app's final tables and charts, and its element tree -----------------
def capture(db_path: Path, out: Path, account_id: int | None, tree: bool) -> dict[str, dict]:
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
        at.query_params.update({"account": str(account_id)} if key == "account" and account_id
                               else VIEWS.get(key, {}))
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
        if tree:
            shown[key]["tree"] = stylesheets(at) + element_tree(at.main)
            report_tree(shown[key]["tree"])
    out.write_bytes(pickle.dumps(shown))
    return shown


# what a node shows, besides its proto: a widget's value (an option widget's indices), a table
SHOWN = {"selectbox": "index", "multiselect": "indices", "number_input": "value",
         "text_input": "value", "text_area": "value", "checkbox": "value", "toggle": "value",
         "pagination": "value", "dataframe": "value", "table": "value"}


def element_tree(block) -> list[tuple]:
    """A block's children in display order: (type, proto, the app's key, shows, children)."""
    from streamlit.testing.v1.element_tree import Block
    nodes = []
    for _, node in sorted(block.children.items()):
        children = element_tree(node) if isinstance(node, Block) else []
        attribute = SHOWN.get(node.type)
        shows = getattr(node, attribute) if attribute else None
        nodes.append((node.type, node.proto, getattr(node, "key", None), shows, children))
    return nodes


def stylesheets(at) -> list[tuple]:
    """Style-only st.html calls, which streamlit draws outside the main area and the sidebar."""
    drawn = {id(h.proto) for h in [*at.main.get("html"), *at.sidebar.get("html")]}
    return [(h.type, h.proto, None, None, []) for h in at.get("html") if id(h.proto) not in drawn]


def report_tree(tree: list[tuple]) -> None:
    types = list(node_types(tree))
    missing = Counter(t for t in types if t not in {*BLOCKS, *ELEMENTS, *DRAWN_BY_PARENT})
    print(f"    element tree: {len(types)} blocks and elements; "
          f"not replayed: {', '.join(f'{t} x{n}' for t, n in missing.items()) or 'none'}")


def node_types(tree: list[tuple]) -> Iterator[str]:
    for type_, *_, children in tree:
        yield type_
        yield from node_types(children)


def capture_main() -> None:
    import argparse
    parser = argparse.ArgumentParser(description="Capture the app's tables and charts.")
    parser.add_argument("mode", choices=["capture"])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--account", type=int)
    parser.add_argument("--tree", action="store_true", help="also the element trees (controls floor)")
    args = parser.parse_args()
    capture(args.db, args.out, args.account, args.tree)


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
    """A trace's y as an array, or None; plotly's JSON packs numbers as base64 typed arrays."""
    if isinstance(y, dict) and "bdata" in y:
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"]))
    return None if y is None else np.asarray(y, dtype=object)


def render(key: str, page: dict) -> None:
    st.title(f"Floor: {page['title']}")
    step = variant(key, page["title"])
    for i, spec in enumerate(page["charts"]):
        st.plotly_chart(figure(spec, step), key=f"floor_{key}_chart_{i}")
    for i, table in enumerate(page["tables"]):
        st.dataframe(rotated(table, step), hide_index=True, key=f"floor_{key}_table_{i}")


def variant(key: str, title: str) -> int:
    """The floor's one filter: the step every table and chart is rotated by."""
    step = st.selectbox("Variant", range(VARIANTS), format_func=lambda i: f"variant {i}",
                        key=f"floor_{key}_variant")
    st.caption(f"{title} · variant {step}")
    return step


# ---- the controls floor: a captured element tree drawn again ----------------------------------
class Replay:
    """Draws captured nodes (see element_tree) for one page and variant."""

    def __init__(self, page_key: str, step: int) -> None:
        self.page_key, self.step, self.unkeyed = page_key, step, 0

    def key(self, app_key: str | None) -> str:
        """The app's key (stylesheets select it), else one by drawing order, stable across runs."""
        if app_key:
            return app_key
        self.unkeyed += 1
        return f"controls_{self.page_key}_{self.unkeyed}"

    def nodes(self, nodes: list[tuple]) -> None:
        for type_, proto, key, shows, children in nodes:
            if type_ in BLOCKS:
                BLOCKS[type_](self, proto, key, children)
            elif type_ in ELEMENTS:
                ELEMENTS[type_](self, proto, key, shows)
            else:  # counted at capture (report_tree)
                st.markdown(f"`{type_}`")
                self.nodes(children)


def render_controls(key: str, page: dict) -> None:
    Replay(key, variant(key, page["title"])).nodes(page["tree"])


def name(proto, field: str) -> str:
    """An enum field's value by name in lower case, as streamlit's API spells it (VISIBLE -> visible)."""
    number = getattr(proto, field)
    return proto.DESCRIPTOR.fields_by_name[field].enum_type.values_by_number[number].name.lower()


def gap(config) -> str | None:
    size = name(config, "gap_size") if config.HasField("gap_size") else "small"
    return None if size == "none" else size


def flex(r: Replay, p, key: str | None, children: list[tuple]) -> None:
    """st.columns (every child a column) or st.container, vertical or horizontal."""
    if children and all(child[0] == "column" for child in children):
        first = children[0][1]
        align = name(first, "vertical_alignment")
        drawn = st.columns([child[1].weight for child in children], gap=gap(first.gap_config),
                           vertical_alignment=align, border=first.show_border)
        for column, child in zip(drawn, children):
            with column:
                r.nodes(child[-1])
        return
    box = p.flex_container
    height = int(p.height_config.pixel_height) or "content"  # a fixed height scrolls
    with st.container(border=box.border, horizontal=box.direction == box.HORIZONTAL,
                      gap=gap(box.gap_config), height=height, key=key):
        r.nodes(children)


def tabs(r: Replay, p, key: str | None, children: list[tuple]) -> None:
    """Tabs that rerun on a change (they have an id) draw only the open tab's content: the open
    tab is the one with content, which need not be the default (a URL may choose another)."""
    box = p.tab_container
    with_content = [child[1].label for child in children if child[-1]] if box.id else []
    drawn = st.tabs([child[1].label for child in children], key=key,
                    default=(with_content or [box.default_tab_label])[0] or None,
                    on_change="rerun" if box.id else "ignore")
    for tab, child in zip(drawn, children):
        with tab:
            r.nodes(child[-1])


def within(container: Callable) -> Callable:
    def draw(r: Replay, p, key: str | None, children: list[tuple]) -> None:
        with container(r, p, key):
            r.nodes(children)
    return draw


BLOCKS: dict[str, Callable] = {
    "flex_container": flex, "tab_container": tabs,
    "form": within(lambda r, p, key: st.form(r.key(key), clear_on_submit=p.form.clear_on_submit,
                                             enter_to_submit=p.form.enter_to_submit,
                                             border=p.form.border)),
    "expander": within(lambda r, p, key: st.expander(p.label, expanded=p.expanded,
                                                     icon=p.icon or None)),
    "popover": within(lambda r, p, key: st.popover(p.popover.label, icon=p.popover.icon or None,
                                                   type=p.popover.type or "secondary"))}
DRAWN_BY_PARENT = {"column", "tab"}  # flex draws the columns, tabs the tabs


def labelled(r: Replay, p, key: str | None) -> dict:
    return {"label": p.label, "help": p.help or None, "disabled": p.disabled,
            "label_visibility": name(p.label_visibility, "value"), "key": r.key(key)}


def button(r: Replay, p, key: str | None, _) -> None:
    draw = st.form_submit_button if p.is_form_submitter else st.button
    draw(p.label, help=p.help or None, key=r.key(key), type=p.type or "secondary",
         icon=p.icon or None, disabled=p.disabled)


def download_button(r: Replay, p, key: str | None, _) -> None:
    st.download_button(p.label, b"", help=p.help or None, key=r.key(key),
                       type=p.type or "secondary", icon=p.icon or None, disabled=p.disabled)


def selectbox(r: Replay, p, key: str | None, index: int | None) -> None:
    st.selectbox(options=list(p.options), index=index, placeholder=p.placeholder or None,
                 accept_new_options=p.accept_new_options, **labelled(r, p, key))


def multiselect(r: Replay, p, key: str | None, indices: list[int]) -> None:
    st.multiselect(options=list(p.options), default=[p.options[i] for i in indices],
                   placeholder=p.placeholder or None, max_selections=p.max_selections or None,
                   accept_new_options=p.accept_new_options, **labelled(r, p, key))


def number_input(r: Replay, p, key: str | None, value) -> None:
    number = int if p.data_type == p.INT else float
    st.number_input(min_value=number(p.min) if p.has_min else None,
                    max_value=number(p.max) if p.has_max else None, value=value,
                    step=number(p.step) if p.step else None, format=p.format or None,
                    placeholder=p.placeholder or None, **labelled(r, p, key))


def text_input(r: Replay, p, key: str | None, value: str | None) -> None:
    st.text_input(value=value, max_chars=p.max_chars or None, type=name(p, "type"),
                  placeholder=p.placeholder or None, **labelled(r, p, key))


def text_area(r: Replay, p, key: str | None, value: str | None) -> None:
    st.text_area(value=value, max_chars=p.max_chars or None, placeholder=p.placeholder or None,
                 **labelled(r, p, key))


def checkbox(r: Replay, p, key: str | None, value: bool) -> None:
    draw = st.toggle if p.type == p.TOGGLE else st.checkbox
    draw(value=value, **labelled(r, p, key))


def pagination(r: Replay, p, key: str | None, value: int) -> None:
    st.pagination(p.num_pages, default=value, max_visible_pages=p.max_visible_pages or None,
                  disabled=p.disabled, key=r.key(key))


def metric(r: Replay, p, key: str | None, _) -> None:
    """Colour and arrow given explicitly: they are what st.metric worked out from the delta."""
    arrow = name(p, "direction")
    st.metric(p.label, p.body, p.delta or None, delta_color=name(p, "color"),
              delta_arrow="off" if arrow == "none" else arrow, help=p.help or None,
              icon=p.icon or None, border=p.show_border, label_visibility=name(p.label_visibility, "value"))


def markdown(r: Replay, p, key: str | None, _) -> None:
    draw = st.caption if p.element_type == p.CAPTION else st.markdown
    draw(p.body, help=p.help or None, unsafe_allow_html=p.allow_html)


def alert(r: Replay, p, key: str | None, _) -> None:
    draw = {p.ERROR: st.error, p.WARNING: st.warning, p.SUCCESS: st.success}.get(p.format, st.info)
    draw(p.body, icon=p.icon or None)


def dataframe(r: Replay, p, key: str | None, frame) -> None:
    st.dataframe(rotated(frame, r.step), hide_index=True, key=r.key(key))  # as the bare floor


def table(r: Replay, p, key: str | None, frame) -> None:
    border = {p.ALL: True, p.NONE: False}.get(p.border_mode, "horizontal")
    st.table(rotated(frame, r.step), border=border, hide_index=p.hide_index or None,
             hide_header=p.hide_header or None)


def plotly_chart(r: Replay, p, key: str | None, _) -> None:
    st.plotly_chart(figure(p.spec, r.step), key=r.key(key))


ELEMENTS: dict[str, Callable] = {
    "button": button, "download_button": download_button, "selectbox": selectbox,
    "multiselect": multiselect, "number_input": number_input, "text_input": text_input,
    "text_area": text_area, "checkbox": checkbox, "toggle": checkbox, "pagination": pagination,
    "metric": metric, "title": lambda r, p, key, _: st.title(p.body, help=p.help or None),
    "header": lambda r, p, key, _: st.header(p.body, help=p.help or None),
    "subheader": lambda r, p, key, _: st.subheader(p.body, help=p.help or None),
    "markdown": markdown, "caption": markdown, "error": alert, "warning": alert, "info": alert,
    "success": alert, "dataframe": dataframe, "table": table, "plotly_chart": plotly_chart,
    "html": lambda r, p, key, _: st.html(p.body), "divider": lambda r, p, key, _: st.divider(),
    "empty": lambda r, p, key, _: st.empty()}


def home() -> None:
    st.title("Floor")
    st.write(HOME_TEXT)


def app() -> None:
    st.set_page_config(page_title="Floor", layout="wide")
    shown = load(os.environ["BENCH_FLOOR_DATA"])
    controls = os.environ.get("BENCH_FLOOR_CONTROLS") == "1"
    draw, prefix = (render_controls, "controls-") if controls else (render, "")
    pages = [st.Page(home, title="Home", url_path="home", default=True)]
    for key, page in shown.items():
        pages.append(st.Page(lambda key=key, page=page: draw(key, page), title=page["title"],
                             url_path=prefix + key))
    st.navigation(pages, expanded=True).run()


def load(path: str) -> dict:
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
