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
    app = (ROOT / "app.py").read_text()
    smoke = (ROOT / "tests" / "app" / "test_pages.py").read_text()
    for path in (ROOT / "pages").glob("*.py"):
        name = f"pages/{path.name}"
        assert name in app, f"{name} is not in app.py's navigation"
        assert name in smoke or path.stem in smoke, f"{name} has no AppTest"


def test_every_requirement_is_pinned_to_an_exact_version():
    for req in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / req).read_text().splitlines():
            line = line.strip()
            if line and not line.startswith(("#", "-r")):
                assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", line), f"{req}: {line}"
