"""Rallies: the service (all-or-nothing, prizes a draw uses) and the forms."""

from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from app.clock import BERLIN
from app.extensions import db
from app.models import AuditEvent, Draw, DrawPrize, Prize, Rally
from app.services.editing import InvalidInput
from app.services.rallies import RallyInput, save_rally

from ..helpers import FIRST_DAY, csrf_token, make_rally
from .conftest import count

both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)


def rally_input(**overrides: object) -> RallyInput:
    """A valid rally as the service takes it."""
    values: dict[str, object] = {
        "name": "Blumenmarkt 2027",
        "slug": "blumenmarkt-2027",
        "starts_at": datetime(2027, 4, 1, 9, 0, tzinfo=BERLIN),
        "ends_at": datetime(2027, 4, 30, 18, 0, tzinfo=BERLIN),
        "entry_closes_at": datetime(2027, 4, 30, 18, 0, tzinfo=BERLIN),
        "stamp_goal": 5,
        "stamps_per_lot": None,
        "repeat_winners": False,
        "status": "draft",
        "rules_text": "1. Veranstalter",
        "prizes": ["Fahrrad", "Gutschein 50 €"],
    }
    values.update(overrides)
    return RallyInput(**values)  # type: ignore[arg-type]


def seal_draw_with(rally: Rally, prize: Prize) -> Draw:
    """A sealed draw that gives away ``prize``."""
    draw = Draw(rally_id=rally.id, kind="final", title="Hauptziehung", pool_text="",
                pool_hash="0" * 64, pool_size=0, seed_hex="1" * 64, commitment="2" * 64,
                sealed_at=FIRST_DAY)
    db.session.add(draw)
    db.session.flush()
    db.session.add(DrawPrize(draw_id=draw.id, prize_id=prize.id, rank=1))
    db.session.commit()
    return draw


def prize_names(rally_id: int) -> list[str]:
    """The rally's prizes in order, from the database."""
    return list(db.session.scalars(
        select(Prize.name).where(Prize.rally_id == rally_id).order_by(Prize.position)))


@both_databases
def test_save_rally_creates_it_with_prizes_and_an_audit_event(app) -> None:
    rally = save_rally(rally_id=None, values=rally_input(), now=FIRST_DAY, actor_id=None)
    assert rally.starts_at == datetime(2027, 4, 1, 7, 0, tzinfo=UTC)
    assert prize_names(rally.id) == ["Fahrrad", "Gutschein 50 €"]
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.subject) == ("rally.create", "blumenmarkt-2027")


@both_databases
@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"ends_at": datetime(2027, 4, 1, 9, 0, tzinfo=BERLIN)}, "ends_at", "not_after_start"),
        ({"entry_closes_at": datetime(2027, 3, 1, tzinfo=BERLIN)}, "entry_closes_at",
         "not_after_start"),
        ({"entry_closes_at": datetime(2027, 5, 2, tzinfo=BERLIN)}, "entry_closes_at",
         "after_end"),
        ({"stamp_goal": 0}, "stamp_goal", "too_small"),
        ({"stamps_per_lot": 0}, "stamps_per_lot", "too_small"),
        ({"slug": "Blumen Markt"}, "slug", "bad_format"),
        ({"slug": "-blumen"}, "slug", "bad_format"),
        ({"slug": "taken"}, "slug", "taken"),
        ({"name": ""}, "name", "missing"),
        ({"status": "secret"}, "status", "unknown"),
        ({"prizes": ["x" * 201]}, "prizes", "too_long"),
    ],
)
def test_invalid_rallies_are_refused_whole(app, overrides, field, code) -> None:
    make_rally(slug="taken")
    db.session.commit()
    with pytest.raises(InvalidInput) as excinfo:
        save_rally(rally_id=None, values=rally_input(**overrides), now=FIRST_DAY)
    assert (field, code) in [(p.field, p.code) for p in excinfo.value.problems]
    assert count(Rally) == 1 and count(Prize) == 0 and count(AuditEvent) == 0


@both_databases
def test_prizes_map_to_rows_by_position(app) -> None:
    rally = save_rally(rally_id=None, values=rally_input(prizes=["A", "B", "C"]),
                             now=FIRST_DAY)
    ids = list(db.session.scalars(select(Prize.id).where(Prize.rally_id == rally.id)
                                  .order_by(Prize.position)))
    save_rally(rally_id=rally.id, values=rally_input(prizes=["A", "B2"]), now=FIRST_DAY)
    assert prize_names(rally.id) == ["A", "B2"]
    kept = list(db.session.scalars(select(Prize.id).where(Prize.rally_id == rally.id)
                                   .order_by(Prize.position)))
    assert kept == ids[:2]
    save_rally(rally_id=rally.id, values=rally_input(prizes=["A", "B2", "D", "E"]),
                     now=FIRST_DAY)
    assert prize_names(rally.id) == ["A", "B2", "D", "E"]


@both_databases
@pytest.mark.parametrize(
    ("prizes", "code"),
    [
        (["Fahrrad"], "prize_removed"),  # the drawn prize 2 removed
        (["Gutschein 50 €", "Fahrrad"], "prize_moved"),  # swapped
        (["Fahrrad", "Gutschein 100 €"], "prize_removed"),  # renamed
        (["Neu", "Fahrrad", "Gutschein 50 €"], "prize_moved"),  # pushed down
    ],
)
def test_a_prize_a_draw_uses_keeps_its_place(app, prizes, code) -> None:
    rally = save_rally(rally_id=None, values=rally_input(), now=FIRST_DAY)
    seal_draw_with(rally, rally.prizes[1])
    with pytest.raises(InvalidInput) as excinfo:
        save_rally(rally_id=rally.id, values=rally_input(prizes=prizes, name="Neu"),
                         now=FIRST_DAY)
    assert [(p.field, p.code) for p in excinfo.value.problems] == [("prizes", code)]
    db.session.expire_all()
    assert prize_names(rally.id) == ["Fahrrad", "Gutschein 50 €"]
    assert db.session.get(Rally, rally.id).name == "Blumenmarkt 2027"


@both_databases
def test_prizes_around_a_drawn_one_can_change(app) -> None:
    rally = save_rally(rally_id=None, values=rally_input(), now=FIRST_DAY)
    seal_draw_with(rally, rally.prizes[0])
    save_rally(rally_id=rally.id,
                     values=rally_input(prizes=["Fahrrad", "Gutschein 20 €", "Kinokarten"]),
                     now=FIRST_DAY)
    assert prize_names(rally.id) == ["Fahrrad", "Gutschein 20 €", "Kinokarten"]


# --- The forms ---------------------------------------------------------------------------


def form_data(html: str, **overrides: str) -> dict[str, str]:
    """A valid rally form submission."""
    data = {
        "csrf_token": csrf_token(html),
        "name": "Blumenmarkt 2027",
        "slug": "",
        "starts_at": "2027-04-01T09:00",
        "ends_at": "2027-04-30T18:00",
        "entry_closes_at": "2027-04-30T18:00",
        "stamp_goal": "5",
        "stamps_per_lot": "",
        "status": "draft",
        "rules_text": "1. Veranstalter\r\n\r\n2. Teilnahme",
        "prizes": "Fahrrad\r\n\r\n  Gutschein 50 €  \r\n",
    }
    data.update(overrides)
    return data


def test_create_a_rally_through_the_form(staff_client: FlaskClient) -> None:
    page = staff_client.get("/buero/rallyes/neu")
    response = staff_client.post("/buero/rallyes/neu",
                                 data=form_data(page.text, repeat_winners="y",
                                                stamps_per_lot="3"))
    assert response.status_code == 303
    rally = db.session.scalars(select(Rally)).one()
    assert rally.slug == "blumenmarkt-2027"  # made from the name
    assert rally.starts_at == datetime(2027, 4, 1, 7, 0, tzinfo=UTC)  # summer time
    assert (rally.stamp_goal, rally.stamps_per_lot, rally.repeat_winners) == (5, 3, True)
    assert rally.rules_text == "1. Veranstalter\n\n2. Teilnahme"
    assert prize_names(rally.id) == ["Fahrrad", "Gutschein 50 €"]
    listing = staff_client.get("/buero/rallyes")
    assert "„Blumenmarkt 2027“ ist gespeichert." in listing.text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Bitte geben Sie einen Namen ein."),
        ({"ends_at": "2027-03-01T09:00"}, "Das Ende muss nach dem Beginn liegen."),
        ({"entry_closes_at": "2027-05-01T09:00"},
         "Der Teilnahmeschluss darf nicht nach dem Ende der Rallye liegen."),
        ({"entry_closes_at": "2027-03-01T09:00"},
         "Der Teilnahmeschluss muss nach dem Beginn liegen."),
        ({"stamp_goal": "0"}, "Bitte eine Zahl von 1 bis 1000."),
        ({"stamp_goal": "zehn"}, "Bitte geben Sie eine ganze Zahl ein"),
        ({"stamp_goal": ""}, "Bitte geben Sie an, wie viele Stempel nötig sind."),
        ({"starts_at": "morgen"}, "Bitte geben Sie Datum und Uhrzeit ein"),
        ({"starts_at": ""}, "Bitte geben Sie Datum und Uhrzeit des Beginns ein."),
        ({"starts_at": "0001-01-01T00:30"}, "Bitte ein Datum zwischen 2000 und 2100."),
        ({"ends_at": "9999-12-31T23:59"}, "Bitte ein Datum zwischen 2000 und 2100."),
        ({"slug": "Blumen Markt!"}, "Das Kürzel darf nur Kleinbuchstaben"),
        ({"slug": "advent"}, "Das Kürzel „advent“ hat schon eine andere Rallye."),
        ({"status": "geheim"}, "Keine gültige Auswahl"),
        ({"status": ""}, "Bitte wählen Sie einen Status."),
    ],
)
def test_invalid_rally_forms_answer_400_and_write_nothing(
    staff_client: FlaskClient, overrides: dict[str, str], message: str
) -> None:
    make_rally(slug="advent")
    db.session.commit()
    page = staff_client.get("/buero/rallyes/neu")
    response = staff_client.post("/buero/rallyes/neu", data=form_data(page.text, **overrides))
    assert response.status_code == 400
    assert message in response.text
    assert "Bitte prüfen Sie Ihre Angaben" in response.text
    assert count(Rally) == 1 and count(AuditEvent) == 1  # only create_user's event


def test_a_post_without_csrf_token_is_refused(staff_client: FlaskClient) -> None:
    page = staff_client.get("/buero/rallyes/neu")
    data = form_data(page.text)
    del data["csrf_token"]
    assert staff_client.post("/buero/rallyes/neu", data=data).status_code == 400
    assert count(Rally) == 0


def test_edit_shows_local_times_and_saves(staff_client: FlaskClient) -> None:
    rally = make_rally(slug="advent", name="Advent")
    db.session.commit()
    page = staff_client.get(f"/buero/rallyes/{rally.id}")
    assert 'value="2026-12-01T00:00"' in page.text  # local midnight, stored 23:00 UTC
    assert 'value="2026-12-24T18:00"' in page.text
    response = staff_client.post(
        f"/buero/rallyes/{rally.id}",
        data=form_data(page.text, name="Advent 2026", slug="advent", status="published",
                       starts_at="2026-12-01T00:00", ends_at="2026-12-24T18:00",
                       entry_closes_at="2026-12-24T12:00", prizes="Korb"),
    )
    assert response.status_code == 303
    db.session.expire_all()
    saved = db.session.get(Rally, rally.id)
    assert saved.name == "Advent 2026"
    assert saved.entry_closes_at == datetime(2026, 12, 24, 11, 0, tzinfo=UTC)
    assert prize_names(rally.id) == ["Korb"]


def test_edit_refuses_removing_a_drawn_prize(staff_client: FlaskClient) -> None:
    rally = save_rally(rally_id=None, values=rally_input(), now=FIRST_DAY)
    seal_draw_with(rally, rally.prizes[0])
    page = staff_client.get(f"/buero/rallyes/{rally.id}")
    response = staff_client.post(f"/buero/rallyes/{rally.id}",
                                 data=form_data(page.text, slug=rally.slug,
                                                prizes="Gutschein 50 €"))
    assert response.status_code == 400
    assert "„Fahrrad“ wird schon in einer Ziehung vergeben" in response.text
    assert prize_names(rally.id) == ["Fahrrad", "Gutschein 50 €"]


def test_form_errors_and_date_order_are_shown_together(staff_client: FlaskClient) -> None:
    page = staff_client.get("/buero/rallyes/neu")
    response = staff_client.post("/buero/rallyes/neu",
                                 data=form_data(page.text, stamp_goal="0",
                                                ends_at="2027-03-01T09:00"))
    assert response.status_code == 400
    assert "Bitte eine Zahl von 1 bis 1000." in response.text
    assert "Das Ende muss nach dem Beginn liegen." in response.text
    assert count(Rally) == 0
