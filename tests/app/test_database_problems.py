"""The app explains a database it cannot use, in words, and changes nothing."""
import subprocess
import sys

from tests.conftest import ROOT


def test_a_file_that_is_not_a_database_is_named_in_a_clear_message(empty_app, tmp_path, monkeypatch):
    path = tmp_path / "empty.duckdb"
    path.write_bytes(b"quarterly notes\n" * 500)
    at = empty_app.run()
    assert not at.exception
    assert "is not an Account Desk database" in at.error[0].value
    assert str(path) in at.error[0].value
    assert path.read_bytes() == b"quarterly notes\n" * 500


def test_a_database_held_by_another_server_gets_a_clear_message_not_a_traceback(empty_app, tmp_path):
    path = tmp_path / "empty.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('open', flush=True); time.sleep(60)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        at = empty_app.run()
        assert not at.exception
        assert "in use by another program" in at.error[0].value
        assert not at.title  # no page ran on top of the message
    finally:
        holder.kill()
        holder.wait()
