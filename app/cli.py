"""Command line: ``flask --app wsgi ...`` or the ``rallye`` console script."""

import json
from datetime import datetime
from pathlib import Path
from typing import TextIO

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from . import clock
from .private_files import create_sqlite_database
from .services import appointments, drand, mail, privacy, procedure, totp
from .services import draws as draw_service
from .services.accounts import invitation_path, invite_shopkeeper
from .services.backup import make_backup
from .services.demo import load_demo
from .services.draw_beacons import beacon_source
from .services.errors import DomainError
from .services.printset import export_print_set
from .services.stations import rotate_station, set_station_mode, station_of
from .services.users import create_user

# German messages for the domain errors the commands report (stable codes → text).
MESSAGES = {
    "bad_base_url": "Die Basis-URL muss mit http:// oder https:// beginnen, z. B. "
    "https://rallye.example.org.",
    "unknown_rally": "Diese Rallye gibt es nicht.",
    "no_rally": "Es gibt keine aktuelle Rallye; bitte --rally SLUG angeben.",
    "unknown_shop": "Diesen Laden gibt es nicht.",
    "no_station": "Dieser Laden nimmt an der Rallye nicht teil.",
    "bad_mode": "Unbekannter Modus (live oder printed).",
    "no_stations": "Die Rallye hat keine aktiven Stationen.",
    "unwritable": "In dieses Verzeichnis kann nicht geschrieben werden.",
    "bad_paper": "Unbekanntes Papierformat.",
    "bad_role": "Unbekannte Rolle.",
    "short_password": "Das Passwort braucht mindestens 12 Zeichen.",
    "email_taken": "Für diese E-Mail-Adresse gibt es schon ein Konto.",
    "invited_elsewhere": "Für diese E-Mail-Adresse gibt es schon eine offene Einladung für "
    "ein anderes Geschäft.",
    "bad_email": "Das ist keine gültige E-Mail-Adresse.",
    "shop_required": "Ladeninhaber-Konten brauchen --shop SLUG.",
    "unknown_draw": "Diese Ziehung gibt es nicht.",
    "bad_day": "Tagesziehungen brauchen --day JJJJ-MM-TT, Hauptziehungen keinen Tag.",
    "no_prizes": "Keine offenen Preise ausgewählt.",
    "prize_taken": "Mindestens ein Preis ist schon vergeben oder wartet in einer Ziehung.",
    "empty_pool": "Niemand ist teilnahmeberechtigt; der Lostopf wäre leer.",
    "already_run": "Diese Ziehung wurde schon durchgeführt.",
    "reason_required": "Eine Hauptziehung vor dem Teilnahmeschluss braucht --reason TEXT.",
    "reason_too_long": "Die Begründung darf höchstens 500 Zeichen lang sein.",
    "bad_reason": "Die Begründung enthält Steuerzeichen.",
    "unknown_chain": "Ohne --beacon-chain gibt es keine Runde (--beacon-chain none).",
    "bad_round": "Die drand-Runde muss eine Zahl ab 1 sein.",
    "round_due": "Diese drand-Runde ist schon fällig oder zu nah; sie muss mindestens eine "
    "Minute nach dem Versiegeln fällig sein.",
    "round_too_late": "Diese drand-Runde ist erst in mehr als 60 Tagen fällig.",
    "beacon_not_due": "Die genannte drand-Runde ist noch nicht fällig.",
    "beacon_missing": "Diese Ziehung nennt eine drand-Runde: bitte --beacon mit ihrem Wert "
    "„randomness“.",
    "bad_beacon": "Der Beacon-Wert muss aus 64 Hex-Ziffern bestehen.",
    "no_beacon_named": "Diese Ziehung wurde ohne Beacon versiegelt; --beacon entfällt.",
    "same_person": "Wer versiegelt hat, darf nicht ziehen (DRAW_SECOND_PERSON): bitte ein "
    "anderes Konto mit --by.",
    "person_required": "Mit DRAW_SECOND_PERSON braucht das Ziehen --by E-MAIL, und die "
    "Ziehung muss mit einem Konto versiegelt sein.",
    "by_required": "Mit DRAW_SECOND_PERSON braucht das Versiegeln --by E-MAIL.",
    "unknown_staff": "Für --by gibt es kein aktives Konto des Büros mit dieser E-Mail-Adresse.",
    "bad_pool": "Die Lostopf-Datei ist fehlerhaft.",
    "bad_seed": "Der Seed muss aus 64 Hex-Ziffern (klein geschrieben) bestehen.",
    "bad_count": "Die Zahl der Gewinne darf nicht negativ sein.",
    "unsupported": "Für diese Datenbank gibt es keine eingebaute Sicherung.",
    "no_pg_dump": "pg_dump wurde nicht gefunden (Paket postgresql-client).",
    "failed": "Die Sicherung ist fehlgeschlagen.",
    "exists": "Die Zieldatei gibt es schon.",
}


def failure(error: DomainError) -> click.ClickException:
    """A ClickException (exit code 1) with the German message for a domain error."""
    detail = ", ".join(f"{key}: {value}" for key, value in error.context.items())
    message = MESSAGES.get(error.code, error.code)
    return click.ClickException(f"{message} ({detail})" if detail else message)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or migrate the database schema to the newest revision."""
    # The app made the SQLite file at start-up; should it have gone since, it is made
    # again for the app's user only (0600) rather than by SQLite with the umask's mode.
    create_sqlite_database(current_app.config["SQLALCHEMY_DATABASE_URI"])
    upgrade()
    click.echo("Datenbank ist auf dem neuesten Stand.")


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Load the demo (idempotent) and print how to try it."""
    summary = load_demo(clock.utcnow(), Path(current_app.instance_path))
    base = current_app.config["BASE_URL"]
    click.echo(f"Demo: {summary.rally.name}, {len(summary.stations)} Stationen "
               f"({summary.created} neu).")
    click.echo(f"Startseite:      {base}/")
    click.echo(f"Team-Login:      {summary.staff_email} / {summary.staff_password}")
    click.echo("Zum Ausprobieren (im Browser öffnen, dann „Stempel einsammeln“):")
    for station in summary.stations[:3]:
        click.echo(f"  {base}/s/{station.token}   ({station.shop.name}, Code {station.short_code})")


@click.group("user")
def user() -> None:
    """Manage staff and shopkeeper logins."""


@user.command("create")
@with_appcontext
@click.option("--email", required=True, help="Login e-mail address.")
@click.option("--name", default="", help="Display name.")
@click.option(
    "--role",
    type=click.Choice(["admin", "staff", "shopkeeper"]),
    default="staff",
    show_default=True,
)
@click.option("--shop", "shop_slug", default=None, help="Shop slug (shopkeepers only).")
@click.password_option(help="Password (asked for when not given; at least 12 characters).")
def user_create(email: str, name: str, role: str, shop_slug: str | None, password: str) -> None:
    """Create a login."""
    try:
        created = create_user(
            email=email, password=password, role=role, name=name, shop_slug=shop_slug
        )
    except DomainError as error:
        raise failure(error) from error
    click.echo(f"Konto angelegt: {created.email} ({created.role}).")


@user.command("invite")
@with_appcontext
@click.option("--shop", "shop_slug", required=True, help="Slug of the shop.")
@click.option("--email", required=True, help="The shopkeeper's e-mail address.")
def user_invite(shop_slug: str, email: str) -> None:
    """Invite a shopkeeper by mail; prints the single-use link (valid 7 days) on the last
    line, too.

    For an existing account of the shop the link sets a new password.
    """
    try:
        issued = invite_shopkeeper(shop_slug=shop_slug, email=email, now=clock.utcnow())
    except DomainError as error:
        raise failure(error) from error
    invitation = issued.invitation
    until = clock.local(invitation.expires_at).strftime("%d.%m.%Y, %H:%M Uhr")
    kind = "Neues Passwort für" if issued.renewal else "Einladung für"
    sent = mail.deliver(now=clock.utcnow(), ids=[issued.mail.id])
    mailed = ("per E-Mail verschickt" if issued.mail.id in sent.sent
              else "E-Mail wartet im Postausgang")
    click.echo(f"{kind} {invitation.email} ({invitation.shop.name}), {mailed}; gültig bis "
               f"{until}, nur einmal verwendbar:")
    click.echo(current_app.config["BASE_URL"] + invitation_path(issued.token))



@user.command("two-factor-off")
@with_appcontext
@click.option("--email", required=True, help="Login e-mail address.")
def user_two_factor_off(email: str) -> None:
    """Switch off an account's two-factor log-in (phone and recovery codes lost)."""
    try:
        account = totp.disable_by_email(email=email, now=clock.utcnow())
    except DomainError as error:
        raise click.ClickException(f"{email}: kein Konto mit Zwei-Faktor-Anmeldung.") from error
    click.echo(f"Zwei-Faktor-Anmeldung für {account.email} ausgeschaltet; beim nächsten "
               "Anmelden genügt das Passwort (für Admins in Produktion: neu einrichten).")

@click.group("qr")
def qr_group() -> None:
    """QR codes and posters."""


@qr_group.command("export")
@with_appcontext
@click.option("--rally", "rally_slug", default=None, help="Rally slug (default: current).")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Target directory (default: qr_codes/<rally-slug>/).")
@click.option("--base-url", default=None, help="Public address (default: BASE_URL).")
@click.option("--format", "paper", type=click.Choice(["a4", "a5"]), default="a4",
              show_default=True, help="Poster paper size.")
def qr_export(rally_slug: str | None, out: Path | None, base_url: str | None, paper: str) -> None:
    """Write SVG, PNG and branded PNG per shop and one PDF with all posters."""
    try:
        result = export_print_set(
            rally_slug=rally_slug,
            out=out,
            base_url=base_url or current_app.config["BASE_URL"],
            paper=paper,
            office=current_app.config["OFFICE"],
            default_root=Path(current_app.root_path).parent / "qr_codes",
            now=clock.utcnow(),
        )
    except DomainError as error:
        raise failure(error) from error
    click.echo(f"{len(result.files)} Dateien für „{result.rally.name}“ in {result.directory}")


@qr_group.command("rotate")
@with_appcontext
@click.argument("shop_slug")
@click.option("--rally", "rally_slug", default=None, help="Rally slug (default: current).")
def qr_rotate(shop_slug: str, rally_slug: str | None) -> None:
    """Give a shop a new QR code and short code; the old poster stops working."""
    try:
        station = rotate_station(shop_slug=shop_slug, rally_slug=rally_slug, now=clock.utcnow())
    except DomainError as error:
        raise failure(error) from error
    base = current_app.config["BASE_URL"]
    click.echo(f"Neuer Code für {station.shop.name}: {station.short_code}")
    click.echo(f"  {base}/s/{station.token}")
    click.echo("Bitte das neue Plakat drucken (flask --app wsgi qr export).")




@click.group("station")
def station_group() -> None:
    """A shop's station in a rally."""


# What each mode means, for the command's answer.
MODE_TEXT = {
    "live": "stempelt nur noch mit dem Code der Live-Anzeige an der Kasse (/laden/live); "
            "das Plakat allein stempelt nicht mehr.",
    "printed": "stempelt wieder mit dem gedruckten Plakat.",
}


@station_group.command("mode")
@with_appcontext
@click.argument("shop_slug")
@click.argument("mode", type=click.Choice(["live", "printed"]))
@click.option("--rally", "rally_slug", default=None, help="Rally slug (default: current).")
def station_mode(shop_slug: str, mode: str, rally_slug: str | None) -> None:
    """Switch a shop's station between the printed poster and live codes at the counter."""
    now = clock.utcnow()
    try:
        station = station_of(shop_slug=shop_slug, rally_slug=rally_slug, now=now)
        station = set_station_mode(station_id=station.id, mode=mode, now=now)
    except DomainError as error:
        raise failure(error) from error
    click.echo(f"{station.shop.name} ({station.rally.name}) {MODE_TEXT[station.mode]}")


@click.group("draw")
def draw_group() -> None:
    """Seal, run and verify prize draws."""


def staff_account(email: str | None) -> int | None:
    """The id of the active staff account with ``email`` (``--by``), or ``None``."""
    from sqlalchemy import select

    from .extensions import db
    from .models import User

    if email is None:
        return None
    user_id = db.session.scalar(
        select(User.id).where(User.email == email.strip().lower(), User.active.is_(True),
                              User.role.in_(("admin", "staff")))
    )
    if user_id is None:
        raise DomainError("unknown_staff")
    return user_id


@draw_group.command("seal")
@with_appcontext
@click.option("--rally", "rally_slug", default=None, help="Rally slug (default: current).")
@click.option("--kind", type=click.Choice(["final", "daily"]), default="final", show_default=True)
@click.option("--day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Local day of a daily draw (YYYY-MM-DD).")
@click.option("--prize", "positions", type=int, multiple=True,
              help="Prize position (repeatable; default: every open prize).")
@click.option("--beacon-chain", type=click.Choice([*drand.CHAIN_NAMES, "none"]),
              default="quicknet", show_default=True,
              help="drand chain whose round the run must take, or none (key = seed alone).")
@click.option("--beacon-round", type=int, default=None,
              help="drand round due after sealing (default: the one due in 10 minutes).")
@click.option("--reason", default="",
              help="Why a final draw is sealed before entries close (required then).")
@click.option("--by", "by_email", default=None, help="E-mail of the staff account sealing.")
def draw_seal(
    rally_slug: str | None, kind: str, day: datetime | None, positions: tuple[int, ...],
    beacon_chain: str, beacon_round: int | None, reason: str, by_email: str | None,
) -> None:
    """Fix the pool, commit to a seed, name the beacon; prints what is published."""
    from .services.stations import find_rally

    now = clock.utcnow()
    chain = None if beacon_chain == "none" else drand.CHAINS[beacon_chain]
    if chain is not None and beacon_round is None:
        beacon_round = drand.suggested_round(chain, now=now)
    try:
        if current_app.config["DRAW_SECOND_PERSON"] and by_email is None:
            raise DomainError("by_required")
        actor_id = staff_account(by_email)
        rally = find_rally(rally_slug, now)
        prizes = draw_service.open_prizes(rally.id)
        if positions:
            by_position = {prize.position: prize.id for prize in prizes}
            prize_ids = [by_position.get(position, -1) for position in positions]
        else:
            prize_ids = [prize.id for prize in prizes]
        draw = draw_service.seal_draw(
            rally_id=rally.id,
            kind=kind,
            day=day.date() if day is not None else None,
            prize_ids=prize_ids,
            beacon_chain=chain.name if chain else None,
            beacon_round=beacon_round if chain else None,
            reason=reason,
            now=now,
            actor_id=actor_id,
        )
    except DomainError as error:
        raise failure(error) from error
    click.echo(f"Ziehung {draw.id} versiegelt: {draw.pool_size} Einträge im Lostopf.")
    click.echo(f"pool_hash  {draw.pool_hash}")
    click.echo(f"commitment {draw.commitment}")
    source = beacon_source(draw)
    if source is None:
        click.echo("Beacon     keiner (Schlüssel = Seed)")
    else:
        due = clock.local(source.due_at).isoformat(timespec="seconds")
        click.echo(f"Beacon     {source.chain.label}, Runde {source.round}, fällig {due}")
        click.echo(f"Wert dann unter {source.url}")


@draw_group.command("run")
@with_appcontext
@click.argument("draw_id", type=int)
@click.option("--beacon", default=None,
              help="The named drand round's published randomness (64 hex digits).")
@click.option("--by", "by_email", default=None, help="E-mail of the staff account running.")
def draw_run(draw_id: int, beacon: str | None, by_email: str | None) -> None:
    """Run a sealed draw once and print the winners in rank order."""
    try:
        draw = draw_service.run_draw(
            draw_id=draw_id,
            beacon_hex=beacon,
            now=clock.utcnow(),
            actor_id=staff_account(by_email),
            second_person=current_app.config["DRAW_SECOND_PERSON"],
        )
    except DomainError as error:
        raise failure(error) from error
    click.echo(f"seed {draw.seed_hex}")
    for winner in draw.winners:
        click.echo(f"{winner.rank}\t{winner.card_code}\t{winner.prize.name}")


@draw_group.command("verify")
@click.option("--pool", "pool_file", type=click.File("r", encoding="utf-8"), required=True,
              help="The published pool file.")
@click.option("--seed", required=True, help="The published seed (hex).")
@click.option("--beacon", default=None, help="The published beacon value, if any (hex).")
@click.option("--winners", "count", type=int, required=True, help="Number of winners.")
def draw_verify(pool_file: TextIO, seed: str, beacon: str | None, count: int) -> None:
    """Recompute a draw from published files; prints winning codes, one per line.

    Needs no database: anyone can run it on the files from /ziehungen.
    """
    try:
        pool = procedure.parse_pool(pool_file.read())
        codes = procedure.winners(pool, seed.strip().lower(), beacon, count)
    except DomainError as error:
        raise failure(error) from error
    for code in codes:
        click.echo(code)




@click.command("backup")
@with_appcontext
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Target file (default: instance/backups/rallye-<time>.*).")
def backup(out: Path | None) -> None:
    """Make a consistent copy of the running database."""
    try:
        target = make_backup(
            current_app.config["SQLALCHEMY_DATABASE_URI"],
            Path(current_app.instance_path) / "backups",
            clock.local(clock.utcnow()),
            out,
        )
    except DomainError as error:
        raise failure(error) from error
    click.echo(f"Sicherung geschrieben: {target}")


@click.command("purge")
@with_appcontext
def purge() -> None:
    """Delete or anonymise the personal data past its retention (run daily)."""
    for item in privacy.purge(now=clock.utcnow()):
        click.echo(f"{item.kind.label}: {item.count} {item.kind.done} "
                   f"(Frist: {privacy.retention(item.kind)}).")


@click.group("privacy")
def privacy_group() -> None:
    """Export or delete what the app holds about one e-mail address."""


@privacy_group.command("export")
@click.option("--email", required=True, help="The person's e-mail address.")
@with_appcontext
def privacy_export(email: str) -> None:
    """Print everything held about an address as JSON."""
    try:
        data = privacy.export(email, now=clock.utcnow())
    except DomainError as error:
        raise failure(error) from error
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@privacy_group.command("delete")
@click.option("--email", required=True, help="The person's e-mail address.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def privacy_delete(email: str, yes: bool) -> None:
    """Delete or anonymise everything held about an address."""
    try:
        address = privacy.normalise_email(email)
    except DomainError as error:
        raise failure(error) from error
    found = privacy.held(address)
    if not found:
        click.echo(f"Zu {address} ist nichts gespeichert.")
        return
    for key, records in found.items():
        click.echo(f"{privacy.KIND_BY_KEY[key].label}: {len(records)}")
    if not yes:
        click.confirm(f"Diese Daten zu {address} löschen?", abort=True)
    for item in privacy.delete(address, now=clock.utcnow()):
        click.echo(f"{item.kind.label}: {item.count} {item.kind.done}.")


@click.group("outbox")
def outbox_group() -> None:
    """The outbox of e-mails."""


@outbox_group.command("send")
@click.option("--limit", default=100, show_default=True, help="Mails per run at most.")
@with_appcontext
def outbox_send(limit: int) -> None:
    """Send the mails that are due (run every minute by a timer; see docs/deploy.md)."""
    now = clock.utcnow()
    appointments.queue_due_reminders(now)
    report = mail.deliver(now=now, limit=limit)
    click.echo(
        f"Gesendet: {len(report.sent)}, später erneut: {len(report.retrying)}, "
        f"aufgegeben: {len(report.failed) + len(report.stale)}."
    )


def init_app(app: Flask) -> None:
    """Register the commands on the app."""
    app.cli.add_command(init_db)
    app.cli.add_command(demo)
    app.cli.add_command(user)
    app.cli.add_command(qr_group)
    app.cli.add_command(station_group)
    app.cli.add_command(draw_group)
    app.cli.add_command(backup)
    app.cli.add_command(purge)
    app.cli.add_command(privacy_group)
    app.cli.add_command(outbox_group)


def main() -> None:
    """Entry point of the ``rallye`` console script."""
    from . import create_app

    FlaskGroup(create_app=create_app)()
