"""The personal links of a survey's respondents: ``/umfragen/antworten/<token>``.

A token is 32 random bytes in URL-safe base64; only its SHA-256 is stored
(``SurveyRespondent.token_hash``), so the database alone opens no one's answers. A new
link for the same respondent replaces the old one.
"""

import hashlib
import secrets

from flask import current_app

ANSWER_PATH = "/umfragen/antworten/"


def issue_token() -> tuple[str, str]:
    """A new token and the hash to store for it."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    """The stored form of ``token`` (SHA-256, hex)."""
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def answer_path(token: str) -> str:
    """The path of the respondent's personal link."""
    return ANSWER_PATH + token


def answer_url(token: str) -> str:
    """The whole personal link, for mails and printed letters (``BASE_URL``)."""
    return str(current_app.config["BASE_URL"]) + answer_path(token)
