"""Meta-tests that keep the house in order."""
import ast
import re

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


def test_no_page_renders_raw_html():
    for path in [*(ROOT / "pages").glob("*.py"), *(ROOT / "lib").rglob("ui*.py"), ROOT / "app.py"]:
        text = path.read_text()
        assert "unsafe_allow_html=True" not in text and "st.html(" not in text, path.name
