"""Meta-tests that keep the house in order."""
import ast
import re

import pytest

from tests.conftest import ROOT

SQL = re.compile(r"\b(SELECT\s+.+\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE)\b",
                 re.IGNORECASE | re.DOTALL)


def _imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_nothing_in_lib_but_the_ui_modules_imports_streamlit():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "lib").rglob("*.py")
                 if not p.name.startswith("ui")
                 and any(m.split(".")[0] == "streamlit" for m in _imports(p))]
    assert offenders == []


def test_pages_hold_no_sql():
    offenders = []
    for path in (ROOT / "pages").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def test_every_page_file_is_wired_into_the_app_and_has_a_smoke_test():
    wiring = (ROOT / "app.py").read_text() + (ROOT / "lib" / "ui.py").read_text()
    smoke = (ROOT / "tests" / "app" / "test_pages.py").read_text()
    for path in (ROOT / "pages").glob("*.py"):
        name = f"pages/{path.name}"
        assert name in wiring, f"{name} is not in app.py's navigation"
        assert name in smoke, f"{name} has no smoke test in tests/app/test_pages.py"


def test_every_requirement_is_pinned_to_an_exact_version():
    for req in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / req).read_text().splitlines():
            line = line.strip()
            if line and not line.startswith(("#", "-r")):
                assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", line), f"{req}: {line}"


def test_every_page_asks_for_the_signed_in_user_before_anything_else():
    # app.py's gate is bypassed when Streamlit serves a page in its legacy pages-folder mode;
    # ui.current_user() refuses to render a page that did not come through the gate.
    for path in (ROOT / "pages").glob("*.py"):
        head = path.read_text().split("\n")[:20]
        assert any("ui.current_user(" in line for line in head), path.name


# ---- no raw HTML from data: the one exception is st.html(<a constant .css file of the repo>) ----
def _css_file(node, here):
    """The path `node` names when it is built only from Path(__file__), .parent, .resolve()
    and "/" with string constants; None for anything else."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Path"
            and len(node.args) == 1 and not node.keywords
            and isinstance(node.args[0], ast.Name) and node.args[0].id == "__file__"):
        return here
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        base = _css_file(node.value, here)
        return None if base is None else base.parent
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "resolve" and not node.args and not node.keywords):
        return _css_file(node.func.value, here)
    if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)
            and isinstance(node.right, ast.Constant) and isinstance(node.right.value, str)):
        base = _css_file(node.left, here)
        return None if base is None else base / node.right.value
    return None


def _constant(tree, name):
    """The value a module assigns to `name` exactly once at its top level and nowhere else."""
    def binds(n):
        if isinstance(n, ast.Name):
            return n.id == name and isinstance(n.ctx, (ast.Store, ast.Del))
        if isinstance(n, ast.arg):
            return n.arg == name
        if isinstance(n, ast.alias):
            return (n.asname or n.name.split(".")[0]) == name
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler)):
            return n.name == name
        return isinstance(n, (ast.Global, ast.Nonlocal)) and name in n.names

    bound = [n for n in ast.walk(tree) if binds(n)]
    top = [n for n in tree.body if isinstance(n, ast.Assign) and len(n.targets) == 1
           and isinstance(n.targets[0], ast.Name) and n.targets[0].id == name]
    return top[0].value if len(bound) == 1 and len(top) == 1 else None


def _html_problems(source, path):
    """Every way `source` (the file at `path`) could render HTML, but st.html(<constant path to
    an existing .css file in the repository>), which Streamlit wraps in a style tag."""
    problems = []
    if re.search(r"unsafe_allow_(html|javascript)", source):
        problems.append("unsafe_allow_html / unsafe_allow_javascript")
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("streamlit") \
                and any(a.name == "html" for a in node.names):
            problems.append(f"line {node.lineno}: imports html from streamlit")
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if not ((isinstance(func, ast.Attribute) and func.attr == "html")
                or (isinstance(func, ast.Name) and func.id == "html")):
            continue
        arg = node.args[0] if len(node.args) == 1 and not node.keywords else None
        if isinstance(arg, ast.Name):
            arg = _constant(tree, arg.id)
        css = None if arg is None else _css_file(arg, path)
        if css is None or css.suffix != ".css" or not css.resolve().is_relative_to(ROOT) \
                or not css.is_file():
            problems.append(f"line {node.lineno}: html(...) of anything but a constant .css file")
    return problems


def test_no_page_renders_raw_html():
    for path in [*(ROOT / "pages").glob("*.py"), *(ROOT / "lib").rglob("ui*.py"), ROOT / "app.py"]:
        assert _html_problems(path.read_text(), path) == [], path.name


UI = ROOT / "lib" / "ui_review.py"
SHEET = 'from pathlib import Path\nimport streamlit as st\nCSS = Path(__file__).parent / "static" / "review.css"\n'


@pytest.mark.parametrize("source", [
    SHEET + "st.html(CSS)\n",
    SHEET + "def wall():\n    st.html(CSS)\n",
    'from pathlib import Path\nimport streamlit as st\nst.html(Path(__file__).resolve().parent / "static/review.css")\n',
])
def test_the_html_rule_lets_through_a_constant_stylesheet_of_the_repository(source):
    assert _html_problems(source, UI) == []


@pytest.mark.parametrize("source", [
    'import streamlit as st\nst.html("<b>hello</b>")\n',
    'import streamlit as st\nname = "x"\nst.html(f"<style>{name}</style>")\n',
    'import streamlit as st\nst.html("lib/static/review.css")\n',                  # a string, not a file
    'import streamlit as st\ndef show(text):\n    st.html(text)\n',
    SHEET + "CSS = user_text\nst.html(CSS)\n",                                         # rebound
    SHEET + "def f(CSS):\n    st.html(CSS)\n",                                         # shadowed
    SHEET + "st.html(CSS, unsafe_allow_javascript=True)\n",
    'from pathlib import Path\nimport streamlit as st\nst.html(Path(__file__).parent / "static" / "nothing.css")\n',
    'from pathlib import Path\nimport streamlit as st\nst.html(Path(__file__).parent / "static" / ".." / "ui.py")\n',
    'from pathlib import Path\nimport streamlit as st\nst.html(Path("/etc") / "evil.css")\n',
    'from pathlib import Path\nimport streamlit as st\nst.html(Path(__file__).parent / name)\n',
    'import streamlit as st\ncol = st.columns(2)[0]\ncol.html("<i>x</i>")\n',
    'import streamlit.components.v1 as components\ncomponents.html("<script>x</script>")\n',
    'from streamlit import html\nhtml("<b>x</b>")\n',
    'import streamlit as st\nst.markdown("<b>x</b>", unsafe_allow_html=True)\n',
])
def test_the_html_rule_still_catches_html_built_from_text(source):
    assert _html_problems(source, UI) != []
