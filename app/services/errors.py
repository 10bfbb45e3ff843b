"""The domain's error type: a stable code for tests and views, German text for people."""


class DomainError(Exception):
    """A refusal by the domain layer. ``code`` is stable; views map it to a message."""

    def __init__(self, code: str, **context: object) -> None:
        """Remember the stable ``code`` and any values a message may need."""
        super().__init__(code)
        self.code = code
        self.context = context
