"""What the commands share: German messages for the domain errors they report."""

import click

from ..services.errors import DomainError

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
