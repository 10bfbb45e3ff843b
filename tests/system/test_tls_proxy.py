"""The production set-up of docs/deploy.md, for real: nginx terminating TLS in front of
gunicorn with the documented environment and Redis, and a phone's Chromium going
through it from a scan to the back office.

The nginx server blocks, the environment file and the systemd ``ExecStart`` are read
from docs/deploy.md; only addresses, paths and the certificate are replaced, so the
documentation and what runs here cannot drift apart. nginx runs in the foreground as a
single process with its configuration, pid, logs and temporary files in the test's
directory, on free ports of 127.0.0.1, with a certificate the test makes itself.
"""

import http.client
import os
import re
import runpy
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pyotp
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Response, expect

from app.services.demo import DEMO_LOGIN_FILE, DEMO_STAFF_EMAIL

from ..conftest import IN_CI
from .conftest import (
    BIN,
    ROOT,
    Server,
    SystemDb,
    clean_environ,
    free_port,
    redis_server,
    wait_until_up,
)

DEPLOY = ROOT / "docs" / "deploy.md"
PHONE = {"width": 390, "height": 844}
HOST = "127.0.0.1"
# The documented values the test replaces; everything else is used as written.
DOC_APP_DIR = "/srv/rallye/app/"
DOC_CERT = "/etc/letsencrypt/live/rallye.example.org/fullchain.pem"
DOC_KEY = "/etc/letsencrypt/live/rallye.example.org/privkey.pem"
DOC_UPSTREAM = "127.0.0.1:8000"
REPLACED_ENV = {"DATABASE_URL", "RATELIMIT_STORAGE_URI", "FLASK_BASE_URL", "INSTANCE_PATH"}
# The longest request line gunicorn takes (gunicorn.conf.py's limit_request_line).
GUNICORN_LINE_LIMIT = int(runpy.run_path(str(ROOT / "gunicorn.conf.py"))["limit_request_line"])
HSTS = "strict-transport-security"


def missing(what: str) -> NoReturn:
    """Skip the module for a missing tool, or fail in CI, where nothing may be skipped."""
    if IN_CI:
        pytest.fail(f"CI=true but {what}")
    pytest.skip(what)


# --------------------------------------------------------------------------- the docs


def doc_block(language: str, containing: str) -> str:
    """The one code block of docs/deploy.md in ``language`` that contains ``containing``."""
    text = DEPLOY.read_text(encoding="utf-8")
    blocks = [
        body
        for lang, body in re.findall(r"^```(\w+)\n(.*?)^```", text, re.M | re.S)
        if lang == language and containing in body
    ]
    assert len(blocks) == 1, f"docs/deploy.md: {len(blocks)} {language} blocks with {containing!r}"
    return str(blocks[0])


def replace(text: str, old: str, new: str, count: int = 1) -> str:
    """``text`` with ``old`` replaced, which must occur exactly ``count`` times."""
    found = text.count(old)
    assert found == count, f"docs/deploy.md: {old!r} occurs {found} times, expected {count}"
    return text.replace(old, new)


def environment_file(text: str) -> dict[str, str]:
    """The assignments of an environment file as systemd's ``EnvironmentFile=`` reads it.

    Only whole lines are comments; everything after the ``=`` is the value, a trailing
    ``# ...`` included (quotes around the whole value are removed).
    """
    env: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        key, sep, value = line.partition("=")
        assert sep, f"not an assignment: {raw!r}"
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        env[key.strip()] = value
    return env


def documented_environment() -> dict[str, str]:
    """The documented /etc/rallye.env, as systemd hands it to the service."""
    return environment_file(doc_block("sh", "FLASK_PRODUCTION="))


def documented_command() -> list[str]:
    """The ``ExecStart`` of the documented systemd unit, with this checkout's gunicorn."""
    unit = doc_block("ini", "bin/gunicorn")
    (line,) = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    args = shlex.split(line.removeprefix("ExecStart="))
    args[0] = replace(args[0], DOC_APP_DIR + ".venv/bin/", str(BIN) + "/")
    return args


def documented_site(
    *, https_port: int, http_port: int, upstream: str, cert: Path, key: Path
) -> str:
    """The documented nginx server blocks with this test's addresses, paths and keys."""
    site = doc_block("nginx", "proxy_pass")
    site = replace(site, DOC_CERT, str(cert))
    site = replace(site, DOC_KEY, str(key))
    site = replace(site, "server_name rallye.example.org;", f"server_name {HOST};", count=2)
    site = replace(site, "listen 443 ssl", f"listen {HOST}:{https_port} ssl")
    site = replace(site, "listen 80;", f"listen {HOST}:{http_port};")
    site = replace(site, f"alias {DOC_APP_DIR}app/static/;", f"alias {ROOT}/app/static/;")
    # Two locations pass to gunicorn: the site, and the sign-language video's upload.
    return replace(site, f"proxy_pass http://{DOC_UPSTREAM};", f"proxy_pass http://{upstream};",
                   count=2)


# --------------------------------------------------------------------------- the processes


def nginx_binary() -> str:
    """Debian's nginx (in /usr/sbin, which an ordinary user's PATH may lack)."""
    found = shutil.which(
        "nginx", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    )
    if found is None:
        missing("nginx is not installed (apt-get install nginx)")
    return str(found)


def mime_types(nginx: str) -> Path:
    """The mime.types beside the package's own nginx.conf."""
    version = subprocess.run(  # noqa: S603
        [nginx, "-V"], capture_output=True, text=True, check=True, timeout=10
    ).stderr
    conf = re.search(r"--conf-path=(\S+)", version)
    path = Path(conf.group(1) if conf else "/etc/nginx/nginx.conf").parent / "mime.types"
    if not path.exists():
        missing(f"{path} is missing (package nginx-common)")
    return path


def self_signed_certificate(tmp: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, valid for two days, and its key (openssl CLI)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        missing("openssl is not installed")
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(  # noqa: S603
        [
            str(openssl), "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", f"/CN={HOST}",
            "-addext", f"subjectAltName=IP:{HOST}", "-keyout", str(key), "-out", str(cert),
        ],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return cert, key


def nginx_conf(tmp: Path, mime: Path, site: str) -> str:
    """A whole nginx.conf around ``site``: foreground, one process, everything in ``tmp``.

    The ``http`` block stands for Debian's nginx.conf, which holds the site files.
    """
    temp = "\n".join(
        f"    {kind}_temp_path {tmp / ('nginx-' + kind)};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""daemon off;
master_process off;
pid {tmp / "nginx.pid"};
error_log {tmp / "nginx-error.log"} info;
events {{ worker_connections 512; }}
http {{
    include {mime};
    default_type application/octet-stream;
    access_log off;
{temp}

{site}
}}
"""


def connects(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:``port``."""
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


def stop(proc: subprocess.Popen[bytes], *, group: bool = False) -> None:
    """SIGTERM, then SIGKILL after 10 s; ``group`` for a process with children."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if proc.poll() is not None:
            break
        try:
            os.killpg(proc.pid, sig) if group else proc.send_signal(sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            continue
    if group:  # workers whose master died first
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait(timeout=10)


@dataclass
class Site:
    """The running stack: nginx's addresses, the certificate and everyone's logs."""

    base_url: str  # https://127.0.0.1:<https_port>, through nginx
    https_port: int
    http_port: int  # nginx's plain-HTTP server (the redirect)
    app_port: int  # gunicorn itself, behind nginx's back
    cert: Path
    tmp: Path
    staff_password: str

    def url(self, path: str) -> str:
        """The https URL of ``path`` on the site."""
        return self.base_url + path

    def failure_logs(self) -> str:
        """The logs of nginx, gunicorn and Redis (added to the report of a failed test)."""
        parts = []
        for name in ("nginx-error.log", "gunicorn.log", "redis.log"):
            path = self.tmp / name
            text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
            parts.append(f"----- {name}\n{text}")
        return "\n".join(parts)


@contextmanager
def documented_gunicorn(tmp: Path, env: dict[str, str], port: int) -> Iterator[Server]:
    """gunicorn as the documented unit starts it, bound to 127.0.0.1:``port``."""
    log_path = tmp / "gunicorn.log"
    with log_path.open("ab") as log:
        proc = subprocess.Popen(  # noqa: S603
            documented_command(), cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    server = Server(proc, f"http://{HOST}:{port}", log_path, tmp / "no-access-log")
    try:
        wait_until_up(server)
        yield server
    finally:
        stop(proc, group=True)


@contextmanager
def nginx(tmp: Path, site: str, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """nginx in the foreground with ``site``; waits until it listens on ``port``."""
    binary = nginx_binary()
    conf = tmp / "nginx.conf"
    conf.write_text(nginx_conf(tmp, mime_types(binary), site), encoding="utf-8")
    error_log = tmp / "nginx-error.log"
    with error_log.open("ab") as log:
        proc = subprocess.Popen(  # noqa: S603
            [binary, "-e", str(error_log), "-p", f"{tmp}/", "-c", str(conf)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 15
        while not connects(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"nginx did not start:\n{error_log.read_text()}\n{conf.read_text()}")
            time.sleep(0.05)
        yield proc
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def site(system_db: SystemDb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Redis, gunicorn and nginx as docs/deploy.md sets them up, on the demo database."""
    tmp = tmp_path_factory.mktemp("tls")
    ports: set[int] = set()
    while len(ports) < 3:
        ports.add(free_port())
    https_port, http_port, app_port = sorted(ports)
    base_url = f"https://{HOST}:{https_port}"
    cert, key = self_signed_certificate(tmp)
    site_conf = documented_site(
        https_port=https_port,
        http_port=http_port,
        upstream=f"{HOST}:{app_port}",
        cert=cert,
        key=key,
    )
    documented = documented_environment()
    assert REPLACED_ENV <= documented.keys(), documented
    assert documented["FLASK_PRODUCTION"] == "true", documented
    assert documented["FLASK_PROXY_FIX_X_FOR"] == "1", documented
    commented = {key: value for key, value in documented.items() if "#" in value}
    assert not commented, f"systemd keeps an inline comment in the value: {commented}"
    with ExitStack() as stack:
        _redis, redis_port = stack.enter_context(redis_server(tmp))
        env = clean_environ()
        env.update(documented)
        env.update(
            DATABASE_URL=system_db.url,
            RATELIMIT_STORAGE_URI=f"redis://{HOST}:{redis_port}/0",
            FLASK_BASE_URL=base_url,
            # The demo's login file is there (tests/system/conftest.py, prepare_database).
            INSTANCE_PATH=str(system_db.tmp / "instance"),
            # gunicorn.conf.py's loopback bind, on a free port instead of 8000.
            GUNICORN_BIND=f"{HOST}:{app_port}",
        )
        stack.enter_context(documented_gunicorn(tmp, env, app_port))
        stack.enter_context(nginx(tmp, site_conf, https_port))
        password = (system_db.tmp / "instance" / DEMO_LOGIN_FILE).read_text().strip()
        yield Site(base_url, https_port, http_port, app_port, cert, tmp, password)


# --------------------------------------------------------------------------- clients


@dataclass
class Answer:
    """One answer, read completely."""

    status: int
    headers: http.client.HTTPMessage
    text: str

    def count(self, header: str) -> int:
        """How many times ``header`` occurs."""
        return len(self.headers.get_all(header) or [])

    @property
    def from_app(self) -> bool:
        """Whether the app answered (it sets a CSP on everything, nginx and gunicorn none)."""
        return self.count("Content-Security-Policy") == 1


def fetch(
    conn: http.client.HTTPConnection,
    target: str,
    headers: dict[str, str],
    *,
    method: str = "GET",
    body: bytes | None = None,
) -> Answer:
    """Send one request on ``conn``, read the answer and close the connection."""
    try:
        conn.request(method, target, body=body, headers={"Accept-Language": "de-DE", **headers})
        response = conn.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        return Answer(response.status, response.headers, text)
    finally:
        conn.close()


def via_nginx(
    site: Site, target: str, *, method: str = "GET", body: bytes | None = None, **headers: str
) -> Answer:
    """A request through nginx over TLS, checking the certificate against the test's own."""
    context = ssl.create_default_context(cafile=str(site.cert))
    conn = http.client.HTTPSConnection(HOST, site.https_port, context=context, timeout=30)
    return fetch(conn, target, headers, method=method, body=body)


def plain_get(port: int, target: str, **headers: str) -> Answer:
    """GET over plain HTTP on 127.0.0.1:``port``."""
    return fetch(http.client.HTTPConnection(HOST, port, timeout=30), target, headers)


# --------------------------------------------------------------------------- the tests


def submit(page: Page, button: str, status: int = 303) -> None:
    """Press a form's button; its POST must be answered with ``status`` (a redirect)."""
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name=button).click()
    answer = posted.value
    assert answer.status == status, f"POST {answer.url}: {answer.status}\n{answer.text()[:400]}"


@pytest.mark.browser
def test_a_phone_goes_from_scan_to_back_office_through_tls(
    site: Site, system_db: SystemDb, browser: Browser
) -> None:
    """Scan, tap, ten stamps, entry, staff login, dashboard: no 400, no 5xx, all HTTPS."""
    context: BrowserContext = browser.new_context(
        viewport=PHONE, locale="de-DE", ignore_https_errors=True
    )
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        responses: list[Response] = []
        page.on("response", lambda response: responses.append(response))

        for count, token in enumerate(system_db.tokens[:10], start=1):
            page.goto(site.url(f"/s/{token}"))
            submit(page, "Stempel einsammeln")
            page.wait_for_url(site.url("/karte"))
            expect(page.get_by_role("heading", name=f"Stempel {count}!")).to_be_visible()
        protocol = page.evaluate("performance.getEntriesByType('navigation')[0].nextHopProtocol")
        assert protocol == "h2"  # the documented "listen 443 ssl http2"

        page.get_by_role("link", name="Jetzt an der Verlosung teilnehmen").click()
        page.wait_for_url(site.url("/karte/teilnahme"))
        page.get_by_label("Dein Name").fill("Erika Musterfrau")
        page.get_by_label("E-Mail-Adresse oder Telefonnummer").fill("erika@example.org")
        page.get_by_label("Ich bin mindestens 16 Jahre alt.").check()
        page.get_by_label("Ich akzeptiere die Teilnahmebedingungen").check()
        submit(page, "Jetzt teilnehmen")
        page.wait_for_url(site.url("/karte"))
        expect(page.get_by_text("Du bist im Lostopf").first).to_be_visible()

        page.goto(site.url("/anmelden"))
        page.get_by_label("E-Mail-Adresse").fill(DEMO_STAFF_EMAIL)
        page.get_by_label("Passwort").fill(site.staff_password)
        submit(page, "Anmelden")
        # In production an admin without two-factor log-in must set it up first.
        page.wait_for_url(site.url("/buero/konto/zwei-faktor"))
        submit(page, "Einrichtung beginnen")
        secret = (page.locator(".totp-secret").text_content() or "").replace(" ", "")
        page.get_by_label("Code aus der App").fill(pyotp.TOTP(secret).now())
        submit(page, "Einschalten", status=200)  # the recovery codes, shown this once
        expect(page.locator(".recovery-codes li")).to_have_count(10)
        page.goto(site.url("/buero/"))
        expect(page.get_by_role("heading", name="Übersicht", level=1)).to_be_visible()

        cookies = {cookie["name"]: cookie for cookie in context.cookies()}
        for name in ("stempelkarte", "sitzung"):
            assert cookies[name]["secure"], cookies[name]
            assert cookies[name]["httpOnly"], cookies[name]

        seen = [(r.request.method, r.url, r.status) for r in responses]
        assert all(url.startswith(site.base_url + "/") for _m, url, _s in seen), seen
        failed = [entry for entry in seen if entry[2] >= 400]
        assert not failed, failed
        posts = [entry for entry in seen if entry[0] == "POST"]
        # Ten taps, the entry, the login, starting and confirming the two-factor log-in.
        assert len(posts) == 14, posts
        assert [status for _m, _u, status in posts].count(303) == 13, posts
        for response in responses:
            headers = response.headers_array()
            hsts = [h["value"] for h in headers if h["name"].lower() == HSTS]
            assert hsts == ["max-age=63072000; includeSubDomains"], (response.url, hsts)
        documents = [r for r in responses if r.request.resource_type == "document"]
        assert all(r.header_value("referrer-policy") == "same-origin" for r in documents)
        # The stylesheet came from nginx's static location, straight from disk.
        styles = [r for r in responses if r.url.endswith("/static/css/site.css")]
        assert styles
        for css in styles:
            assert css.header_value("cache-control") == "max-age=604800"
            assert (css.header_value("content-type") or "").startswith("text/css")
    finally:
        context.close()

    entries = system_db.scalar("SELECT count(*) FROM entries WHERE contact = 'erika@example.org'")
    assert entries == 1


def test_nginx_refuses_oversized_requests_before_gunicorn(site: Site) -> None:
    """nginx's limits sit just below gunicorn's: what passes nginx reaches the app.

    gunicorn's own answers to oversized requests are English and lack the app's headers.
    """
    # "GET <target> HTTP/1.1" at gunicorn's limit passes nginx and gets the app's 404.
    target = "/" + "x" * (GUNICORN_LINE_LIMIT - len("GET / HTTP/1.1"))
    assert len(f"GET {target} HTTP/1.1") == GUNICORN_LINE_LIMIT
    longest = via_nginx(site, target)
    assert longest.status == 404 and longest.from_app, longest.text[:300]
    assert '<html lang="de">' in longest.text

    # One byte more: nginx answers itself, with HSTS.
    too_long = via_nginx(site, target + "x")
    assert too_long.status == 414, too_long.text[:300]
    assert "nginx" in too_long.text and not too_long.from_app
    assert too_long.count("Strict-Transport-Security") == 1
    # Without nginx, gunicorn would have answered that request itself: not the app either.
    direct = plain_get(site.app_port, target + "x")
    assert direct.status >= 400 and not direct.from_app

    big_header = via_nginx(site, "/", **{"X-Filler": "y" * 4096})
    assert big_header.status == 400, big_header.text[:300]
    assert "Request Header Or Cookie Too Large" in big_header.text
    assert not big_header.from_app

    form = {"Content-Type": "application/x-www-form-urlencoded"}
    big_body = via_nginx(site, "/stempel", method="POST", body=b"c" * (2 * 1024 * 1024 + 1), **form)
    assert big_body.status == 413 and not big_body.from_app, big_body.text[:300]

    # The sign-language video's upload URL alone lets a larger body through to the app
    # (which takes it only from staff: anyone else gets the app's own 413).
    video = {"Content-Type": "multipart/form-data; boundary=x"}
    upload = via_nginx(site, "/buero/gebaerdensprache", method="POST",
                       body=b"v" * (3 * 1024 * 1024), **video)
    assert upload.status == 413 and upload.from_app, upload.text[:300]
    assert '<html lang="de">' in upload.text


def test_the_app_answers_only_to_its_own_host_through_nginx(site: Site) -> None:
    own = via_nginx(site, "/")
    assert own.status == 200 and own.from_app
    assert own.count("Strict-Transport-Security") == 1

    foreign = via_nginx(site, "/buero", Host="evil.example")
    assert foreign.status == 400 and foreign.from_app, foreign.text[:300]
    assert "Unbekannte Adresse" in foreign.text
    assert "Location" not in foreign.headers


def test_plain_http_is_redirected_to_https(site: Site) -> None:
    answer = plain_get(site.http_port, "/karte")
    assert answer.status == 301
    assert answer.headers["Location"] == f"https://{HOST}/karte"
