"""The domain's error type: a stable code for tests and views, German text for people."""

import dataclasses
from typing import Any


class DomainError(Exception):
    """A refusal by the domain layer. ``code`` is stable; views map it to a message."""

    def __init__(self, code: str, **context: object) -> None:
        """Remember the stable ``code`` and any values a message may need."""
        super().__init__(code)
        self.code = code
        self.context = context


@dataclasses.dataclass(frozen=True)
class Problem:
    """One reason an input was refused: which field, a stable code, values for the text."""

    field: str
    code: str
    context: dict[str, Any] = dataclasses.field(default_factory=dict)
