"""Errors lib raises for people: every message is meant to be shown as it is."""
from __future__ import annotations

from typing import Any


class UserError(Exception):
    """Something the person can fix; the message says what and where."""


class ValidationFailed(UserError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class NotFound(UserError):
    pass


class NotAllowed(UserError):
    pass


class WriteConflict(UserError):
    """Someone saved the record after this person loaded it; `current` holds their values."""

    def __init__(self, entity: str, entity_id: Any, current: dict[str, Any], changed_by: str) -> None:
        self.entity = entity
        self.entity_id = entity_id
        self.current = current
        self.changed_by = changed_by
        super().__init__(
            f"{changed_by} changed this {entity} after you opened it. Nothing of yours was "
            "saved; their values are shown, re-apply your change if it still holds."
        )
