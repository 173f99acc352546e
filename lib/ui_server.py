"""Start the Account Desk server: `python -m lib.ui_server [streamlit options]` (`make run`).

With a pages/ folder beside app.py, Streamlit answers the first request after a start in its
legacy pages-folder mode, so a deep link (`/account?account=7`) opened first meets a "page not
found" notice. Account Desk always navigates with st.navigation; saying so before the server
starts makes the first request behave like every later one.
"""
from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parent.parent / "app.py"


def main(options: list[str]) -> None:
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(APP), *options]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
