"""The production gunicorn settings (gunicorn.conf.py) and their hooks."""

import gc
import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def test_master_freezes_the_preloaded_objects_before_forking() -> None:
    settings = runpy.run_path(str(CONF))
    assert settings["preload_app"] is True  # freezing only helps when the app is loaded
    gc.unfreeze()
    try:
        settings["pre_fork"](None, None)
        assert gc.get_freeze_count() > 0  # what the master made is out of the collector's way
    finally:
        gc.unfreeze()
