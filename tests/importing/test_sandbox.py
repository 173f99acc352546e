"""The parsing child: whatever it does, the caller gets an ImportFileError and lives on."""
from __future__ import annotations

import os
import sys
import time
import types

import pytest

from lib.importing import ImportFileError, Limits, read_upload
from lib.importing import sandbox
from lib.importing.sandbox import run_limited


def sleep_forever() -> None:
    time.sleep(60)


def allocate(n_bytes: int) -> int:
    return len(bytearray(n_bytes))


def abort_like_calamine() -> None:
    os.abort()


def fail_with_a_bug() -> None:
    raise KeyError("column")


def refuse_politely() -> None:
    raise ImportFileError("Sheet 'X' is not a table.")


def add(a: int, b: int) -> int:
    return a + b


def process_id() -> int:
    return os.getpid()


class TooBigToSend:
    def __reduce__(self):
        raise MemoryError


def answer_too_big_to_send() -> list:
    return ["the first part of the answer is written", TooBigToSend()]


def test_a_parse_that_runs_past_the_time_limit_is_stopped_and_reported():
    with pytest.raises(ImportFileError, match=r"within the limits: reading took longer than allowed"):
        run_limited(sleep_forever, memory_bytes=2 * 1024**3, timeout_seconds=0.5)


def test_a_parse_that_needs_more_memory_than_allowed_is_reported():
    with pytest.raises(ImportFileError, match=r"within the limits: it needed more than 1.0 GB of memory"):
        run_limited(allocate, 3 * 1024**3, memory_bytes=1024**3, timeout_seconds=30)


def test_a_child_that_aborts_the_interpreter_becomes_an_error_not_a_crash():
    with pytest.raises(ImportFileError, match=r"within the limits: the reader crashed"):
        run_limited(abort_like_calamine, memory_bytes=1024**3, timeout_seconds=30)


def test_a_bug_in_the_reader_is_reported_with_its_type_and_the_caller_lives():
    with pytest.raises(ImportFileError, match=r"the reader failed with KeyError: 'column'"):
        run_limited(fail_with_a_bug, memory_bytes=1024**3, timeout_seconds=30)
    assert run_limited(add, 2, 3, memory_bytes=1024**3, timeout_seconds=30) == 5


def test_a_child_that_runs_out_of_memory_while_sending_its_answer_is_reported_as_such():
    with pytest.raises(ImportFileError, match=r"within the limits: it needed more than 1.0 GB of memory"):
        run_limited(answer_too_big_to_send, memory_bytes=1024**3, timeout_seconds=30)


def test_a_reader_refusal_arrives_with_its_own_words():
    with pytest.raises(ImportFileError) as refused:
        run_limited(refuse_politely, memory_bytes=1024**3, timeout_seconds=30)
    assert str(refused.value) == "Sheet 'X' is not a table."


def test_read_upload_applies_tiny_injected_limits_to_a_real_parse():
    rows = "".join(f"A{i},Owner {i % 7},{i}.50\n" for i in range(200_000))
    data = ("account,owner,amount\n" + rows).encode()
    with pytest.raises(ImportFileError, match="within the limits"):
        read_upload(data, "big.csv", Limits(memory_bytes=150 * 1024**2))
    with pytest.raises(ImportFileError, match="took longer than allowed"):
        read_upload(data, "big.csv", Limits(timeout_seconds=0.01))
    assert len(read_upload(data, "big.csv").sheets[0].rows) == 200_000


def test_the_child_never_reruns_the_page_script_that_streamlit_put_in_main(tmp_path, monkeypatch):
    # Streamlit runs each page as sys.modules["__main__"]; the stdlib would make every child
    # execute it again before parsing. The page here leaves a mark if it is ever run.
    marker = tmp_path / "page_ran"
    page = tmp_path / "page.py"
    page.write_text(f"open({str(marker)!r}, 'w').close()\nraise SystemExit(3)\n")
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = str(page)
    monkeypatch.setitem(sys.modules, "__main__", fake_main)
    assert read_upload(b"a,b\n1,2\n", "from_a_page.csv").sheets[0].rows.shape == (1, 2)
    assert not marker.exists()


def test_a_parse_runs_in_the_child_started_ahead_and_the_next_parse_in_a_child_of_its_own():
    sandbox.warm(__name__)
    ahead = sandbox._spare[__name__].pid
    assert ahead in sandbox.waiting_pids()
    assert run_limited(process_id, memory_bytes=1024**3, timeout_seconds=30) == ahead
    # nothing starts beside the caller's next steps: the page asks for the next child itself
    assert __name__ not in sandbox._spare and ahead not in sandbox.waiting_pids()
    own = run_limited(process_id, memory_bytes=1024**3, timeout_seconds=30)
    assert own not in (ahead, os.getpid())


def test_a_child_started_ahead_still_applies_the_limits_given_with_the_file():
    sandbox.warm(__name__)
    with pytest.raises(ImportFileError, match=r"it needed more than 1.0 GB of memory"):
        run_limited(allocate, 3 * 1024**3, memory_bytes=1024**3, timeout_seconds=30)
    sandbox.warm(__name__)
    with pytest.raises(ImportFileError, match=r"reading took longer than allowed"):
        run_limited(sleep_forever, memory_bytes=2 * 1024**3, timeout_seconds=0.5)


def test_a_child_started_ahead_that_died_is_replaced_without_the_caller_noticing():
    sandbox.warm(__name__)
    sandbox._spare[__name__].kill()
    sandbox._spare[__name__].wait()
    assert run_limited(add, 2, 3, memory_bytes=1024**3, timeout_seconds=30) == 5
