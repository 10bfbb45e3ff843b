"""The legal pages name what the law asks for, from the configuration and the rally's data."""

import re
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.config import OFFICE
from app.demo_data import RALLY_RULES
from app.extensions import db
from app.models import Prize

from .helpers import BERLIN, csrf_token, make_rally, make_shop, make_station

# Values no default holds, so that finding them proves the page reads the configuration.
TOWN = {
    **OFFICE,
    "name": "Citybüro Testhausen",
    "street": "Marktplatz 7",
    "postcode": "12345",
    "city": "Testhausen",
    "phone": "01234 56789",
    "phone_link": "+4912345678",
    "email": "city@testhausen.example",
    "operator": "Stadt Testhausen",
    "operator_legal_form": "Körperschaft des öffentlichen Rechts",
    "operator_street": "Rathausplatz 1",
    "operator_postcode": "12340",
    "operator_city": "Testhausen",
    "representative": "Bürgermeisterin Petra Probe",
    "vat_id": "DE999999999",
    "editor": "Rita Redaktion",
    "editor_street": "Marktplatz 9",
    "editor_postcode": "12345",
    "editor_city": "Testhausen",
    "dpo": "Datenschutzbeauftragter der Stadt Testhausen",
    "dpo_street": "Rathausplatz 2",
    "dpo_postcode": "12340",
    "dpo_city": "Testhausen",
    "dpo_email": "datenschutz@testhausen.example",
    "hosting": "",
}
DU = re.compile(r"\b(du|dich|dir|dein|deine|deinen|deinem|deiner|deines)\b", re.IGNORECASE)


@pytest.fixture
def town(app: Flask) -> Flask:
    """The app configured for another town, with other retention periods."""
    app.config.update(OFFICE=TOWN, LOG_RETENTION_DAYS=9, BACKUP_RETENTION_DAYS=21,
                      ACCESSIBILITY_STATEMENT_DATE="2026-10-05")
    return app


def main_text(client: FlaskClient, path: str) -> str:
    """The ``<main>`` of a page (200 expected), without header and footer."""
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    html = response.text
    return html[html.index("<main"):html.index("</main>")]


def plain(html: str) -> str:
    """The text of some HTML, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_imprint_names_operator_representative_contact_and_editor(town, client) -> None:
    html = main_text(client, "/impressum")
    text = plain(html)
    assert "§ 5 Digitale-Dienste-Gesetz" in text and "§ 18 Abs. 2 Medienstaatsvertrag" in text
    for value in ("Stadt Testhausen", "Rathausplatz 1", "12340 Testhausen",
                  "Körperschaft des öffentlichen Rechts", "Bürgermeisterin Petra Probe",
                  "Citybüro Testhausen", "Marktplatz 7", "DE999999999",
                  "Rita Redaktion", "Marktplatz 9"):
        assert value in text, value
    assert '<a href="tel:+4912345678">01234 56789</a>' in html
    assert '<a href="mailto:city@testhausen.example">city@testhausen.example</a>' in html
    assert not DU.search(text), DU.search(text)


def test_imprint_leaves_out_a_vat_id_it_does_not_have(app, client) -> None:
    assert OFFICE["vat_id"] == ""
    assert "Umsatzsteuer" not in main_text(client, "/impressum")


def test_privacy_names_every_processing_with_basis_retention_and_rights(town, client) -> None:
    html = main_text(client, "/datenschutz")
    text = plain(html)
    # Controller, representative, contact, data protection officer.
    for value in ("Stadt Testhausen", "Rathausplatz 1", "Bürgermeisterin Petra Probe",
                  "Datenschutzbeauftragter der Stadt Testhausen", "Rathausplatz 2"):
        assert value in text, value
    assert 'href="mailto:datenschutz@testhausen.example"' in html
    assert 'href="tel:+4912345678"' in html
    # Every processing, each with its own heading.
    for heading in ("Die Stempelkarte (Cookie „stempelkarte“)",
                    "Der Browser einer Anmeldung (Cookie „anmeldegeraet“)",
                    "Formulare und Anmeldung (Cookie „sitzung“)",
                    "Die Teilnahme an der Verlosung",
                    "Konten der Mitarbeitenden und Anmeldeversuche",
                    "Anmeldungen zu Veranstaltungen",
                    "Protokolle des Servers", "Datensicherungen"):
        assert re.search(rf"<h3 id=\"[a-z-]+\">{re.escape(heading)}</h3>", html), heading
    # Purposes, legal bases, retention (from the settings), recipients.
    # + Leerstandsbörse, Sprache
    assert text.count("Zweck") >= 4 and text.count("Rechtsgrundlage") == 13
    assert "Art. 6 Abs. 1 lit. b DSGVO" in text and "Art. 6 Abs. 1 lit. e DSGVO" in text
    assert "§ 25 Abs. 2 Nr. 2 TDDDG" in text
    assert "nach 120 Tagen ab" in text  # CARD_COOKIE_MAX_AGE
    assert "nach 30 Minuten ohne Aktivität" in text  # STAFF_IDLE_MINUTES
    assert "spätestens nach 12 Stunden" in text  # STAFF_SESSION_HOURS
    assert "180 Tage, bei jeder Anmeldung neu" in text  # DEVICE_COOKIE_MAX_AGE
    assert "15 Minuten lang" in text  # LOGIN_FAILURE_WINDOW_MINUTES
    assert "9 Tage, dann werden die Meldungen gelöscht" in text
    assert "21 Tage; gelöschte Daten" in text
    assert "Empfänger" in text and "Wir geben keine Daten an andere weiter" in text
    # Rights and the supervisory authority with its address.
    for article in ("Art. 15", "Art. 16", "Art. 17", "Art. 18", "Art. 20", "Art. 21",
                    "Art. 77"):
        assert article in text, article
    assert ("Landesbeauftragte für Datenschutz und Informationsfreiheit Nordrhein-Westfalen"
            in text)
    assert "Kavalleriestraße 2–4" in text and "40213 Düsseldorf" in text
    assert 'href="mailto:poststelle@ldi.nrw.de"' in html
    assert not DU.search(text), DU.search(text)


def test_privacy_names_a_processor_when_one_hosts_the_servers(town, client) -> None:
    town.config["OFFICE"] = {**TOWN, "hosting": "Rechenzentrum Beispiel GmbH"}
    text = plain(main_text(client, "/datenschutz"))
    assert "Rechenzentrum Beispiel GmbH als Auftragsverarbeiter nach Art. 28 DSGVO" in text


def test_accessibility_statement_follows_the_eu_model(town, client) -> None:
    html = main_text(client, "/barrierefreiheit")
    text = plain(html)
    for heading in ("Stand der Vereinbarkeit mit den Anforderungen", "Nicht barrierefreie Inhalte",
                    "Erstellung dieser Erklärung", "Feedback und Kontakt",
                    "Durchsetzungsverfahren"):
        assert f">{heading}</h2>" in html, heading
    assert "teilweise mit der BITV NRW vereinbar" in text
    assert "Richtlinie (EU) 2016/2102" in text
    for gap in ("PDF", "Leichter Sprache", "Deutscher Gebärdensprache"):
        assert gap in text, gap
    assert "am 5.10.2026 erstellt" in text
    assert "Selbstbewertung" in text and "axe-core" in text
    assert '<a href="mailto:city@testhausen.example">' in html  # electronic feedback
    assert ("Ombudsstelle für barrierefreie Informationstechnik des Landes Nordrhein-Westfalen"
            in text)
    assert 'href="mailto:ombudsstelle-barrierefreie-it@mags.nrw.de"' in html
    assert "§ 10d BGG NRW" in text
    assert not DU.search(text), DU.search(text)


@pytest.fixture
def rally(app: Flask, freeze):
    """A rally with the demo's rules, three prizes (two with donors) and a station."""
    rally = make_rally(
        rules_text=RALLY_RULES,
        draw_at=datetime(2026, 12, 28, 15, 0, tzinfo=BERLIN),
        claim_until=datetime(2027, 1, 31, 18, 0, tzinfo=BERLIN),
        winners_notice="Wir melden uns per Brieftaube.",
    )
    cafe = make_shop(name="Café Kornblume")
    books = make_shop(name="Buchhandlung Lesezeichen")
    for position, (name, donor, description) in enumerate(
        [("Fahrrad", None, "im Wert von 500 €"), ("Frühstück für zwei", cafe, ""),
         ("Buchgutschein", books, "über 30 €")], start=1):
        db.session.add(Prize(rally_id=rally.id, position=position, name=name,
                             donor_shop_id=donor.id if donor else None,
                             description=description))
    make_station(rally)
    db.session.commit()
    return rally


def test_rules_show_organiser_dates_prizes_draw_and_retention(town, client, rally) -> None:
    html = main_text(client, "/teilnahmebedingungen")
    text = plain(html)
    # Organiser from the configuration.
    assert "Stadt Testhausen, Citybüro Testhausen, Marktplatz 7, 12345 Testhausen" in text
    assert '<a href="tel:+4912345678">' in html
    # Period, entry deadline, draw, notice, claim deadline from the rally.
    assert ("Dienstag, 1. Dezember 2026, 00:00 Uhr bis Donnerstag, 24. Dezember 2026, "
            "18:00 Uhr") in text
    assert "ab 3 Stempeln, bis zum Teilnahmeschluss am Donnerstag, 24. Dezember 2026" in text
    assert "Montag, 28. Dezember 2026, 15:00 Uhr, öffentlich nachprüfbar" in text
    assert '<a href="/ziehungen">Ziehungen</a>' in html
    assert "Wir melden uns per Brieftaube." in text
    assert "bis Sonntag, 31. Januar 2027, 18:00 Uhr. Danach verfällt ein Gewinn" in text
    # Retention: the setting, and the date it means for this rally (24 Dec + 3 months).
    assert "spätestens 3 Monate nach dem Ende der Rallye" in text
    assert "spätestens am Mittwoch, 24. März 2027" in text
    # Prizes from the database, in order, with donors.
    prizes = re.search(r'<ol class="prize-list">(.*?)</ol>', html, re.DOTALL)
    assert prizes is not None
    items = [plain(item).strip() for item in re.findall(r"<li>(.*?)</li>", prizes.group(1),
                                                         re.DOTALL)]
    assert items == ["Fahrrad , im Wert von 500 €",
                     "Frühstück für zwei gestiftet von Café Kornblume",
                     "Buchgutschein , über 30 € gestiftet von Buchhandlung Lesezeichen"]
    # The office's Markdown: headings are headings, eligibility and exclusions are there.
    assert "<h2>2. Wer mitmachen darf</h2>" in html
    assert "mindestens 16 Jahre alt" in text
    assert "Beschäftigte der teilnehmenden Geschäfte" in text
    assert '<a href="/ziehungen" rel="noopener noreferrer">Ziehungen</a>' in html


def test_rules_without_prizes_say_they_follow(app, client, freeze) -> None:
    make_rally()
    db.session.commit()
    assert "Die Preise geben wir bald hier bekannt." in main_text(client, "/teilnahmebedingungen")


def retention_sentences(html: str) -> list[str]:
    """Every retention sentence on a page."""
    return [plain(found) for found in re.findall(r'<span class="retention">(.*?)</span>', html,
                                                 re.DOTALL)]


def entry_page(client: FlaskClient, rally) -> str:
    """The entry form's page, for a browser with one stamp on its card."""
    station = rally.stations[0]
    page = client.get(f"/s/{station.token}")
    client.post(f"/s/{station.token}", data={"csrf_token": csrf_token(page.text)})
    return main_text(client, "/karte/teilnahme")


@pytest.mark.parametrize("months", [3, 6])
def test_rules_privacy_and_entry_form_state_one_retention_period(
    app, client, rally, months: int
) -> None:
    app.config["ENTRY_RETENTION_MONTHS"] = months
    pages = {
        "rules": main_text(client, "/teilnahmebedingungen"),
        "privacy": main_text(client, "/datenschutz"),
        "entry": entry_page(client, rally),
    }
    sentences = {name: retention_sentences(html) for name, html in pages.items()}
    assert all(len(found) == 1 for found in sentences.values()), sentences
    assert len({found[0] for found in sentences.values()}) == 1, sentences
    assert f"spätestens {months} Monate nach dem Ende der Rallye" in sentences["rules"][0]
    # The privacy notice's line on cards says the same number, and nothing else tied to
    # the rally's end another (the surveys' answers count from a survey's end).
    for html in pages.values():
        periods = set(re.findall(r"(\w+) Monate? nach (?:dem )?Ende der Rallye", plain(html)))
        assert periods == {str(months)}, periods


def test_an_instance_with_an_older_office_setting_still_shows_every_page(tmp_path) -> None:
    """instance/config.py may hold an OFFICE of the old shape: the new keys come from the
    defaults, and no legal page fails."""
    from app import create_app
    from tests.conftest import base_config

    config = base_config(tmp_path, f"sqlite:///{tmp_path}/old.sqlite3")
    config["OFFICE"] = {"name": "Altes Büro", "street": "Alte Straße 1", "postcode": "11111",
                        "city": "Altstadt", "phone": "0123", "phone_link": "+49123",
                        "email": "alt@example.org", "hours": "Mo"}
    application = create_app(config)
    with application.app_context():
        db.create_all()
        client = application.test_client()
        for path in ("/impressum", "/datenschutz", "/barrierefreiheit"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert "Altes Büro" in response.text
        assert application.config["OFFICE"]["operator"] == OFFICE["operator"]
        db.session.remove()
        db.engine.dispose()
