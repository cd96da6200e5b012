"""The demo shop: a small service instrumented with the real OpenTelemetry SDK and
prometheus_client, run by ``obsctl demo`` as ``python -m obsctl.demo.service``.

Each simulated checkout is one trace across four services (``frontend`` → ``checkout`` →
``payments`` → ``payments-db``, plus a ``cache`` call), exported over OTLP/HTTP (protobuf) with
its log records; the request latency goes into a Prometheus histogram whose buckets carry the
trace ID as an exemplar. Span times are simulated (each request is recorded as it would have
happened, ending now), so the shop produces steady traffic without sleeping per request.

While the incident file exists, ``payments-db`` waits on a row lock: checkouts take 0.6-1.6 s,
a third of them fail, and the database and payments services log the lock timeouts. Needs the
``obsctl[demo]`` extra (opentelemetry-sdk, opentelemetry-exporter-otlp-proto-http,
prometheus-client).
"""

from __future__ import annotations

import argparse
import random
import signal
import threading
import time
from pathlib import Path
from typing import Any

from opentelemetry import trace
from opentelemetry._logs import SeverityNumber
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode
from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server

SERVICES = ("frontend", "checkout", "payments", "payments-db", "cache")
BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Shop:
    """Tracers, loggers and metrics of the five simulated services."""

    def __init__(self, otlp: str, registry: CollectorRegistry) -> None:
        self.tracers: dict[str, Any] = {}
        self.loggers: dict[str, Any] = {}
        self.providers: list[Any] = []
        for name in SERVICES:
            resource = Resource.create(
                {"service.name": name, "service.version": "1.4.2", "deployment.environment": "demo"}
            )
            tp = TracerProvider(resource=resource)
            tp.add_span_processor(
                BatchSpanProcessor(
                    OTLPSpanExporter(endpoint=f"{otlp}/v1/traces"), schedule_delay_millis=500
                )
            )
            lp = LoggerProvider(resource=resource)
            lp.add_log_record_processor(
                BatchLogRecordProcessor(
                    OTLPLogExporter(endpoint=f"{otlp}/v1/logs"), schedule_delay_millis=500
                )
            )
            self.tracers[name] = tp.get_tracer(f"demo.{name}", "1.4.2")
            self.loggers[name] = lp.get_logger(f"demo.{name}")
            self.providers += [tp, lp]
        self.latency = Histogram(
            "demo_request_duration_seconds",
            "Checkout request latency.",
            ["service", "route"],
            buckets=BUCKETS,
            registry=registry,
        )
        self.requests = Counter(
            "demo_requests", "Checkout requests.", ["service", "code"], registry=registry
        )
        self.rng = random.Random()
        self.ends: list[tuple[Any, int]] = []

    def _span(
        self,
        service: str,
        name: str,
        start: int,
        end: int,
        parent: Any,
        kind: SpanKind,
        attrs: dict[str, Any],
    ) -> Any:
        ctx = trace.set_span_in_context(parent) if parent is not None else None
        span = self.tracers[service].start_span(
            name, context=ctx, kind=kind, start_time=start, attributes=attrs
        )
        self.ends.append((span, end))  # ended by ``checkout`` once the children exist
        return span

    def _log(self, service: str, span: Any, at: int, level: SeverityNumber, body: str) -> None:
        self.loggers[service].emit(
            timestamp=at,
            context=trace.set_span_in_context(span),
            severity_number=level,
            severity_text=level.name.rstrip("0123456789"),
            body=body,
            attributes={"code.function": "checkout"},
        )

    def checkout(self, incident: bool) -> None:
        """Record one checkout that ends now."""
        rng = self.rng
        self.ends.clear()
        ms = 1_000_000
        db_ms = rng.uniform(600, 1500) if incident else rng.uniform(5, 40)
        cache_ms = rng.uniform(2, 15)
        pay_ms = db_ms + rng.uniform(10, 30)
        checkout_ms = pay_ms + cache_ms + rng.uniform(5, 20)
        total_ms = checkout_ms + rng.uniform(5, 15)
        failed = incident and rng.random() < 0.33
        end = time.time_ns()
        t0 = end - int(total_ms * ms)
        route = {"http.route": "/checkout", "http.request.method": "POST"}
        root = self._span("frontend", "POST /checkout", t0, end, None, SpanKind.SERVER, route)
        c0 = t0 + int(3 * ms)
        co = self._span(
            "checkout", "PlaceOrder", c0, c0 + int(checkout_ms * ms), root, SpanKind.SERVER, {}
        )
        self._span(
            "cache",
            "GET cart",
            c0 + ms,
            c0 + ms + int(cache_ms * ms),
            co,
            SpanKind.CLIENT,
            {"db.system": "redis"},
        )
        p0 = c0 + ms + int(cache_ms * ms) + ms
        pay = self._span(
            "payments",
            "POST /charge",
            p0,
            p0 + int(pay_ms * ms),
            co,
            SpanKind.SERVER,
            {"http.route": "/charge"},
        )
        d0 = p0 + int(5 * ms)
        db = self._span(
            "payments-db",
            "SELECT orders FOR UPDATE",
            d0,
            d0 + int(db_ms * ms),
            pay,
            SpanKind.CLIENT,
            {"db.system": "postgresql", "db.operation.name": "SELECT"},
        )
        self._log("payments", pay, p0 + ms, SeverityNumber.INFO, "charging card ending 4242")
        if incident:
            self._log(
                "payments-db",
                db,
                d0 + int(db_ms * ms * 0.5),
                SeverityNumber.WARN,
                "lock wait on orders: row held by another transaction",
            )
        if failed:
            db.add_event(
                "exception",
                {
                    "exception.type": "LockTimeout",
                    "exception.message": "lock wait timeout exceeded",
                },
            )
            db.set_status(Status(StatusCode.ERROR, "lock wait timeout exceeded"))
            self._log(
                "payments-db",
                db,
                d0 + int(db_ms * ms),
                SeverityNumber.ERROR,
                f"lock wait timeout exceeded on orders (waited {db_ms:.0f} ms)",
            )
            pay.set_status(Status(StatusCode.ERROR, "payment failed"))
            self._log(
                "payments",
                pay,
                p0 + int(pay_ms * ms),
                SeverityNumber.ERROR,
                "payment failed: database timeout",
            )
            root.set_status(Status(StatusCode.ERROR))
            root.set_attribute("http.response.status_code", 500)
        else:
            root.set_attribute("http.response.status_code", 200)
        for span, span_end in reversed(self.ends):
            span.end(end_time=span_end)
        trace_id = f"{root.get_span_context().trace_id:032x}"
        self.latency.labels("frontend", "/checkout").observe(
            total_ms / 1000, exemplar={"trace_id": trace_id}
        )
        self.requests.labels("frontend", "500" if failed else "200").inc()

    def shutdown(self) -> None:
        """Flush and stop every exporter."""
        for provider in self.providers:
            provider.force_flush()
            provider.shutdown()


def main(argv: list[str] | None = None) -> None:
    """Serve metrics and generate checkouts until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m obsctl.demo.service")
    parser.add_argument("--otlp", required=True, help="OTLP/HTTP base URL of obsctl receive")
    parser.add_argument("--metrics-port", type=int, required=True)
    parser.add_argument("--incident-file", type=Path, required=True)
    parser.add_argument("--rate", type=float, default=20.0, help="checkouts per second")
    args = parser.parse_args(argv)
    registry = CollectorRegistry()
    shop = Shop(args.otlp, registry)
    start_http_server(args.metrics_port, addr="127.0.0.1", registry=registry)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    interval = 1 / args.rate
    while not stop.wait(interval):
        shop.checkout(args.incident_file.exists())
    shop.shutdown()


if __name__ == "__main__":
    main()
