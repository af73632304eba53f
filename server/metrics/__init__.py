"""Prometheus metrics: the instruments code updates as things happen (instruments.py), the
figures read from the database and the live process at scrape time (state.py), and the
`/metrics` endpoint with its access rule (views.py). One CollectorRegistry per app, never the
library's global one: tests build many apps in one process."""
