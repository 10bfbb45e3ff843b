"""The site in German Sign Language (DGS): the page with the office's video, and the
video files themselves.

A file's URL names its SHA-256, so browsers and proxies may keep it for a year; Range
requests get 206 Partial Content (Safari on iOS plays a video only that way). The video
the site shows is public; one that staff uploaded but do not show (yet, or any more) is
served only to staff, for the back office's preview, and never cached.
"""

from pathlib import Path

from flask import Response, abort, current_app, g, render_template, send_file, url_for
from flask_login import current_user

from ..auth.decorators import STAFF_ROLES
from ..models import DgsVideo
from ..services import dgs_videos
from ..services.content import render_markdown
from . import bp

IMMUTABLE = "public, max-age=31536000, immutable"


def media_folder() -> Path:
    """The folder of the video files of this app."""
    return dgs_videos.media_folder(current_app.config["MEDIA_FOLDER"],
                                   current_app.instance_path)


@bp.get("/gebaerdensprache")
def sign_language() -> str:
    """The office's DGS video with its captions and its text alternative, or a kind word
    that there is none yet and how to reach the office."""
    video = dgs_videos.active_video()
    return render_template("office/sign_language.html", video=video,
                           transcript=render_markdown(video.transcript) if video else None)


def _served(sha256: str, ext: str) -> DgsVideo:
    """The video named by the URL, if this visitor may see it; else 404."""
    video = dgs_videos.by_file_name(sha256, ext)
    if video is None:
        abort(404)
    if not video.active:
        if not (current_user.is_authenticated and current_user.role in STAFF_ROLES):
            abort(404)
        g.no_store = True  # a staff preview: not for any cache
    return video


@bp.get("/medien/<sha256>.<any(mp4, webm):ext>")
def dgs_video_file(sha256: str, ext: str) -> Response:
    """A video file, with Range requests (206) and conditional requests (304)."""
    video = _served(sha256, ext)
    path = media_folder() / dgs_videos.file_name(video.sha256, video.mime)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=video.mime, conditional=True, etag=video.sha256,
                         max_age=31536000)
    response.headers["Cache-Control"] = IMMUTABLE
    return response


@bp.get("/medien/<sha256>.vtt")
def dgs_video_captions(sha256: str) -> Response:
    """A video's WebVTT captions (the video's digest names them: they never change)."""
    video = dgs_videos.by_digest(sha256)
    if video is None or video.captions is None:
        abort(404)
    video = _served(video.sha256, dgs_videos.EXTENSIONS[video.mime])
    response = Response(video.captions, mimetype="text/vtt")
    response.headers["Cache-Control"] = IMMUTABLE
    return response


@bp.app_template_global()
def active_dgs_video() -> DgsVideo | None:
    """The video the site shows, for the box other pages include (office/_dgs_video.html)."""
    return dgs_videos.active_video()


@bp.app_template_global()
def dgs_video_url(video: DgsVideo, captions: bool = False) -> str:
    """The URL of a video's file, or of its captions."""
    if captions:
        return url_for("office.dgs_video_captions", sha256=video.sha256)
    return url_for("office.dgs_video_file", sha256=video.sha256,
                   ext=dgs_videos.EXTENSIONS[video.mime])
