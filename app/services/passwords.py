"""The rule for a new password: long enough, and not one that is easy to guess.

Length alone lets ``passwort12345`` through; the strength estimate of zxcvbn (Dropbox's
algorithm: common passwords, names, words, keyboard walks, repeats, sequences, dates)
refuses it. Words of the account itself (the e-mail address, the shop's name) count as
guessable too. The view turns the reasons into German advice.
"""

import re
from collections.abc import Iterable

from zxcvbn import zxcvbn

from .errors import DomainError

MIN_PASSWORD_LENGTH = 12
# zxcvbn's scores run from 0 (too guessable) to 4 (10^10 guesses or more, "very
# unguessable"). 3 would still let variants of common ones through (``Passwort1234!``,
# ``Fussball2026``); three or four unrelated words reach 4 easily.
MIN_PASSWORD_SCORE = 4
# zxcvbn refuses longer input (its matching is quadratic); a longer password is judged by
# its beginning, which must be strong on its own.
CHECKED_LENGTH = 72
# What makes a password guessable, by zxcvbn's pattern names (see ``weaknesses``).
REASONS = {
    "spatial": "keyboard",
    "repeat": "repeat",
    "sequence": "sequence",
    "date": "date",
    "regex": "date",  # zxcvbn's only regex is "recent year"
}
WORD_RE = re.compile(r"[^\W_]+")


class PasswordError(DomainError):
    """A new password refused. Codes: ``short_password`` (context ``minimum``),
    ``weak_password`` (context ``reasons``: ``personal``, ``common``, ``keyboard``,
    ``repeat``, ``sequence``, ``date``)."""


def personal_words(*texts: str) -> list[str]:
    """The words of ``texts`` (an e-mail address, a shop's name) for zxcvbn's user inputs."""
    words: list[str] = []
    for text in texts:
        lowered = text.lower()
        for word in [lowered, *WORD_RE.findall(lowered)]:
            if word and word not in words:
                words.append(word)
    return words


def weaknesses(sequence: Iterable[dict[str, object]]) -> list[str]:
    """The reasons, in order of first appearance, of the parts zxcvbn found guessable."""
    reasons: list[str] = []
    for match in sequence:
        pattern = match.get("pattern")
        if pattern == "dictionary":
            reason = "personal" if match.get("dictionary_name") == "user_inputs" else "common"
        else:
            reason = REASONS.get(str(pattern), "")
        if reason and reason not in reasons:
            reasons.append(reason)
    return reasons or ["common"]


def check_new_password(password: str, personal: Iterable[str] = ()) -> None:
    """Raise ``PasswordError`` unless ``password`` is long and hard enough to guess.

    ``personal`` are texts of the account (e-mail address, shop name) that must not make
    up the password.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordError("short_password", minimum=MIN_PASSWORD_LENGTH)
    result = zxcvbn(password[:CHECKED_LENGTH], user_inputs=personal_words(*personal))
    if result["score"] < MIN_PASSWORD_SCORE:
        raise PasswordError("weak_password", reasons=weaknesses(result["sequence"]))
