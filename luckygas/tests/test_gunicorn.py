import gc
import runpy

from django.conf import settings


def test_a_worker_freezes_what_it_loaded_out_of_the_collectors_scans():
    config = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    assert gc.get_freeze_count() == 0
    try:
        config["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
