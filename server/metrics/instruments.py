"""The counters and histograms that code updates as things happen. Each label's values come
from a bounded set (route templates, event names from signaling/events.py, error codes), never
from a raw path or a payload, so a scan of random URLs cannot grow the registry."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics

# seconds: a page or API call is tens of milliseconds; an upload with a scan can take seconds
HTTP_BUCKETS_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# a chat batch commits in about a millisecond on SQLite; a slow disk or a lock shows as tens
BATCH_BUCKETS_SECONDS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
BATCH_BUCKETS_MESSAGES = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000)
SWEEP_BUCKETS_SECONDS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
UNMATCHED_ROUTE = "unmatched"  # a 404 for a path no route knows


class Metrics:
    """The app's registry and the instruments the code updates."""

    def __init__(self) -> None:
        # no `_created` series beside every counter and histogram: dashboards never use them and
        # they double what each scrape stores (a process-wide switch in prometheus-client)
        disable_created_metrics()
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.http_requests = Counter(
            "fayuan_http_requests_total", "HTTP requests answered, by method, route template and status",
            ("method", "route", "status"), registry=r)
        self.http_duration = Histogram(
            "fayuan_http_request_duration_seconds", "Time to answer an HTTP request, by method, route template "
            "and status", ("method", "route", "status"), buckets=HTTP_BUCKETS_SECONDS, registry=r)
        self.socket_events = Counter(
            "fayuan_socket_events_total", "socket.io events handled, by event name and outcome (ok, or the "
            "error code of the acknowledgement)", ("event", "outcome"), registry=r)
        self.chat_batches = Counter(
            "fayuan_chat_batches_total", "Chat write transactions committed by this process", registry=r)
        self.chat_batch_duration = Histogram(
            "fayuan_chat_batch_duration_seconds", "Time to store one chat batch, from the start of its "
            "transaction to its commit", buckets=BATCH_BUCKETS_SECONDS, registry=r)
        self.chat_batch_messages = Histogram(
            "fayuan_chat_batch_messages", "Messages stored per chat batch", buckets=BATCH_BUCKETS_MESSAGES,
            registry=r)
        self.uploads = Counter(
            "fayuan_uploads_total", "Files stored, by type (pdf, image, docx)", ("type",), registry=r)
        self.upload_bytes = Counter(
            "fayuan_upload_bytes_total", "Bytes of files stored, by type", ("type",), registry=r)
        self.scans = Counter(
            "fayuan_scanner_results_total", "Virus scanner verdicts on uploads, by the file's resulting state "
            "(clean, quarantined, pending_scan when the scanner could not answer)", ("result",), registry=r)
        self.sweep_duration = Histogram(
            "fayuan_sweep_duration_seconds", "Time one consultation sweep round took",
            buckets=SWEEP_BUCKETS_SECONDS, registry=r)

    def chat_batch(self, messages: int, seconds: float) -> None:
        """ChatWriter's hook (server/chat/writer.py), called after each commit."""
        self.chat_batches.inc()
        self.chat_batch_duration.observe(seconds)
        self.chat_batch_messages.observe(messages)
