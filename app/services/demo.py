"""The demo: the office's services, a rally running today, 40 shops with stations, the
rally's Advent calendar, the office's events in the coming weeks, and the needs survey
of the town's businesses with ten shops' answers.

Loading is idempotent: rows are matched by slug and left as they are, so a second run
keeps every token, short code, card and stamp.
"""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from .. import demo_data
from ..clock import BERLIN, local
from ..extensions import db
from ..models import (
    SLOT_MINUTES,
    AdventDoor,
    Appointment,
    AppointmentSlot,
    AppointmentTopic,
    Event,
    EventAudience,
    EventRegistration,
    Listing,
    ListingMatch,
    ListingPhoto,
    ListingUse,
    NewsPost,
    OfficeHours,
    OpeningHours,
    Prize,
    Rally,
    SearchProfile,
    SearchProfileUse,
    Service,
    Shop,
    Station,
    SuccessorProfile,
    Survey,
    SurveyAnswer,
    SurveyAnswerChoice,
    SurveyChoice,
    SurveyQuestion,
    SurveyRespondent,
    Translation,
    User,
    default_draw_at,
)
from .advent import default_day, has_calendar
from .appointments import free_times, topic_by_slug
from .editing import slugify
from .events import make_slug
from .office_texts import load_defaults
from .opening_hours import HoursError, parse_hours
from .stations import new_station
from .survey_links import issue_token
from .users import create_user

DEMO_RALLY_SLUG = "advents-rallye-demo"
DEMO_STAFF_EMAIL = "team@innenstadt-herten.example"
DEMO_LOGIN_FILE = "demo-login.txt"


@dataclass(frozen=True)
class DemoSummary:
    """What the demo holds after loading, for the console."""

    rally: Rally
    stations: list[Station]
    created: int
    staff_email: str
    staff_password: str


def load_services() -> None:
    """Add the office's six services that are missing."""
    existing = set(db.session.scalars(select(Service.slug)))
    for position, item in enumerate(demo_data.SERVICES):
        if item["slug"] not in existing:
            db.session.add(Service(position=position, **item))


def load_office_week() -> None:
    """Give the office its week and topics for appointments, unless it has them; link
    each topic to its service page (a topic the office edited keeps its link)."""
    if db.session.scalar(select(OfficeHours.id).limit(1)) is None:
        for weekday, opens, closes in demo_data.OFFICE_WEEK:
            db.session.add(OfficeHours(weekday=weekday, opens=opens, closes=closes,
                                       advisers=1))
    existing = set(db.session.scalars(select(AppointmentTopic.slug)))
    services = {service.slug: service.id for service in db.session.scalars(select(Service))}
    for position, item in enumerate(demo_data.APPOINTMENT_TOPICS):
        if item["slug"] not in existing:
            db.session.add(AppointmentTopic(
                slug=item["slug"], name=item["name"], position=position,
                duration_minutes=item["duration_minutes"], active=True,
                service_id=services.get(item["service"])))


def load_demo_bookings(now: datetime) -> None:
    """Two requests on the first free times of two topics, unless there are bookings:
    the office's week has something to show. No mail goes out for them."""
    if db.session.scalar(select(Appointment.id).limit(1)) is not None:
        return
    for slug, person in demo_data.APPOINTMENT_DEMO_BOOKINGS:
        topic = topic_by_slug(slug)
        free = free_times(topic, now=now) if topic else []
        if topic is None or not free:
            continue
        appointment = Appointment(
            token=secrets.token_urlsafe(24), topic_id=topic.id, starts_at=free[0].starts_at,
            ends_at=free[0].ends_at, adviser=1, status="requested", consent_at=now,
            created_at=now, updated_at=now, **person)
        db.session.add(appointment)
        db.session.flush()
        minutes = topic.duration_minutes
        db.session.add_all([
            AppointmentSlot(adviser=1, starts_at=free[0].starts_at + timedelta(minutes=m),
                            appointment_id=appointment.id)
            for m in range(0, minutes, SLOT_MINUTES)])
        db.session.flush()


def _local_moment(day: date, clock_time: str) -> datetime:
    hour, minute = (int(part) for part in clock_time.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def load_events(now: datetime) -> None:
    """The demo's events in the coming weeks (and one past, for the archive and the
    attendance report) with a few registrations, unless there are events. No mail goes
    out for them."""
    if db.session.scalar(select(Event.id).limit(1)) is not None:
        return
    today = local(now).date()
    monday = today - timedelta(days=today.weekday())
    shops = {shop.slug: shop for shop in db.session.scalars(select(Shop))}
    services = {service.slug: service.id for service in db.session.scalars(select(Service))}
    first_dates: list[Event] = []
    for item in demo_data.EVENTS:
        host = shops.get(item["shop"]) if item["shop"] else None
        place = item["place"] or (f"{host.name}, {host.street}, {host.postcode} {host.city}"
                                  if host else "")
        dates = []
        for week in [item["week"], *item["weeks"]]:
            day = monday + timedelta(weeks=week + 1, days=item["weekday"])
            starts_at = _local_moment(day, item["start"])
            event = Event(
                slug=make_slug(item["title"], starts_at), kind=item["kind"],
                status="published", title=item["title"], summary=item["summary"],
                description=item["description"], starts_at=starts_at,
                ends_at=_local_moment(day, item["end"]),
                registration_closes_at=starts_at - timedelta(days=1), place=place,
                online_url=item["online_url"], host_shop_id=host.id if host else None,
                service_id=services.get(item["service"]), capacity=item["capacity"],
                series=item["series"] or None, created_at=now, updated_at=now,
                audiences=[EventAudience(audience=key) for key in item["audiences"]])
            db.session.add(event)
            db.session.flush()
            dates.append(event)
        first_dates.append(dates[0])
    for index, name, email, company, status, present in demo_data.EVENT_DEMO_REGISTRATIONS:
        event = first_dates[index]
        db.session.add(EventRegistration(
            event_id=event.id, token=secrets.token_urlsafe(24), status=status, name=name,
            email=email, company=company, consent_at=now, created_at=now, updated_at=now,
            checked_in_at=event.starts_at if present else None))
        if status == "confirmed":
            event.taken += 1
    db.session.flush()


def load_news(now: datetime) -> None:
    """The demo's news posts, published over the last weeks, unless there are posts."""
    if db.session.scalar(select(NewsPost.id).limit(1)) is not None:
        return
    for item in demo_data.NEWS:
        published_at = now - timedelta(days=item["days_ago"])
        db.session.add(NewsPost(
            slug=slugify(item["title"]), status="published", title=item["title"],
            summary=item["summary"], body=item["body"], image_alt="",
            published_at=published_at, created_at=published_at, updated_at=published_at))
    db.session.flush()


def load_successors(now: datetime) -> None:
    """The Nachfolgebörse's demo profiles (three published, one draft), unless there are
    profiles."""
    if db.session.scalar(select(SuccessorProfile.id).limit(1)) is not None:
        return
    year = local(now).year
    for number, item in enumerate(demo_data.SUCCESSOR_PROFILES, start=1):
        published = item["status"] == "published"
        db.session.add(SuccessorProfile(
            code=f"N-{year}-{number:02d}", title=item["title"], sector=item["sector"],
            employees=item["employees"], sales_area=item["sales_area"], area=item["area"],
            timeline=item["timeline"], description=item["description"],
            status=item["status"], published_at=now if published else None,
            internal_note=item["internal_note"], owner_name=item["owner_name"],
            owner_email=item["owner_email"], owner_phone=item["owner_phone"],
            created_at=now, updated_at=now))
    db.session.flush()


def shopfront_picture(facade: str, window: str) -> bytes:
    """A schematic shop front drawn with Pillow (no photo from elsewhere), as PNG."""
    import io

    from PIL import Image as PillowImage
    from PIL import ImageDraw

    picture = PillowImage.new("RGB", (900, 600), facade)
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, 900, 90), fill="#3b2f2a")  # the sign board, blank: to let
    draw.rectangle((60, 160, 560, 540), fill=window, outline="#2d2622", width=12)
    draw.line((310, 160, 310, 540), fill="#2d2622", width=8)
    draw.rectangle((640, 200, 820, 600), fill="#5a463c", outline="#2d2622", width=10)
    draw.ellipse((785, 390, 805, 410), fill="#d8c27a")
    draw.rectangle((0, 560, 900, 600), fill="#8d8a86")
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def load_listings(now: datetime) -> None:
    """The Leerstandsbörse's demo: three published spaces (photos drawn in code), one
    owner's offer waiting, one search profile with its matches (no mails), unless there
    are listings."""
    from .images import store_picture
    from .listing_matches import fits

    if db.session.scalar(select(Listing.id).limit(1)) is not None:
        return
    year = local(now).year
    listings = []
    for number, item in enumerate(demo_data.LISTINGS, start=1):
        published = item["status"] == "published"
        confirmed = now - timedelta(days=item.get("confirmed_days_ago", 0))
        days = item.get("available_in_days")
        listing = Listing(
            code=f"L-{year}-{number:02d}", title=item["title"], street=item["street"],
            postcode="45699", latitude=item.get("latitude"), longitude=item.get("longitude"),
            area_m2=item["area_m2"], frontage_m=item.get("frontage_m"), floor=item["floor"],
            rent_cents=item.get("rent_cents"),
            service_charge_cents=item.get("service_charge_cents"),
            available_from=None if days is None else local(now).date() + timedelta(days=days),
            temporary_use=item["temporary_use"],
            temporary_min_months=item.get("temporary_min_months"),
            temporary_max_months=item.get("temporary_max_months"),
            rent_model=item["rent_model"], description=item["description"],
            status=item["status"], source=item["source"],
            published_at=confirmed if published else None, confirmed_at=confirmed,
            internal_note=item["internal_note"], owner_name=item["owner_name"],
            owner_email=item["owner_email"], owner_phone=item["owner_phone"],
            owner_consent_at=now if item["source"] == "owner" else None,
            created_at=confirmed, updated_at=confirmed,
            uses=[ListingUse(use=use) for use in item["uses"]])
        if "photo" in item:
            facade, window, alt = item["photo"]
            listing.photos.append(ListingPhoto(
                image=store_picture(shopfront_picture(facade, window)), alt=alt, position=0))
        db.session.add(listing)
        listings.append(listing)
    data = demo_data.SEARCH_PROFILE
    profile = SearchProfile(
        name=data["name"], email=data["email"], phone=data["phone"],
        min_area_m2=data["min_area_m2"], max_area_m2=data["max_area_m2"],
        max_rent_cents=data["max_rent_cents"], temporary_only=data["temporary_only"],
        message=data["message"], status="active", consent_at=now, created_at=now,
        uses=[SearchProfileUse(use=use) for use in data["uses"]])
    db.session.add(profile)
    db.session.flush()
    for listing in listings:
        if listing.status == "published" and fits(listing, profile):
            db.session.add(ListingMatch(listing_id=listing.id, profile_id=profile.id,
                                        notified_at=now))
    db.session.flush()


def load_rally(now: datetime) -> Rally:
    """Return the demo rally, creating it to run from today's midnight for five weeks."""
    rally = db.session.scalars(select(Rally).where(Rally.slug == DEMO_RALLY_SLUG)).first()
    if rally is not None:
        return rally
    start = datetime.combine(local(now).date(), time(0, 0), tzinfo=BERLIN)
    end = datetime.combine(local(now).date() + timedelta(days=35), time(20, 0), tzinfo=BERLIN)
    draw = default_draw_at(end)
    rally = Rally(
        slug=DEMO_RALLY_SLUG,
        name="Advents-Rallye (Demo)",
        starts_at=start,
        ends_at=end,
        entry_closes_at=end,
        stamp_goal=10,
        rules_text=demo_data.RALLY_RULES,
        status="published",
        draw_at=draw,
        winners_notice=demo_data.RALLY_WINNERS_NOTICE,
        claim_until=datetime.combine(draw.date() + timedelta(weeks=4), time(18, 0),
                                     tzinfo=BERLIN),
    )
    db.session.add(rally)
    db.session.flush()
    return rally


def load_prizes(rally: Rally, shops: list[Shop]) -> None:
    """Give the demo rally its prizes, unless it has some already.

    Prizes of an older demo that still carry a demo prize's name but no donor (the
    columns came later) get the demo's donor and description; nothing else is touched.
    """
    by_slug = {shop.slug: shop for shop in shops}
    demo = {item["name"]: item for item in demo_data.RALLY_PRIZES}
    existing = list(db.session.scalars(select(Prize).where(Prize.rally_id == rally.id)))
    if not existing:
        for position, item in enumerate(demo_data.RALLY_PRIZES, start=1):
            donor = by_slug.get(item["donor"])
            db.session.add(Prize(rally_id=rally.id, position=position, name=item["name"],
                                 description=item["description"],
                                 donor_shop_id=donor.id if donor else None))
        return
    for prize in existing:
        known = demo.get(prize.name)
        if known and prize.donor_shop_id is None and not prize.description:
            donor = by_slug.get(known["donor"])
            prize.donor_shop_id = donor.id if donor else None
            prize.description = known["description"]


def load_shops() -> list[Shop]:
    """Add the missing demo shops, their opening hours as data (read from the demo's
    texts); return all 40 in the demo's order. A shop that has hours keeps them."""
    by_slug = {shop.slug: shop for shop in db.session.scalars(select(Shop))}
    shops = []
    for item in demo_data.SHOPS:
        shop = by_slug.get(item["slug"])
        if shop is None:
            shop = Shop(**item)
            db.session.add(shop)
        if not shop.hours:
            try:
                intervals = parse_hours(shop.opening_hours).intervals
            except HoursError:
                intervals = ()
            shop.hours = [OpeningHours(weekday=day, opens=opens, closes=closes)
                          for day, opens, closes in intervals]
        shops.append(shop)
    db.session.flush()
    return shops


def load_stations(rally: Rally, shops: list[Shop]) -> tuple[list[Station], int]:
    """Give every shop a station in ``rally``; return all stations and how many are new."""
    have = {
        station.shop_id: station
        for station in db.session.scalars(select(Station).where(Station.rally_id == rally.id))
    }
    stations, created = [], 0
    for shop in shops:
        station = have.get(shop.id)
        if station is None:
            station = new_station(rally, shop)
            created += 1
        stations.append(station)
    return stations, created


def load_advent(rally: Rally, shops: list[Shop], now: datetime) -> None:
    """Give the demo rally its 24 doors on the default days, unless it has doors."""
    if has_calendar(rally.id):
        return
    by_slug = {shop.slug: shop for shop in shops}
    for number, item in enumerate(demo_data.ADVENT_DOORS_DEMO, start=1):
        shop = by_slug.get(item["shop"])
        db.session.add(AdventDoor(
            rally_id=rally.id, number=number, opens_on=default_day(rally, number),
            title=item["title"], body=item["body"], image_alt="",
            shop_id=shop.id if shop else None, offer=item["offer"] if shop else "",
            daily_draw=item["daily_draw"], updated_at=now,
        ))


def load_translations(rally: Rally, now: datetime) -> None:
    """English and Turkish for the first demo event and the demo's door 1, each field
    only if it has no translation yet (a staff member's own stays as it is)."""
    event_id = db.session.scalar(
        select(Event.id).where(Event.title == demo_data.TRANSLATED_EVENT_TITLE)
        .order_by(Event.starts_at).limit(1))
    door_id = db.session.scalar(select(AdventDoor.id).where(
        AdventDoor.rally_id == rally.id,
        AdventDoor.number == demo_data.TRANSLATED_DOOR_NUMBER))
    subjects = {"event": event_id, "door": door_id}
    present = {(row.subject, row.language, row.field) for row in db.session.execute(
        select(Translation.subject, Translation.language, Translation.field))}
    for kind, languages in demo_data.TRANSLATIONS_DEMO.items():
        if subjects[kind] is None:
            continue
        subject = f"{kind}:{subjects[kind]}"
        for language, fields in languages.items():
            for field, text in fields.items():
                if (subject, language, field) not in present:
                    db.session.add(Translation(subject=subject, language=language,
                                               field=field, text=text, updated_at=now,
                                               updated_by=None))


def load_survey(shops: list[Shop], now: datetime) -> None:
    """The "Bedarfsabfrage Innenstadt": published, anonymous, open from today for four
    weeks with the open link; a personal link for every demo shop (its token is dropped:
    the office mails or prints fresh ones) and the answers of ten shops, sent. Unless
    the survey exists."""
    if db.session.scalar(select(Survey.id).where(Survey.slug == demo_data.SURVEY_SLUG)):
        return
    opens = datetime.combine(local(now).date(), time(0, 0), tzinfo=BERLIN)
    closes = datetime.combine(local(now).date() + timedelta(weeks=demo_data.SURVEY_WEEKS),
                              time(18, 0), tzinfo=BERLIN)
    survey = Survey(
        slug=demo_data.SURVEY_SLUG, title=demo_data.SURVEY_TITLE, intro=demo_data.SURVEY_INTRO,
        status="published", opens_at=opens, closes_at=closes, names_shops=False,
        open_link=True, open_consent=demo_data.SURVEY_CONSENT, created_at=now, updated_at=now,
        questions=[
            SurveyQuestion(position=position, page=item["page"], kind=item["kind"],
                           prompt=item["prompt"], help=item["help"], required=item["required"],
                           choices=[SurveyChoice(position=number, label=label)
                                    for number, label in enumerate(item["choices"], start=1)])
            for position, item in enumerate(demo_data.SURVEY_QUESTIONS, start=1)])
    db.session.add(survey)
    db.session.flush()
    respondents: dict[str, SurveyRespondent] = {}
    for shop in shops:
        respondent = SurveyRespondent(
            survey_id=survey.id, shop_id=shop.id, token_hash=issue_token()[1],
            company=shop.name, category=shop.category, created_at=opens)
        db.session.add(respondent)
        respondents[shop.slug] = respondent
    db.session.flush()
    for item in demo_data.SURVEY_ANSWERS:
        if item["shop"] not in respondents:
            continue
        respondent = respondents[item["shop"]]
        for question, value in zip(survey.questions, item["answers"], strict=True):
            _add_demo_answer(respondent, question, value, now)
        respondent.updated_at = respondent.submitted_at = now
    survey.locked_at = now
    db.session.flush()


def _add_demo_answer(respondent: SurveyRespondent, question: SurveyQuestion,
                     value: int | list[int] | str | None, now: datetime) -> None:
    """One answer of the demo: a choice's number, several, a scale value or a text."""
    if value is None or value == "":
        return
    answer = SurveyAnswer(respondent_id=respondent.id, question_id=question.id,
                          survey_id=respondent.survey_id, updated_at=now)
    if question.kind == "scale" and isinstance(value, int):
        answer.scale = value
    elif question.kind in ("short", "long"):
        answer.text = str(value)
    db.session.add(answer)
    db.session.flush()
    if question.kind in ("one", "many"):
        numbers = value if isinstance(value, list) else [value]
        for number in numbers:
            db.session.add(SurveyAnswerChoice(respondent_id=respondent.id,
                                              question_id=question.id,
                                              choice_id=question.choices[int(number) - 1].id))


def demo_staff(instance: Path) -> tuple[str, str]:
    """Return the demo staff login, creating the account and its password file once."""
    path = instance / DEMO_LOGIN_FILE
    user = db.session.scalars(select(User).where(User.email == DEMO_STAFF_EMAIL)).first()
    if user is not None and path.exists():
        return DEMO_STAFF_EMAIL, path.read_text(encoding="utf-8").strip()
    password = "-".join(secrets.token_urlsafe(6) for _ in range(3))
    if user is None:
        create_user(email=DEMO_STAFF_EMAIL, password=password, role="admin", name="Demo-Team")
    else:
        from werkzeug.security import generate_password_hash

        user.password_hash = generate_password_hash(password)
    instance.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n", encoding="utf-8")
    path.chmod(0o600)
    return DEMO_STAFF_EMAIL, password


def load_demo(now: datetime, instance: Path) -> DemoSummary:
    """Load (or keep) the whole demo and commit."""
    load_services()
    db.session.flush()
    load_office_week()
    db.session.flush()
    load_demo_bookings(now)
    rally = load_rally(now)
    shops = load_shops()
    load_prizes(rally, shops)
    stations, created = load_stations(rally, shops)
    load_advent(rally, shops, now)
    load_events(now)
    load_news(now)
    load_successors(now)
    load_defaults(current_app.config["OFFICE"], now)
    load_listings(now)
    db.session.flush()
    load_translations(rally, now)
    load_survey(shops, now)
    db.session.commit()
    email, password = demo_staff(instance)
    db.session.commit()
    return DemoSummary(
        rally=rally,
        stations=stations,
        created=created,
        staff_email=email,
        staff_password=password,
    )
