"""QR codes, posters and token rotation: every generated code decodes to its URL."""

import io
import shutil
import subprocess
from pathlib import Path

import cairosvg
import pytest
import zxingcpp
from flask import Flask
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Station
from app.services import printset, qr
from app.services.emblem import emblem_svg
from app.services.posters import PAPER, QR_WIDTH_A4
from app.services.rallies import active_stations

from .conftest import IN_CI
from .helpers import csrf_token, make_rally, make_station

BASE = "https://rallye.example.test"
MM_PER_POINT = 25.4 / 72


def decode(image: Image.Image) -> list[str]:
    """Every QR code zxing-cpp finds in ``image``."""
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [result.text for result in found]


def decode_png(data: bytes) -> list[str]:
    """Decode a PNG file's content."""
    return decode(Image.open(io.BytesIO(data)))


def decode_svg(data: bytes) -> list[str]:
    """Render an SVG on white (cairosvg) and decode it."""
    png = cairosvg.svg2png(bytestring=data, output_width=500, background_color="white")
    return decode_png(png)


@pytest.fixture
def demo(app: Flask, runner, tmp_path: Path, freeze) -> list[Station]:
    """The 40 demo shops with stations, in poster order (clock frozen on 1 December)."""
    app.instance_path = str(tmp_path / "instance")
    assert runner.invoke(args=["demo"]).exit_code == 0
    rally_id = db.session.scalars(select(Station.rally_id)).first()
    return active_stations(rally_id)


def export(runner, out: Path, *extra: str) -> "object":
    """Run ``qr export`` into ``out``."""
    return runner.invoke(args=["qr", "export", "--out", str(out), "--base-url", BASE, *extra])


def test_export_writes_a_decodable_print_set(runner, demo: list[Station], tmp_path: Path) -> None:
    out = tmp_path / "print"
    result = export(runner, out)
    assert result.exit_code == 0, result.output
    assert len(list(out.iterdir())) == 3 * 40 + 1
    for station in demo:
        url = f"{BASE}/s/{station.token}"
        slug = station.shop.slug
        assert decode_png((out / f"{slug}.png").read_bytes()) == [url], slug
        assert decode_png((out / f"{slug}-branded.png").read_bytes()) == [url], slug
        assert decode_svg((out / f"{slug}.svg").read_bytes()) == [url], slug
    reader = PdfReader(out / "posters.pdf")
    assert len(reader.pages) == 40
    assert demo[0].shop.name in reader.pages[0].extract_text()


def test_svg_is_scalable_print_quality(demo: list[Station]) -> None:
    url = f"{BASE}/s/{demo[0].token}"
    svg = qr.print_svg(url).decode()
    assert 'viewBox="0 0 ' in svg and 'width="60mm"' in svg
    assert 'fill="#fff"' in svg  # white background, not transparent
    code = qr.symbol(url)
    assert code.error in ("M", "Q", "H")
    # Quiet zone of four modules on each side of the symbol.
    side = code.symbol_size(border=4)[0]
    assert f'viewBox="0 0 {side} {side}"' in svg


def test_first_poster_page_scans(runner, demo: list[Station], tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        if IN_CI:
            pytest.fail("pdftoppm (poppler-utils) is missing in CI")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    out = tmp_path / "print"
    assert export(runner, out).exit_code == 0
    subprocess.run(
        ["pdftoppm", "-r", "100", "-f", "1", "-l", "1", "-png", str(out / "posters.pdf"),
         str(tmp_path / "page")],
        check=True,
    )
    page = next(tmp_path.glob("page*.png"))
    assert decode(Image.open(page)) == [f"{BASE}/s/{demo[0].token}"]


@pytest.mark.parametrize("paper", ["a4", "a5"])
def test_poster_paper_sizes(runner, demo: list[Station], tmp_path: Path, paper: str) -> None:
    out = tmp_path / paper
    assert export(runner, out, "--format", paper).exit_code == 0
    box = PdfReader(out / "posters.pdf").pages[0].mediabox
    width, height = PAPER[paper]
    assert abs(float(box.width) * MM_PER_POINT - width) < 0.5
    assert abs(float(box.height) * MM_PER_POINT - height) < 0.5
    assert QR_WIDTH_A4 * width / PAPER["a4"][0] >= 60  # the QR stays at least 6 cm wide


def test_default_directory_is_per_rally(app: Flask, demo: list[Station], tmp_path: Path) -> None:
    from app import clock

    result = printset.export_print_set(
        rally_slug=None, out=None, base_url=BASE, paper="a4", office=app.config["OFFICE"],
        default_root=tmp_path / "qr_codes", now=clock.utcnow(),
    )
    assert result.directory == tmp_path / "qr_codes" / demo[0].rally.slug
    assert (result.directory / "posters.pdf").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rally", "gibt-es-nicht"], "Diese Rallye gibt es nicht"),
        (["--base-url", "rallye.example.test"], "http:// oder https://"),
        (["--base-url", "ftp://rallye.example.test"], "http:// oder https://"),
        (["--base-url", "https://rallye.example.test/?x=1"], "http:// oder https://"),
    ],
)
def test_export_refuses_bad_input(runner, demo, tmp_path: Path, args, message) -> None:
    out = tmp_path / "print"
    result = runner.invoke(args=["qr", "export", "--out", str(out), "--base-url", BASE, *args])
    assert result.exit_code != 0
    assert message in result.output
    assert not out.exists()


def test_export_refuses_an_unwritable_directory(runner, demo, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = export(runner, blocker / "print")
    assert result.exit_code != 0
    assert "kann nicht geschrieben werden" in result.output
    assert blocker.read_text() == "not a directory"


def test_failed_write_leaves_no_partial_files(
    runner, demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "print"
    real_write = Path.write_bytes
    calls = {"n": 0}

    def flaky_write(self: Path, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] > 10:
            raise OSError(28, "No space left on device")
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", flaky_write)
    result = export(runner, out)
    assert result.exit_code != 0
    assert not out.exists()


def test_static_emblem_is_the_generated_one() -> None:
    static = Path(__file__).parent.parent / "app" / "static" / "img" / "emblem.svg"
    assert static.read_text(encoding="utf-8") == emblem_svg()


def test_rotation_retires_the_old_code(app: Flask, client, runner, freeze) -> None:
    station = make_station(make_rally())
    db.session.commit()
    old_token, old_code, shop = station.token, station.short_code, station.shop
    page = client.get(f"/s/{old_token}")
    client.post(f"/s/{old_token}", data={"csrf_token": csrf_token(page.text)})

    result = runner.invoke(args=["qr", "rotate", shop.slug, "--rally", station.rally.slug])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    fresh = db.session.get(Station, station.id)
    assert fresh.token != old_token and fresh.short_code != old_code
    assert fresh.token in result.output

    gone = client.get(f"/s/{old_token}")
    assert gone.status_code == 410
    assert "Dieser Code wurde ersetzt" in gone.text and shop.name in gone.text
    token = csrf_token(client.get("/stempel").text)
    assert client.post(f"/s/{old_token}", data={"csrf_token": token}).status_code == 410
    typed = client.post("/stempel", data={"csrf_token": token, "code": old_code})
    assert typed.status_code == 400 and "Dieser Code wurde ersetzt" in typed.text
    # The stamp from before the rotation is still on the card.
    assert shop.name in client.get("/karte").text.split("Gestempelt")[1]
    assert client.get(f"/s/{fresh.token}").status_code == 200
    assert client.get("/s/" + "B" * 22).status_code == 404
    rotations = select(AuditEvent).where(AuditEvent.action == "station.rotate")
    event = db.session.scalars(rotations).one()
    assert event.subject == shop.slug and old_token not in str(event.details)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["qr", "rotate", "gibt-es-nicht"], "Diesen Laden gibt es nicht"),
        (["qr", "rotate", "x", "--rally", "nope"], "Diese Rallye gibt es nicht"),
    ],
)
def test_rotation_refuses_bad_input(app: Flask, runner, freeze, args, message) -> None:
    make_station(make_rally())
    db.session.commit()
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and message in result.output


def test_poster_page_prints_the_station(client, freeze) -> None:
    station = make_station(make_rally())
    db.session.commit()
    response = client.get(f"/s/{station.token}/plakat")
    assert response.status_code == 200
    assert "Scannen – Stempeln – Gewinnen" in response.text
    assert station.shop.name in response.text
    assert f"{station.short_code[:3]} {station.short_code[3:]}" in response.text
    assert "poster.css" in response.text
    assert client.get("/s/" + "C" * 22 + "/plakat").status_code == 404
