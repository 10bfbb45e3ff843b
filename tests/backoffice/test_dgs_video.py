"""The sign-language (DGS) video: recognising MP4 and WebM by their content, the upload
in the back office (refusals with nothing written and no file left), captions, the
public page with and without a video, the file served with Range requests, showing,
stopping and deleting (the file goes too), GET changes nothing, and the audit trail."""

import hashlib
import io
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from app.extensions import db
from app.models import AuditEvent, DgsVideo, User
from app.services import dgs_videos
from app.services.dgs_videos import VideoError

from ..helpers import FIRST_DAY, csrf_token
from ..test_concurrency import all_at_once
from .conftest import count

PAGE = "/buero/gebaerdensprache"
PUBLIC = "/gebaerdensprache"
BOTH = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)


def box(kind: bytes, payload: bytes) -> bytes:
    """An ISO base media box: 32-bit size, four-letter type, payload."""
    return (8 + len(payload)).to_bytes(4, "big") + kind + payload


def mp4(body: bytes = b"\x00" * 2000, brand: bytes = b"isom") -> bytes:
    """A tiny MP4 as far as the header goes: ``ftyp`` (brand, minor version, compatible
    brands), then an ``mdat`` box with ``body``."""
    return box(b"ftyp", brand + b"\x00\x00\x02\x00" + b"isommp41") + box(b"mdat", body)


def ebml(element_id: bytes, payload: bytes) -> bytes:
    """One EBML element with a one-byte size (payloads under 127 bytes)."""
    assert len(payload) < 127
    return element_id + bytes([0x80 | len(payload)]) + payload


def webm(body: bytes = b"\x00" * 2000, doctype: bytes = b"webm") -> bytes:
    """A tiny WebM as far as the header goes: the EBML header with its DocType, then a
    Segment of unknown size holding ``body``."""
    header = b"".join([
        ebml(b"\x42\x86", b"\x01"), ebml(b"\x42\xf7", b"\x01"), ebml(b"\x42\xf2", b"\x04"),
        ebml(b"\x42\xf3", b"\x08"), ebml(b"\x42\x82", doctype), ebml(b"\x42\x87", b"\x04"),
        ebml(b"\x42\x85", b"\x02"),
    ])
    return ebml(b"\x1a\x45\xdf\xa3", header) + b"\x18\x53\x80\x67\x01" + b"\xff" * 7 + body


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 500
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
CAPTIONS = "WEBVTT\n\n00:00.000 --> 00:04.000\nWillkommen in der Innenstadt.\n"


def media(app: Flask) -> Path:
    """The test's media folder."""
    return Path(app.config["MEDIA_FOLDER"])


def files_in(app: Flask) -> list[str]:
    """Every file in the media folder (temporary ones included)."""
    folder = media(app)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def upload(client: FlaskClient, data: bytes | None, name: str = "dgs.mp4",
           captions: bytes | None = None, **fields: str):  # noqa: ANN201
    """Send the upload form with a CSRF token from the page."""
    form: dict[str, object] = {
        "csrf_token": csrf_token(client.get(PAGE).text),
        "title": "Die Website in Gebärdensprache",
        "transcript": "Hier erklären wir, was Sie auf dieser Website finden.",
    }
    form.update(fields)
    if data is not None:
        form["video"] = FileStorage(io.BytesIO(data), filename=name)
    if captions is not None:
        form["captions"] = FileStorage(io.BytesIO(captions), filename="dgs.vtt")
    # Encoded here, in memory: the test client would keep a body over 500 KB in a
    # temporary file that nothing closes.
    boundary, body = encode_multipart(form)
    return client.post(PAGE, data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def fetch(client: FlaskClient, path: str, **headers: str) -> TestResponse:
    """GET ``path``, read the answer and close it (a file's answer holds the file open)."""
    response = client.get(path, headers=headers)
    response.get_data()
    response.close()
    return response


def only_video() -> DgsVideo:
    db.session.expire_all()
    return db.session.scalars(select(DgsVideo)).one()


def audits() -> list[str]:
    return [event.action for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("dgs_video.%")).order_by(AuditEvent.id))]


# --- recognising the format ---------------------------------------------------------------


@pytest.mark.parametrize(("head", "mime"), [
    (mp4(), "video/mp4"),
    (mp4(brand=b"mp42"), "video/mp4"),
    (webm(), "video/webm"),
    (mp4(brand=b"qt  "), None),  # QuickTime
    (mp4(brand=b"avif"), None),  # a still picture in the same container
    (webm(doctype=b"matroska"), None),
    (JPEG, None),
    (HTML, None),
    (b"\x00\x00\x00\x18ftyp", None),  # cut off
    (b"\x1a\x45\xdf\xa3", None),
    (b"", None),
])
def test_the_format_is_recognised_by_content(head: bytes, mime: str | None) -> None:
    assert dgs_videos.video_type(head) == mime


@pytest.mark.parametrize("captions", [
    "WEBVTT\n\n00:00.000 --> 00:01.000\nHallo\n", "\ufeffWEBVTT - Innenstadt\n", "WEBVTT",
])
def test_webvtt_captions_are_accepted(captions: str) -> None:
    assert dgs_videos.check_captions(captions.encode()).startswith("WEBVTT")


@pytest.mark.parametrize("data", [
    b"1\n00:00:00,000 --> 00:00:01,000\nHallo\n",  # SubRip
    b"WEBVTTX\n", b"\xff\xfeW\x00E\x00", b"webvtt\n", b"WEBVTT\n\x00\x07",
])
def test_other_captions_are_refused(data: bytes) -> None:
    with pytest.raises(VideoError) as excinfo:
        dgs_videos.check_captions(data)
    assert excinfo.value.code == "captions_not_webvtt"


def test_the_file_is_stored_under_its_digest_privately(app: Flask) -> None:
    data = webm()
    stored = dgs_videos.store_file(io.BytesIO(data), folder=media(app), max_bytes=10_000)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.path.name == f"{stored.sha256}.webm" and stored.size == len(data)
    assert stored.path.read_bytes() == data
    assert stored.path.stat().st_mode & 0o777 == 0o600
    assert media(app).stat().st_mode & 0o777 == 0o700
    assert files_in(app) == [stored.path.name]


# --- the upload ---------------------------------------------------------------------------


@BOTH
def test_upload_an_mp4_with_captions(app: Flask, staff_client: FlaskClient,
                                     staff_user: User) -> None:
    data = mp4()
    response = upload(staff_client, data, captions=CAPTIONS.encode())
    assert response.status_code == 303, response.text
    video = only_video()
    assert (video.mime, video.size, video.active, video.uploaded_by) == (
        "video/mp4", len(data), False, staff_user.id)
    assert video.captions == CAPTIONS
    assert files_in(app) == [f"{video.sha256}.mp4"]
    assert (media(app) / f"{video.sha256}.mp4").read_bytes() == data
    assert audits() == ["dgs_video.upload"]
    page = staff_client.get(PAGE).text
    assert "Die Website in Gebärdensprache" in page and "nicht gezeigt" in page
    assert "2 KB" in page  # its size


def test_upload_a_webm_without_captions(app: Flask, staff_client: FlaskClient) -> None:
    response = upload(staff_client, webm(), name="gebaerden.webm")
    assert response.status_code == 303
    video = only_video()
    assert (video.mime, video.captions) == ("video/webm", None)
    assert files_in(app) == [f"{video.sha256}.webm"]


@pytest.mark.parametrize(("data", "name", "message"), [
    (JPEG, "foto.mp4", "kein Video im Format MP4 oder WebM"),
    (HTML, "seite.webm", "kein Video im Format MP4 oder WebM"),
    (mp4(brand=b"qt  "), "film.mp4", "kein Video im Format MP4 oder WebM"),
    (b"", "leer.mp4", "Die gewählte Datei ist leer"),
    (None, "", "Bitte wählen Sie eine Videodatei aus."),
])
def test_what_is_no_video_is_refused_and_nothing_is_written(
    app: Flask, staff_client: FlaskClient, data: bytes | None, name: str, message: str
) -> None:
    response = upload(staff_client, data, name=name)
    assert response.status_code == 400
    assert message in response.text
    assert count(DgsVideo) == 0 and audits() == [] and files_in(app) == []


def test_an_empty_form_names_every_missing_part(app: Flask,
                                                staff_client: FlaskClient) -> None:
    response = upload(staff_client, None, title="", transcript="")
    assert response.status_code == 400
    for message in ("Bitte wählen Sie eine Videodatei aus.", "Bitte geben Sie einen Titel ein.",
                    "Bitte schreiben Sie den Inhalt des Videos als Text auf"):
        assert message in response.text
    assert count(DgsVideo) == 0 and files_in(app) == []


def test_an_oversized_video_is_refused_while_copying(app: Flask,
                                                     staff_client: FlaskClient) -> None:
    app.config["DGS_VIDEO_MAX_MB"] = 1
    response = upload(staff_client, mp4(body=b"\x00" * (1024 * 1024)))
    assert response.status_code == 413
    assert "Das Video ist zu groß: höchstens 1 MB" in response.text
    assert count(DgsVideo) == 0 and files_in(app) == []


def test_an_oversized_request_is_refused_before_it_is_read(
    app: Flask, staff_client: FlaskClient
) -> None:
    app.config["DGS_VIDEO_MAX_MB"] = 1
    response = upload(staff_client, mp4(body=b"\x00" * (2 * 1024 * 1024 + 100)))
    assert response.status_code == 413
    assert "Das Video ist zu groß: höchstens 1 MB" in response.text
    assert count(DgsVideo) == 0 and files_in(app) == []


def test_the_upload_url_alone_takes_more_than_the_app_limit(
    app: Flask, staff_client: FlaskClient
) -> None:
    """MAX_CONTENT_LENGTH (2 MB) holds everywhere else; the video page raises it for
    itself, to DGS_VIDEO_MAX_MB."""
    big = mp4(body=b"\x01" * (3 * 1024 * 1024))
    assert upload(staff_client, big).status_code == 303
    assert only_video().size == len(big)
    token = csrf_token(staff_client.get("/buero/aktuelles/neu").text)
    response = staff_client.post("/buero/rallyes/neu", data={
        "csrf_token": token, "x": "y" * (3 * 1024 * 1024)})
    assert response.status_code == 413


@pytest.mark.parametrize(("fields", "captions", "message"), [
    ({"title": ""}, None, "Bitte geben Sie einen Titel ein."),
    ({"transcript": "  "}, None, "Bitte schreiben Sie den Inhalt des Videos als Text auf"),
    ({}, b"1\n00:00:00,000 --> 00:00:01,000\nHallo\n", "keine WebVTT-Datei"),
    ({}, b"WEBVTT\n" + b"x" * (512 * 1024), "höchstens 512 KB"),
])
def test_missing_texts_and_bad_captions_are_refused_before_the_file_is_kept(
    app: Flask, staff_client: FlaskClient, fields: dict[str, str], captions: bytes | None,
    message: str
) -> None:
    response = upload(staff_client, mp4(), captions=captions, **fields)
    assert response.status_code == 400
    assert message in response.text
    assert count(DgsVideo) == 0 and files_in(app) == []


def test_the_same_video_twice_is_one_video(app: Flask, staff_client: FlaskClient) -> None:
    assert upload(staff_client, webm()).status_code == 303
    response = upload(staff_client, webm(), title="Noch einmal")
    assert response.status_code == 409
    assert "Dieses Video ist schon hochgeladen" in response.text
    video = only_video()
    assert video.title == "Die Website in Gebärdensprache"
    assert files_in(app) == [f"{video.sha256}.webm"]


def test_the_upload_needs_its_csrf_token(app: Flask, staff_client: FlaskClient) -> None:
    response = staff_client.post(PAGE, data={
        "title": "x", "transcript": "y", "video": (io.BytesIO(mp4()), "a.mp4")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert count(DgsVideo) == 0 and files_in(app) == []


def test_nobody_else_may_upload(app: Flask, client: FlaskClient) -> None:
    token = csrf_token(client.get("/anmelden").text)
    response = client.post(PAGE, data={"csrf_token": token, "title": "x", "transcript": "y",
                                       "video": (io.BytesIO(mp4()), "a.mp4")},
                           content_type="multipart/form-data")
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]
    assert count(DgsVideo) == 0 and files_in(app) == []
    # Only staff may send a body larger than the app's MAX_CONTENT_LENGTH (2 MB).
    boundary, body = encode_multipart({"csrf_token": token, "title": "x", "transcript": "y",
                                       "video": FileStorage(io.BytesIO(mp4(b"\0" * 3_000_000)),
                                                            filename="a.mp4")})
    response = client.post(PAGE, data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert count(DgsVideo) == 0 and files_in(app) == []


# --- the public page and the file ---------------------------------------------------------


def test_without_a_video_the_page_says_so_and_names_the_contact(
    app: Flask, client: FlaskClient
) -> None:
    page = client.get(PUBLIC)
    assert page.status_code == 200
    assert "noch in Arbeit" in page.text
    assert app.config["OFFICE"]["email"] in page.text and "<video" not in page.text


def test_every_page_links_the_sign_language_page(app: Flask, client: FlaskClient) -> None:
    for path in ("/", "/impressum", "/aktuelles"):
        assert 'href="/gebaerdensprache"' in client.get(path).text, path
    assert "Informationen in Gebärdensprache" in client.get("/").text


def show(client: FlaskClient, video: DgsVideo) -> None:
    """Press "Auf der Website zeigen"."""
    token = csrf_token(client.get(PAGE).text)
    response = client.post(f"{PAGE}/{video.id}/zeigen", data={"csrf_token": token})
    assert response.status_code == 303


@BOTH
def test_the_shown_video_plays_with_captions_and_its_text(
    app: Flask, staff_client: FlaskClient, client: FlaskClient
) -> None:
    data = mp4(body=bytes(range(256)) * 8)
    upload(staff_client, data, captions=CAPTIONS.encode(),
           transcript="## Willkommen\n\nHier finden Sie **alles**.<script>x()</script>")
    video = only_video()
    url = f"/medien/{video.sha256}.mp4"
    assert client.get(url).status_code == 404  # not shown yet: staff only
    preview = fetch(staff_client, url)
    assert preview.status_code == 200 and preview.headers["Cache-Control"] == "no-store"
    assert "<video" not in client.get(PUBLIC).text

    show(staff_client, video)
    page = client.get(PUBLIC).text
    assert f'<source src="{url}" type="video/mp4">' in page
    assert f'src="/medien/{video.sha256}.vtt"' in page and 'preload="none"' in page
    assert "<h2>Willkommen</h2>" in page and "<strong>alles</strong>" in page
    assert "<script>x()" not in page

    whole = fetch(client, url)
    assert whole.status_code == 200 and whole.data == data
    assert whole.headers["Content-Type"] == "video/mp4"
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    part = fetch(client, url, Range="bytes=100-199")
    assert part.status_code == 206 and part.data == data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    tail = fetch(client, url, Range="bytes=-10")
    assert tail.status_code == 206 and tail.data == data[-10:]
    again = fetch(client, url, **{"If-None-Match": whole.headers["ETag"]})
    assert again.status_code == 304

    captions = client.get(f"/medien/{video.sha256}.vtt")
    assert captions.status_code == 200 and captions.text == CAPTIONS
    assert captions.headers["Content-Type"].startswith("text/vtt")
    assert client.get(f"/medien/{video.sha256}.webm").status_code == 404
    assert client.get(f"/medien/{'0' * 64}.mp4").status_code == 404


def test_the_box_for_other_pages_appears_only_while_a_video_is_shown(
    app: Flask, staff_client: FlaskClient
) -> None:
    include = '{% include "office/_dgs_video.html" %}'
    with app.test_request_context("/leichte-sprache"):
        assert render_template_string(include).strip() == ""
    upload(staff_client, webm())
    show(staff_client, only_video())
    with app.test_request_context("/leichte-sprache"):
        assert 'href="/gebaerdensprache"' in render_template_string(include)


# --- showing, stopping, deleting --------------------------------------------------------


@BOTH
def test_one_video_is_shown_at_a_time(app: Flask, staff_client: FlaskClient) -> None:
    upload(staff_client, mp4(), title="Erstes Video")
    upload(staff_client, webm(), title="Zweites Video")
    first, second = db.session.scalars(select(DgsVideo).order_by(DgsVideo.id)).all()
    show(staff_client, first)
    show(staff_client, second)
    db.session.expire_all()
    assert (first.active, second.active) == (False, True)
    assert dgs_videos.active_video() == second
    with pytest.raises(Exception):  # noqa: B017,PT011  (the partial UNIQUE index)
        first.active = True
        db.session.flush()
    db.session.rollback()

    token = csrf_token(staff_client.get(PAGE).text)
    response = staff_client.post(f"{PAGE}/{second.id}/ausblenden", data={"csrf_token": token})
    assert response.status_code == 303
    assert dgs_videos.active_video() is None
    assert "noch in Arbeit" in staff_client.get(PUBLIC).text
    assert audits() == ["dgs_video.upload", "dgs_video.upload", "dgs_video.activate",
                        "dgs_video.activate", "dgs_video.deactivate"]


def test_delete_asks_first_and_removes_the_file(app: Flask, staff_client: FlaskClient,
                                                client: FlaskClient) -> None:
    upload(staff_client, mp4())
    video = only_video()
    show(staff_client, video)
    url = f"{PAGE}/{video.id}/loeschen"
    ask = staff_client.get(url)
    assert ask.status_code == 200
    assert "steht gerade auf der Website" in ask.text
    assert count(DgsVideo) == 1 and files_in(app) == [f"{video.sha256}.mp4"]

    response = staff_client.post(url, data={"csrf_token": csrf_token(ask.text)})
    assert response.status_code == 303
    assert count(DgsVideo) == 0 and files_in(app) == []
    assert client.get(f"/medien/{video.sha256}.mp4").status_code == 404
    assert "noch in Arbeit" in client.get(PUBLIC).text
    assert audits()[-1] == "dgs_video.delete"
    assert staff_client.post(url, data={"csrf_token": csrf_token(ask.text)}).status_code == 404


def test_get_changes_nothing(app: Flask, staff_client: FlaskClient,
                             client: FlaskClient) -> None:
    upload(staff_client, mp4())
    video = only_video()
    before = (count(AuditEvent), files_in(app))
    for path in (PAGE, f"{PAGE}/{video.id}/loeschen", PUBLIC, f"/medien/{video.sha256}.mp4"):
        fetch(staff_client, path)
    for path in (f"{PAGE}/{video.id}/zeigen", f"{PAGE}/{video.id}/ausblenden"):
        assert staff_client.get(path).status_code == 405
    assert only_video().active is False
    assert (count(AuditEvent), files_in(app)) == before


def test_actions_need_their_csrf_token(app: Flask, staff_client: FlaskClient) -> None:
    upload(staff_client, mp4())
    video = only_video()
    assert staff_client.post(f"{PAGE}/{video.id}/zeigen").status_code == 400
    assert staff_client.post(f"{PAGE}/{video.id}/loeschen").status_code == 400
    assert only_video().active is False and len(files_in(app)) == 1


def test_the_back_office_pages_are_never_cached(staff_client: FlaskClient) -> None:
    assert staff_client.get(PAGE).headers["Cache-Control"] == "no-store"


@BOTH
def test_two_videos_shown_at_once_leave_one_shown_and_no_error(app: Flask) -> None:
    """Two staff press "zeigen" on two videos at the same moment: both succeed, in turn,
    and one video is shown (the unique index never has to refuse)."""
    ids = []
    for n in range(2):
        row = DgsVideo(sha256=f"{n}" * 64, mime="video/mp4", size=1000, title=f"DGS {n}",
                       transcript="Der Inhalt als Text.", uploaded_at=FIRST_DAY)
        db.session.add(row)
        db.session.flush()
        ids.append(row.id)
    db.session.commit()

    def press(i: int) -> bool:
        dgs_videos.activate(video_id=ids[i], now=FIRST_DAY, actor_id=None)
        return True

    assert all_at_once(app, press, n=2) == [True, True]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(DgsVideo).where(
        DgsVideo.active.is_(True))) == 1
