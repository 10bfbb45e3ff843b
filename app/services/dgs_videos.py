"""The site's sign-language (DGS) video: checking an upload, keeping its file, showing one.

A video is checked by its first bytes, never by its name: an MP4 (ISO base media file
with an ``ftyp`` box at offset 4 and a video brand) or a WebM (an EBML header whose
DocType is ``webm``). The upload is copied in chunks into a private temporary file in
the media folder, hashed on the way, and renamed to ``<sha256>.<ext>`` (an atomic
``os.replace``) only once it is complete and within the size limit; every refusal
removes the temporary file, so nothing of a refused upload stays behind. Memory holds
one chunk at a time, never the video.

The row in ``dgs_videos`` holds title, text alternative and captions. Every change runs
in one write transaction and is audited (``dgs_video.upload``, ``dgs_video.activate``,
``dgs_video.deactivate``, ``dgs_video.delete``); a refusal is an ``EditError`` with a
stable code and leaves nothing written. Deleting a video removes its file after the
commit.
"""

import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..control_characters import has_control_characters
from ..db import begin_write
from ..extensions import db
from ..models import DgsVideo
from ..private_files import FILE_MODE, private_directory
from .editing import EditError, audit, refuse
from .errors import Problem

log = logging.getLogger(__name__)

TITLE_MAX = 120
TRANSCRIPT_MAX = 20_000
CAPTIONS_MAX_BYTES = 512 * 1024  # an hour of captions is about 100 KB
CHUNK = 1024 * 1024
HEAD = 4096  # bytes read to recognise the format
EXTENSIONS = {"video/mp4": "mp4", "video/webm": "webm"}
MIME_BY_EXTENSION = {ext: mime for mime, ext in EXTENSIONS.items()}
# Major brands of ISO base media files that browsers play as video/mp4. Not among them:
# QuickTime ("qt  "), audio ("M4A "), and the still images in the same container
# (HEIF "heic"/"mif1", AVIF "avif").
MP4_BRANDS = frozenset({
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1",
    b"M4V ", b"M4VP", b"dash", b"mmp4", b"MSNV", b"f4v ",
})
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
EBML_DOCTYPE = b"\x42\x82"


class VideoError(EditError):
    """An upload refused. Codes: ``empty``, ``too_large`` (``max_mb``), ``not_a_video``
    (neither MP4 nor WebM by its content), ``captions_not_webvtt``,
    ``captions_too_large``, ``already_uploaded``, ``unknown_video``, ``conflict``."""


@dataclass(frozen=True)
class StoredFile:
    """A checked video file in the media folder, named by its digest."""

    sha256: str
    mime: str
    size: int
    path: Path


def file_name(sha256: str, mime: str) -> str:
    """The name of a video's file in the media folder (and the last part of its URL)."""
    return f"{sha256}.{EXTENSIONS[mime]}"


# ---------------------------------------------------------------------------
# Recognising the format
# ---------------------------------------------------------------------------


def _is_mp4(head: bytes) -> bool:
    """An ISO base media file whose first box is ``ftyp`` with a video brand."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return False
    box_size = int.from_bytes(head[0:4], "big")
    return box_size >= 16 and head[8:12] in MP4_BRANDS


def _ebml_number(data: bytes, at: int, *, keep_marker: bool) -> tuple[int, int] | None:
    """An EBML variable-length number at ``at``: its value and the offset after it.

    Element IDs keep their length marker bit (``keep_marker``), sizes do not. ``None``
    if the bytes end first or the first byte is zero (no valid length).
    """
    if at >= len(data) or data[at] == 0:
        return None
    first = data[at]
    length = 8 - first.bit_length() + 1
    if at + length > len(data):
        return None
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[at + 1:at + length]:
        value = (value << 8) | byte
    return value, at + length


def _is_webm(head: bytes) -> bool:
    """An EBML header (1A 45 DF A3) whose DocType element says ``webm``."""
    if not head.startswith(EBML_MAGIC):
        return False
    size = _ebml_number(head, 4, keep_marker=False)
    if size is None:
        return False
    header_size, at = size
    end = min(len(head), at + header_size)
    while at < end:
        element = _ebml_number(head, at, keep_marker=True)
        if element is None:
            return False
        element_id, at = element
        length = _ebml_number(head, at, keep_marker=False)
        if length is None:
            return False
        element_size, at = length
        if element_id == int.from_bytes(EBML_DOCTYPE, "big"):
            return head[at:at + element_size] == b"webm"
        at += element_size
    return False


def video_type(head: bytes) -> str | None:
    """``video/mp4`` or ``video/webm`` from a file's first bytes; ``None`` for anything
    else (a picture, a page, a QuickTime or Matroska file)."""
    if _is_mp4(head):
        return "video/mp4"
    if _is_webm(head):
        return "video/webm"
    return None


def check_captions(data: bytes) -> str:
    """WebVTT captions as text: UTF-8 (a byte order mark dropped), the signature
    ``WEBVTT`` first, followed by a space, a tab or the line's end. Else ``VideoError``."""
    if len(data) > CAPTIONS_MAX_BYTES:
        raise VideoError("captions_too_large", max_kb=CAPTIONS_MAX_BYTES // 1024)
    try:
        captions = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise VideoError("captions_not_webvtt") from error
    captions = captions.replace("\r\n", "\n").replace("\r", "\n")
    if not captions.startswith("WEBVTT") or captions[6:7] not in ("", " ", "\t", "\n"):
        raise VideoError("captions_not_webvtt")
    if has_control_characters(captions.replace("\n", "").replace("\t", "")):
        raise VideoError("captions_not_webvtt")
    return captions


# ---------------------------------------------------------------------------
# Keeping the file
# ---------------------------------------------------------------------------


def _head(stream: IO[bytes]) -> bytes:
    """The first ``HEAD`` bytes of ``stream`` (fewer if it is shorter)."""
    parts: list[bytes] = []
    size = 0
    while size < HEAD:
        part = stream.read(HEAD - size)
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def store_file(stream: IO[bytes], *, folder: Path, max_bytes: int) -> StoredFile:
    """Check the video in ``stream`` and keep it as ``folder/<sha256>.<ext>``.

    Refused (``VideoError``, nothing left in ``folder``): ``empty``, ``not_a_video``,
    ``too_large``. The same video uploaded again lands on its own file again.
    """
    head = _head(stream)
    if not head:
        raise VideoError("empty")
    mime = video_type(head)
    if mime is None:
        raise VideoError("not_a_video")
    private_directory(folder)
    partial = folder / f".upload-{secrets.token_hex(8)}.part"
    digest = hashlib.sha256()
    size = 0
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(descriptor, "wb") as target:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > max_bytes:
                    raise VideoError("too_large", max_mb=max_bytes // (1024 * 1024))
                digest.update(chunk)
                target.write(chunk)
                chunk = stream.read(CHUNK)
            target.flush()
            os.fsync(target.fileno())
        sha256 = digest.hexdigest()
        path = folder / file_name(sha256, mime)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return StoredFile(sha256=sha256, mime=mime, size=size, path=path)


def remove_file(folder: Path, video: DgsVideo) -> None:
    """Delete a video's file (already gone: nothing to do)."""
    try:
        (folder / file_name(video.sha256, video.mime)).unlink(missing_ok=True)
    except OSError:  # the row is gone; a file left behind is harmless, but say so
        log.exception("could not delete the file of DGS video %s", video.sha256)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def active_video() -> DgsVideo | None:
    """The video the site shows, if any."""
    return db.session.scalars(select(DgsVideo).where(DgsVideo.active.is_(True))).first()


def all_videos() -> list[DgsVideo]:
    """Every stored video, the one shown first, then the newest."""
    return list(db.session.scalars(select(DgsVideo).order_by(
        DgsVideo.active.desc(), DgsVideo.uploaded_at.desc(), DgsVideo.id.desc())))


def by_digest(sha256: str) -> DgsVideo | None:
    """The video whose file has this SHA-256 (lower-case hex)."""
    if len(sha256) != 64:
        return None
    return db.session.scalars(select(DgsVideo).where(DgsVideo.sha256 == sha256)).first()


def by_file_name(sha256: str, ext: str) -> DgsVideo | None:
    """The video at ``/medien/<sha256>.<ext>``, if the digest and extension match."""
    video = by_digest(sha256)
    return video if video is not None and MIME_BY_EXTENSION.get(ext) == video.mime else None


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def check_texts(title: str, transcript: str) -> list[Problem]:
    """Every reason to refuse the title and the text alternative."""
    problems: list[Problem] = []
    for field, value, limit in (("title", title, TITLE_MAX),
                                ("transcript", transcript, TRANSCRIPT_MAX)):
        if not value:
            problems.append(Problem(field, "missing"))
        elif len(value) > limit:
            problems.append(Problem(field, "too_long", {"max": limit}))
        elif has_control_characters(value.replace("\n", "")):
            problems.append(Problem(field, "control_characters"))
    return problems


def upload(*, stream: IO[bytes], title: str, transcript: str, captions: bytes | None,
           folder: Path, max_bytes: int, now: datetime, actor_id: int | None) -> DgsVideo:
    """Keep an uploaded video with its texts (not shown yet). Texts and captions are
    checked before the file is read; a refusal of the file or a second upload of the same
    video leaves no new file. Audited as ``dgs_video.upload``."""
    problems = check_texts(title, transcript)
    caption_text = None
    if captions:
        try:
            caption_text = check_captions(captions)
        except VideoError as error:
            problems.append(Problem("captions", error.code, dict(error.context)))
    if problems:
        refuse(problems)
    try:
        stored = store_file(stream, folder=folder, max_bytes=max_bytes)
    except VideoError as error:
        refuse([Problem("video", error.code, dict(error.context))])
    begin_write()
    if db.session.scalar(select(DgsVideo.id).where(DgsVideo.sha256 == stored.sha256)):
        db.session.rollback()  # the file is the existing video's own: it stays
        raise VideoError("already_uploaded")
    video = DgsVideo(sha256=stored.sha256, mime=stored.mime, size=stored.size, title=title,
                     transcript=transcript, captions=caption_text, uploaded_at=now,
                     uploaded_by=actor_id, active=False)
    db.session.add(video)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same video, uploaded at the same moment
        db.session.rollback()
        raise VideoError("already_uploaded") from error
    audit(now, actor_id, "dgs_video.upload", video.title, sha256=video.sha256,
          size=video.size, mime=video.mime, captions=caption_text is not None)
    db.session.commit()
    return video


def _locked(video_id: int) -> DgsVideo:
    """The video, its row locked for this transaction; ``unknown_video`` if there is none."""
    video = db.session.get(DgsVideo, video_id, with_for_update=True, populate_existing=True)
    if video is None:
        db.session.rollback()
        raise VideoError("unknown_video")
    return video


def activate(*, video_id: int, now: datetime, actor_id: int | None) -> DgsVideo:
    """Show this video on the site instead of any other. Audited as
    ``dgs_video.activate``."""
    begin_write()
    # Lock every video row, not only this one: two staff showing two videos at once
    # queue here (PostgreSQL), and the second then sees and hides the first one's.
    db.session.execute(select(DgsVideo.id).with_for_update()).all()
    video = _locked(video_id)
    db.session.execute(update(DgsVideo).where(DgsVideo.active.is_(True),
                                              DgsVideo.id != video.id).values(active=False))
    video.active = True
    audit(now, actor_id, "dgs_video.activate", video.title, sha256=video.sha256)
    try:
        db.session.commit()
    except IntegrityError as error:  # the one-shown index, should anything slip past
        db.session.rollback()
        raise VideoError("conflict") from error
    return video


def deactivate(*, video_id: int, now: datetime, actor_id: int | None) -> DgsVideo:
    """Show no video any more (this one stays stored). Audited as
    ``dgs_video.deactivate``."""
    begin_write()
    video = _locked(video_id)
    video.active = False
    audit(now, actor_id, "dgs_video.deactivate", video.title, sha256=video.sha256)
    db.session.commit()
    return video


def delete(*, video_id: int, folder: Path, now: datetime, actor_id: int | None) -> str:
    """Delete a video: its row, then (after the commit) its file. Returns its title.
    Audited as ``dgs_video.delete``."""
    begin_write()
    video = _locked(video_id)
    title = video.title
    audit(now, actor_id, "dgs_video.delete", title, sha256=video.sha256,
          was_active=video.active)
    db.session.delete(video)
    db.session.commit()
    remove_file(folder, video)
    return title


def media_folder(configured: str, instance_path: str) -> Path:
    """The folder of the video files: ``MEDIA_FOLDER``, or ``media`` in the instance
    folder when that is empty."""
    return Path(configured) if configured else Path(instance_path) / "media"
