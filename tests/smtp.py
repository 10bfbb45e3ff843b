"""A real SMTP server on loopback for the tests (aiosmtpd), and what it received."""

import email
import email.policy
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Mailbox:
    """The messages an SMTP server accepted, parsed, in order of arrival."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:  # noqa: N802
        """aiosmtpd handler: keep the message."""
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        """Forget what arrived so far."""
        self.messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        """The messages addressed to ``address``."""
        return [m for m in self.messages if address in str(m["To"])]

    @staticmethod
    def text(message: EmailMessage) -> str:
        """The plain-text part of ``message``."""
        part = message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())

    @staticmethod
    def html(message: EmailMessage) -> str:
        """The HTML part of ``message``."""
        part = message.get_body(preferencelist=("html",))
        assert part is not None
        return str(part.get_content())

    @staticmethod
    def attachments(message: EmailMessage) -> dict[str, bytes]:
        """The attachments of ``message`` by file name."""
        found: dict[str, bytes] = {}
        for part in message.iter_attachments():
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found[str(part.get_filename())] = payload
        return found


class SMTPServer:
    """An aiosmtpd server on a fixed loopback port that can be stopped and started again."""

    def __init__(self, port: int | None = None) -> None:
        """Prepare a server on ``port`` (a free one by default); not yet listening."""
        self.port = port or free_port()
        self.mailbox = Mailbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        """Listen for mail."""
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        """Stop listening (an outage)."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def config(self) -> dict[str, object]:
        """App settings that send mail to this server."""
        return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port,
                "MAIL_TIMEOUT": 5}
