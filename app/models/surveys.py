"""The office's needs surveys of the town's businesses (Bedarfsabfrage).

A survey has an introduction, an open and a close moment, and ordered questions of a
few kinds, spread over one or more pages. Whoever answers is a :class:`SurveyRespondent`
reached by a personal link (only the SHA-256 of its token is stored): one per shop of
the rally (``shop_id``, UNIQUE per survey), or, when the survey has an open link, one
per e-mail address (UNIQUE per survey) for businesses outside the rally; past its
retention an open respondent loses its address (``purged_at``) and keeps its answers
for the results. A respondent's
answers are drafts until ``submitted_at`` is set and can be revised until the survey
closes. Composite foreign keys keep every answer, and every chosen option, inside its
own survey and question: an answer to another survey's question cannot be stored.

Once a survey has an answer, ``locked_at`` is set in the same transaction and its
questions no longer change (app.services.surveys refuses; staff copy the survey).
"""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..db import UTCDateTime
from .common import LANGUAGES, Model, _in
from .rally import Shop

# draft: only staff see it (and its preview); published: answerable between opens_at
# and closes_at; archived: kept for its results, no longer listed.
SURVEY_STATUSES = ("draft", "published", "archived")
# one: one choice (radio buttons); many: several choices (check boxes); scale: 1 to 5;
# short: one line of text; long: a text area.
QUESTION_KINDS = ("one", "many", "scale", "short", "long")
CHOICE_KINDS = ("one", "many")
SCALE_MIN, SCALE_MAX = 1, 5


class Survey(Model):
    """One survey: what it asks, when, and whether results may name the shops."""

    __tablename__ = "surveys"
    __table_args__ = (
        CheckConstraint(_in("status", SURVEY_STATUSES), name="status_known"),
        CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        CheckConstraint("length(title) > 0", name="has_title"),
        CheckConstraint("NOT open_link OR length(open_consent) > 0",
                        name="open_link_has_consent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The public address: /umfragen/<slug>.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    # Sanitised Markdown (app.services.content.render_markdown).
    intro: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Said up front on the survey's first page: results show which shop answered what.
    # False (the default): results never name a shop.
    names_shops: Mapped[bool] = mapped_column(Boolean, default=False)
    # Businesses outside the rally may ask for a personal link with their address.
    open_link: Mapped[bool] = mapped_column(Boolean, default=False)
    # The consent text (Art. 13 DSGVO) those businesses agree to; required with open_link.
    open_consent: Mapped[str] = mapped_column(Text, default="")
    # Set with the first answer: from then on the questions are fixed.
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    copied_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("surveys.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    questions: Mapped[list["SurveyQuestion"]] = relationship(
        order_by="SurveyQuestion.position", cascade="all, delete-orphan",
        passive_deletes=True, back_populates="survey")


class SurveyQuestion(Model):
    """One question, at ``position`` (UNIQUE per survey) on ``page``."""

    __tablename__ = "survey_questions"
    __table_args__ = (
        CheckConstraint(_in("kind", QUESTION_KINDS), name="kind_known"),
        CheckConstraint("length(prompt) > 0", name="has_prompt"),
        CheckConstraint("position >= 1", name="position_positive"),
        CheckConstraint("page >= 1", name="page_positive"),
        UniqueConstraint("survey_id", "position"),
        # Targets of the answers' composite foreign keys.
        UniqueConstraint("survey_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    page: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[str] = mapped_column(String(8))
    prompt: Mapped[str] = mapped_column(String(300))
    # A line under the question ("Mehrere Antworten möglich").
    help: Mapped[str] = mapped_column(String(300), default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False)

    survey: Mapped[Survey] = relationship(back_populates="questions")
    choices: Mapped[list["SurveyChoice"]] = relationship(
        order_by="SurveyChoice.position", cascade="all, delete-orphan",
        passive_deletes=True)


class SurveyChoice(Model):
    """One option of a one- or many-choice question."""

    __tablename__ = "survey_choices"
    __table_args__ = (
        CheckConstraint("length(label) > 0", name="has_label"),
        CheckConstraint("position >= 1", name="position_positive"),
        UniqueConstraint("question_id", "position"),
        UniqueConstraint("question_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))


_SHOP = "shop_id IS NOT NULL"
_OPEN = "email IS NOT NULL"


class SurveyRespondent(Model):
    """Who answers a survey through a personal link: a shop, or a business that asked
    through the open link (its address, company and consent)."""

    __tablename__ = "survey_respondents"
    __table_args__ = (
        CheckConstraint("shop_id IS NULL OR email IS NULL", name="shop_or_address"),
        # After its retention an open respondent keeps its answers without its address.
        CheckConstraint("shop_id IS NOT NULL OR email IS NOT NULL OR purged_at IS NOT NULL",
                        name="someone_or_purged"),
        CheckConstraint("email IS NULL OR consent_at IS NOT NULL",
                        name="open_respondent_consented"),
        CheckConstraint("submitted_at IS NULL OR submitted_at >= created_at",
                        name="submitted_after_creation"),
        Index("uq_survey_respondents_shop", "survey_id", "shop_id", unique=True,
              sqlite_where=text(_SHOP), postgresql_where=text(_SHOP)),
        Index("uq_survey_respondents_email", "survey_id", "email", unique=True,
              sqlite_where=text(_OPEN), postgresql_where=text(_OPEN)),
        Index("ix_survey_respondents_email", "email"),
        UniqueConstraint("survey_id", "id"),
        CheckConstraint(_in("language", LANGUAGES), name="language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    # SHA-256 (hex) of the personal link's token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    email: Mapped[str | None] = mapped_column(String(254))
    company: Mapped[str] = mapped_column(String(120), default="")
    # An open respondent's own category (shops have theirs), for the results' filter.
    category: Mapped[str] = mapped_column(String(60), default="")
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the personal link was last mailed or printed (NULL: not yet).
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # NULL: a draft (some pages saved); set: sent, still revisable until the close.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    language: Mapped[str] = mapped_column(String(2), default="de", server_default="de")
    # Set by ``flask purge`` when the address, company and free texts were removed.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    shop: Mapped[Shop | None] = relationship()


class SurveyAnswer(Model):
    """A respondent's answer to one question: a scale value or a text; the options of a
    choice question are :class:`SurveyAnswerChoice` rows."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        ForeignKeyConstraint(["survey_id", "respondent_id"],
                             ["survey_respondents.survey_id", "survey_respondents.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["survey_id", "question_id"],
                             ["survey_questions.survey_id", "survey_questions.id"],
                             ondelete="CASCADE"),
        CheckConstraint(f"scale IS NULL OR scale BETWEEN {SCALE_MIN} AND {SCALE_MAX}",
                        name="scale_in_range"),
        Index("ix_survey_answers_survey_question", "survey_id", "question_id"),
    )

    respondent_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(Integer)
    scale: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyAnswerChoice(Model):
    """One option a respondent chose (one row for a one-choice question)."""

    __tablename__ = "survey_answer_choices"
    __table_args__ = (
        ForeignKeyConstraint(["respondent_id", "question_id"],
                             ["survey_answers.respondent_id", "survey_answers.question_id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["question_id", "choice_id"],
                             ["survey_choices.question_id", "survey_choices.id"],
                             ondelete="CASCADE"),
        Index("ix_survey_answer_choices_choice", "choice_id"),
    )

    respondent_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    choice_id: Mapped[int] = mapped_column(Integer, primary_key=True)
