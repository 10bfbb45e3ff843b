"""The command line, through ``app.test_cli_runner()``."""

from pathlib import Path

from flask import Flask
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from app import clock
from app.extensions import db
from app.models import AuditEvent, Rally, Service, Shop, Station, User
from app.services.accounts import accept_invitation

from .helpers import make_shop


def counts() -> dict[str, int]:
    """Rows per demo table."""
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Rally, Shop, Station, Service, User)
    }


def test_demo_loads_once_and_keeps_everything(app: Flask, runner, tmp_path: Path) -> None:
    app.instance_path = str(tmp_path)
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert counts() == {"Rally": 1, "Shop": 40, "Station": 40, "Service": 6, "User": 1}
    tokens = set(db.session.scalars(select(Station.token)))
    assert "/s/" in first.output and "Team-Login" in first.output

    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert counts() == {"Rally": 1, "Shop": 40, "Station": 40, "Service": 6, "User": 1}
    assert set(db.session.scalars(select(Station.token))) == tokens
    # Same login printed both times, and it works.
    login = [line for line in first.output.splitlines() if "Team-Login" in line][0]
    assert login in second.output
    password = login.split(" / ")[1].strip()
    user = db.session.scalars(select(User)).one()
    assert check_password_hash(user.password_hash, password)
    assert user.role == "admin"


def test_demo_rally_runs_today_with_goal_ten(app: Flask, runner, tmp_path: Path) -> None:
    from app import clock

    app.instance_path = str(tmp_path)
    runner.invoke(args=["demo"])
    rally = db.session.scalars(select(Rally)).one()
    assert rally.is_open(clock.utcnow())
    assert rally.stamp_goal == 10
    shops = list(db.session.scalars(select(Shop)))
    assert len({shop.category for shop in shops}) >= 6
    assert all(shop.lat and shop.lon for shop in shops)


def test_user_create(app: Flask, runner) -> None:
    result = runner.invoke(
        args=["user", "create", "--email", "Anna@Example.org", "--role", "staff"],
        input="ein-langes-passwort\nein-langes-passwort\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User)).one()
    assert user.email == "anna@example.org"
    assert check_password_hash(user.password_hash, "ein-langes-passwort")
    assert db.session.scalars(select(AuditEvent.action)).one() == "user.create"


def test_user_create_refuses_bad_input(app: Flask, runner) -> None:
    short = runner.invoke(
        args=["user", "create", "--email", "a@example.org", "--password", "kurz"]
    )
    assert short.exit_code != 0 and "mindestens 12 Zeichen" in short.output
    shopkeeper = runner.invoke(
        args=["user", "create", "--email", "b@example.org", "--role", "shopkeeper",
              "--password", "ein-langes-passwort"]
    )
    assert shopkeeper.exit_code != 0 and "--shop" in shopkeeper.output
    make_shop(slug="buchladen")
    db.session.commit()
    ok = runner.invoke(
        args=["user", "create", "--email", "b@example.org", "--role", "shopkeeper",
              "--shop", "buchladen", "--password", "ein-langes-passwort"]
    )
    assert ok.exit_code == 0, ok.output
    twice = runner.invoke(
        args=["user", "create", "--email", "B@example.org", "--password", "ein-langes-passwort"]
    )
    assert twice.exit_code != 0 and "schon ein Konto" in twice.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_user_invite_prints_the_link_on_its_last_line(app: Flask, runner, freeze) -> None:
    make_shop(slug="buchladen", name="Buchladen am Markt")
    db.session.commit()
    result = runner.invoke(
        args=["user", "invite", "--shop", "buchladen", "--email", "Anna@Buchladen.example"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert "anna@buchladen.example (Buchladen am Markt)" in lines[0]
    assert "gültig bis 08.12.2026, 09:00 Uhr" in lines[0]
    prefix = "http://rallye.test/einladung/"
    assert lines[-1].startswith(prefix)
    token = lines[-1].removeprefix(prefix)
    account = accept_invitation(token=token, password="Kerze Fahrrad Mondschein",
                                now=clock.utcnow())
    assert (account.email, account.role) == ("anna@buchladen.example", "shopkeeper")
    assert "account.invite" in db.session.scalars(select(AuditEvent.action)).all()

    again = runner.invoke(
        args=["user", "invite", "--shop", "buchladen", "--email", "anna@buchladen.example"]
    )
    assert again.exit_code == 0 and again.output.startswith("Neues Passwort für")


def test_user_invite_refuses_unknown_shops_and_taken_addresses(app: Flask, runner) -> None:
    make_shop(slug="buchladen")
    db.session.commit()
    runner.invoke(args=["user", "create", "--email", "team@buero.example",
                        "--password", "ein-langes-passwort"])
    unknown = runner.invoke(args=["user", "invite", "--shop", "nix", "--email", "a@b.example"])
    assert unknown.exit_code == 1 and "Diesen Laden gibt es nicht." in unknown.output
    staff = runner.invoke(
        args=["user", "invite", "--shop", "buchladen", "--email", "team@buero.example"]
    )
    assert staff.exit_code == 1 and "schon ein Konto" in staff.output
    bad = runner.invoke(args=["user", "invite", "--shop", "buchladen", "--email", "kaputt"])
    assert bad.exit_code == 1 and "keine gültige E-Mail-Adresse" in bad.output
