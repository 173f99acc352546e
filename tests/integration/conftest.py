"""Fixtures shared by integration tests."""
import pytest

from tests.builders import make_manager, make_user


@pytest.fixture
def team(db):
    """Eleanor directs Maya and Oliver; Zoe is outside her team. One login per role."""
    eleanor_row = make_manager(db, name="Eleanor Hayes", role_title="Account Director")
    maya_row = make_manager(db, name="Maya Thompson", reports_to=eleanor_row)
    oliver_row = make_manager(db, name="Oliver Bennett", reports_to=eleanor_row)
    zoe_row = make_manager(db, name="Zoe Quinn")
    return {
        "maya_row": maya_row, "oliver_row": oliver_row, "zoe_row": zoe_row,
        "admin": make_user(db, "admin", display_name="Ada Admin"),
        "eleanor": make_user(db, "director", display_name="Eleanor Hayes", manager_id=eleanor_row),
        "maya": make_user(db, "manager", display_name="Maya Thompson", manager_id=maya_row),
        "viewer": make_user(db, "viewer", display_name="Vic Viewer"),
    }
