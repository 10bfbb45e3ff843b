"""A rally's draw terms (draw date, notice, claim deadline, donors) and the rules preview."""

from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from app.clock import BERLIN
from app.extensions import db
from app.models import DEFAULT_WINNERS_NOTICE, AuditEvent, Prize, Rally
from app.services import rally_terms
from app.services.editing import InvalidInput
from app.services.rallies import save_rally

from ..helpers import FIRST_DAY, csrf_token, make_rally, make_shop
from .conftest import count
from .test_rallies import form_data, rally_input

both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)


def terms(**overrides: object) -> rally_terms.RallyTerms:
    """Draw terms for the Blumenmarkt of ``test_rallies.rally_input`` (closes 30 April)."""
    values: dict[str, object] = {"retention_months": 3}
    values.update(overrides)
    return rally_terms.RallyTerms(**values)  # type: ignore[arg-type]


def prizes_of(rally_id: int) -> list[tuple[str, str | None, str]]:
    """(name, donor's slug, description) of the rally's prizes, from the database."""
    db.session.expire_all()
    prizes = db.session.scalars(
        select(Prize).where(Prize.rally_id == rally_id).order_by(Prize.position)
    )
    return [(p.name, p.donor.slug if p.donor else None, p.description) for p in prizes]


# --- Defaults ------------------------------------------------------------------------


def test_a_rally_without_terms_gets_the_usual_ones(app) -> None:
    rally = make_rally()  # entries close 24 December, 18:00
    db.session.commit()
    db.session.expire_all()
    rally = db.session.get(Rally, rally.id)
    assert rally.draw_at == datetime(2026, 12, 27, 12, 0, tzinfo=BERLIN)
    assert rally.claim_until == datetime(2027, 1, 24, 12, 0, tzinfo=BERLIN)
    assert rally.winners_notice == DEFAULT_WINNERS_NOTICE


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 12, 24, 18, 0, tzinfo=BERLIN), 3, datetime(2027, 3, 24, 18, 0)),
        (datetime(2027, 1, 31, 20, 0, tzinfo=BERLIN), 1, datetime(2027, 2, 28, 20, 0)),
        (datetime(2027, 11, 30, 9, 0, tzinfo=BERLIN), 3, datetime(2028, 2, 29, 9, 0)),
        # 31 January 23:30 UTC is already 1 February in Herten.
        (datetime(2027, 1, 31, 23, 30, tzinfo=UTC), 1, datetime(2027, 3, 1, 0, 30)),
    ],
)
def test_months_after_counts_calendar_months_in_local_time(moment, months, expected) -> None:
    assert rally_terms.months_after(moment, months) == expected.replace(tzinfo=BERLIN)


# --- The service ---------------------------------------------------------------------


@both_databases
def test_save_rally_keeps_the_given_terms_and_donors(app) -> None:
    make_shop(name="Café Kornblume", slug="cafe-kornblume")
    make_shop(name="Buchhandlung Lesezeichen", slug="buchhandlung-lesezeichen")
    db.session.commit()
    lines = rally_terms.parse_prize_lines(
        "Fahrrad\nFrühstück | café KORNBLUME | für zwei\nBuch | buchhandlung-lesezeichen\n"
        "Korb | | im Wert von 40 €"
    )
    values = rally_input(prizes=[line.name for line in lines], terms=terms(
        draw_at=datetime(2027, 5, 3, 17, 0, tzinfo=BERLIN),
        claim_until=datetime(2027, 6, 15, 18, 0, tzinfo=BERLIN),
        winners_notice="Wir rufen an.",
        prizes=tuple(lines),
    ))
    rally = save_rally(rally_id=None, values=values, now=FIRST_DAY)
    db.session.expire_all()
    saved = db.session.get(Rally, rally.id)
    assert saved.draw_at == datetime(2027, 5, 3, 15, 0, tzinfo=UTC)
    assert saved.claim_until == datetime(2027, 6, 15, 16, 0, tzinfo=UTC)
    assert saved.winners_notice == "Wir rufen an."
    assert prizes_of(rally.id) == [
        ("Fahrrad", None, ""),
        ("Frühstück", "cafe-kornblume", "für zwei"),
        ("Buch", "buchhandlung-lesezeichen", ""),
        ("Korb", None, "im Wert von 40 €"),
    ]
    # Saving again without the donor takes it away; without details leaves them.
    lines = rally_terms.parse_prize_lines("Fahrrad\nFrühstück\nBuch | buchhandlung-lesezeichen")
    save_rally(rally_id=rally.id, values=rally_input(
        prizes=[line.name for line in lines], terms=terms(prizes=tuple(lines))), now=FIRST_DAY)
    assert prizes_of(rally.id) == [("Fahrrad", None, ""), ("Frühstück", None, ""),
                                   ("Buch", "buchhandlung-lesezeichen", "")]
    save_rally(rally_id=rally.id, values=rally_input(prizes=["Fahrrad", "Frühstück",
                                                                   "Buch"]), now=FIRST_DAY)
    assert prizes_of(rally.id)[2] == ("Buch", "buchhandlung-lesezeichen", "")


def test_empty_terms_mean_the_usual_ones(app) -> None:
    rally = save_rally(rally_id=None, values=rally_input(terms=terms()), now=FIRST_DAY)
    # Entries close 30 April 18:00 → draw 3 May 12:00, claim until 31 May 12:00.
    assert rally.draw_at == datetime(2027, 5, 3, 12, 0, tzinfo=BERLIN)
    assert rally.claim_until == datetime(2027, 5, 31, 12, 0, tzinfo=BERLIN)
    assert rally.winners_notice == DEFAULT_WINNERS_NOTICE


@both_databases
@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"draw_at": datetime(2027, 4, 30, 17, 59, tzinfo=BERLIN)}, "draw_at",
         "before_entry_close"),
        ({"draw_at": datetime(2027, 5, 3, 12, 0, tzinfo=BERLIN),
          "claim_until": datetime(2027, 5, 3, 12, 0, tzinfo=BERLIN)}, "claim_until",
         "not_after_draw"),
        ({"claim_until": datetime(2027, 7, 31, 12, 0, tzinfo=BERLIN)}, "claim_until",
         "after_deletion"),
        ({"winners_notice": "x" * 1001}, "winners_notice", "too_long"),
        ({"prizes": (rally_terms.PrizeLine("Fahrrad", donor="Gibt es nicht"),)}, "prizes",
         "unknown_donor"),
        ({"prizes": (rally_terms.PrizeLine("Fahrrad", donor="Zwilling"),)}, "prizes",
         "ambiguous_donor"),
        ({"prizes": rally_terms.parse_prize_lines("Fahrrad | a | b | c")}, "prizes",
         "too_many_parts"),
        ({"prizes": rally_terms.parse_prize_lines("| Zwilling")}, "prizes", "missing_name"),
        ({"prizes": (rally_terms.PrizeLine("Fahrrad", description="x" * 201),)}, "prizes",
         "description_too_long"),
    ],
)
def test_bad_terms_are_refused_whole(app, overrides, field, code) -> None:
    make_shop(name="Zwilling", slug="zwilling-1")
    make_shop(name="Zwilling", slug="zwilling-2")
    db.session.commit()
    if isinstance(overrides.get("prizes"), list):
        overrides["prizes"] = tuple(overrides["prizes"])
    with pytest.raises(InvalidInput) as excinfo:
        save_rally(rally_id=None, values=rally_input(terms=terms(**overrides)),
                         now=FIRST_DAY)
    assert (field, code) in [(p.field, p.code) for p in excinfo.value.problems]
    assert count(Rally) == 0 and count(Prize) == 0 and count(AuditEvent) == 0


def test_a_draw_at_the_moment_entries_close_is_fine(app) -> None:
    closes = datetime(2027, 4, 30, 18, 0, tzinfo=BERLIN)
    rally = save_rally(rally_id=None, values=rally_input(terms=terms(draw_at=closes)),
                             now=FIRST_DAY)
    assert rally.draw_at == closes


# --- The form ------------------------------------------------------------------------


def test_the_form_saves_terms_and_shows_them_again(staff_client: FlaskClient) -> None:
    make_shop(name="Café Kornblume", slug="cafe-kornblume")
    db.session.commit()
    page = staff_client.get("/buero/rallyes/neu")
    response = staff_client.post("/buero/rallyes/neu", data=form_data(
        page.text, draw_at="2027-05-02T11:00", claim_until="2027-06-01T18:00",
        winners_notice="Wir schreiben eine E-Mail.\r\nOder rufen an.",
        prizes="Fahrrad | | Wert 300 €\r\nFrühstück | Café Kornblume | für zwei",
    ))
    assert response.status_code == 303
    rally = db.session.scalars(select(Rally)).one()
    assert rally.draw_at == datetime(2027, 5, 2, 9, 0, tzinfo=UTC)
    assert rally.winners_notice == "Wir schreiben eine E-Mail.\nOder rufen an."
    assert prizes_of(rally.id) == [("Fahrrad", None, "Wert 300 €"),
                                   ("Frühstück", "cafe-kornblume", "für zwei")]
    edit = staff_client.get(f"/buero/rallyes/{rally.id}")
    assert 'value="2027-05-02T11:00"' in edit.text
    assert 'value="2027-06-01T18:00"' in edit.text
    assert "Fahrrad | | Wert 300 €\nFrühstück | Café Kornblume | für zwei" in edit.text


def test_empty_term_fields_take_the_usual_terms(staff_client: FlaskClient) -> None:
    page = staff_client.get("/buero/rallyes/neu")
    response = staff_client.post("/buero/rallyes/neu", data=form_data(
        page.text, draw_at="", claim_until="", winners_notice=""))
    assert response.status_code == 303
    rally = db.session.scalars(select(Rally)).one()
    assert rally.draw_at == datetime(2027, 5, 3, 12, 0, tzinfo=BERLIN)
    assert rally.winners_notice == DEFAULT_WINNERS_NOTICE


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"draw_at": "2027-04-30T17:00"},
         "Die Ziehung darf nicht vor dem Teilnahmeschluss liegen."),
        ({"draw_at": "2027-05-03T12:00", "claim_until": "2027-05-03T11:00"},
         "Die Frist zum Abholen der Gewinne muss nach der Ziehung enden."),
        ({"claim_until": "2027-09-01T12:00"},
         "Die Frist zum Abholen muss vor dem Löschen der Teilnahmedaten enden, also "
         "spätestens 3 Monate nach dem Ende der Rallye."),
        ({"draw_at": "nächste Woche"}, "Bitte geben Sie Datum und Uhrzeit ein"),
        ({"claim_until": "3000-01-01T00:00"}, "Bitte ein Datum zwischen 2000 und 2100."),
        ({"winners_notice": "x" * 1001}, "Höchstens 1000 Zeichen."),
        ({"prizes": "Fahrrad | Gibt es nicht"},
         "Zeile 1: Ein Geschäft „Gibt es nicht“ gibt es nicht."),
        ({"prizes": "Fahrrad\r\nKorb | a | b | c"}, "Zeile 2 hat zu viele „|“"),
        ({"prizes": " | Café"}, "In Zeile 1 fehlt vor dem „|“ der Name des Preises."),
        ({"prizes": "Korb | | " + "x" * 201},
         "Die Beschreibung in Zeile 1 ist zu lang (höchstens 200 Zeichen)."),
        # A date problem is shown together with another field's error.
        ({"draw_at": "2027-04-01T12:00", "stamp_goal": "0"},
         "Die Ziehung darf nicht vor dem Teilnahmeschluss liegen."),
    ],
)
def test_bad_terms_in_the_form_answer_400_in_german_and_write_nothing(
    staff_client: FlaskClient, overrides: dict[str, str], message: str
) -> None:
    page = staff_client.get("/buero/rallyes/neu")
    response = staff_client.post("/buero/rallyes/neu", data=form_data(page.text, **overrides))
    assert response.status_code == 400
    assert message in response.text
    assert "Bitte prüfen Sie Ihre Angaben" in response.text
    assert count(Rally) == 0 and count(Prize) == 0 and count(AuditEvent) == 1  # create_user's


# --- The preview ---------------------------------------------------------------------


HOSTILE_RULES = (
    "# Teilnahme\r\n\r\n## 1. Veranstalter\r\n\r\nDie Stadt. <script>alert(1)</script>\r\n\r\n"
    "[böse](javascript:alert(1)) [Ziehungen](/ziehungen)"
)


def test_preview_renders_the_rules_and_saves_nothing(staff_client: FlaskClient) -> None:
    page = staff_client.get("/buero/rallyes/neu")
    response = staff_client.post("/buero/rallyes/neu", data=form_data(
        page.text, aktion="vorschau", rules_text=HOSTILE_RULES, stamp_goal="0"))
    assert response.status_code == 200
    assert 'id="vorschau"' in response.text
    assert "<h2>Teilnahme</h2>" in response.text and "<h2>1. Veranstalter</h2>" in response.text
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert 'href="javascript:' not in response.text
    assert '<a href="/ziehungen" rel="noopener noreferrer">Ziehungen</a>' in response.text
    # The form comes back as typed, without error messages (nothing was checked).
    assert "Blumenmarkt 2027" in response.text and "Bitte prüfen Sie" not in response.text
    assert count(Rally) == 0 and count(AuditEvent) == 1  # create_user's


def test_preview_of_an_existing_rally_changes_nothing(staff_client: FlaskClient) -> None:
    rally = make_rally(slug="advent", name="Advent", rules_text="Alt")
    db.session.commit()
    page = staff_client.get(f"/buero/rallyes/{rally.id}")
    response = staff_client.post(f"/buero/rallyes/{rally.id}", data=form_data(
        page.text, aktion="vorschau", name="Neu", rules_text="## Neu"))
    assert response.status_code == 200
    assert "<h2>Neu</h2>" in response.text
    db.session.expire_all()
    saved = db.session.get(Rally, rally.id)
    assert (saved.name, saved.rules_text) == ("Advent", "Alt")
    assert count(AuditEvent) == 1


def test_preview_needs_the_csrf_token(staff_client: FlaskClient) -> None:
    page = staff_client.get("/buero/rallyes/neu")
    data = form_data(page.text, aktion="vorschau", rules_text="## Geheim")
    del data["csrf_token"]
    response = staff_client.post("/buero/rallyes/neu", data=data)
    assert response.status_code == 400
    assert "<h2>Geheim</h2>" not in response.text
    assert count(Rally) == 0


def test_the_form_has_a_preview_button_that_jumps_to_the_preview(
    staff_client: FlaskClient,
) -> None:
    page = staff_client.get("/buero/rallyes/neu")
    assert 'name="aktion" value="vorschau" formaction="/buero/rallyes/neu#vorschau"' in page.text
    assert 'id="vorschau"' not in page.text
    assert csrf_token(page.text)
