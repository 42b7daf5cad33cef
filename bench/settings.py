"""Settings of the servers the benchmarks start: the real application plus a floor view.

Used with DJANGO_SETTINGS_MODULE=bench.settings; everything else comes from the environment, as in
production.
"""

from enishi.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
