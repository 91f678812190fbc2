"""Settings for the uncached twin server of ``bench/bench_portal.py --http``: the project's settings
with a cache that keeps nothing, so every portal request renders its page as on a cache miss."""

from jixiao.settings import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
