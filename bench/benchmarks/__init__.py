"""Every benchmark module, imported for its @benchmark registrations.

Import order is run order: seed_100k first, so the page benchmarks reuse its 100k-alumni databases.
The intake and registration benchmarks make their own fresh databases.
"""

from bench.benchmarks import seed, pages, intake, registrations, directory, newsletter  # noqa: F401, I001
from bench.benchmarks import community  # noqa: F401  (home_feed_rps)
from bench.benchmarks import events  # noqa: F401  (rsvp_concurrent_500, event_list_rps)
from bench.benchmarks import matching  # noqa: F401  (match_opportunity_1m_p95, match_alumnus_5k_p95)
from bench.benchmarks import dashboard  # noqa: F401  (dashboard_p95, dashboard_range_p95)
