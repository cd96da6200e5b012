"""Export a small two-service trace with logs through the real OpenTelemetry SDK (test helper).

The SDK's own OTLP/HTTP exporters send protobuf (gzip for the backend service) to a receiver;
providers are local (never the global ones), so tests do not leak state into each other.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from opentelemetry._logs import SeverityNumber
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import Link, SpanKind, Status, StatusCode


@dataclass
class Exported:
    """IDs of what ``export_checkout`` sent."""

    trace_id: str
    root_span_id: str
    db_span_id: str
    linked_trace_id: str


def _providers(url: str, service: str, *, gzip: bool) -> tuple[TracerProvider, LoggerProvider]:
    resource = Resource.create({"service.name": service, "deployment.environment": "test"})
    compression = Compression.Gzip if gzip else Compression.NoCompression
    tp = TracerProvider(resource=resource)
    tp.add_span_processor(
        SimpleSpanProcessor(OTLPSpanExporter(endpoint=f"{url}/v1/traces", compression=compression))
    )
    lp = LoggerProvider(resource=resource)
    lp.add_log_record_processor(
        SimpleLogRecordProcessor(
            OTLPLogExporter(endpoint=f"{url}/v1/logs", compression=compression)
        )
    )
    return tp, lp


def export_checkout(url: str) -> Exported:
    """frontend `GET /checkout` → client call → backend `POST /pay` → `SELECT` (error, logs)."""
    fe_tp, fe_lp = _providers(url, "frontend", gzip=False)
    be_tp, be_lp = _providers(url, "payments", gzip=True)
    fe, be = fe_tp.get_tracer("shop.frontend"), be_tp.get_tracer("shop.payments")
    log = be_lp.get_logger("shop.payments")
    try:
        with fe.start_as_current_span("warmup") as other:
            link_ctx = other.get_span_context()
        with (
            fe.start_as_current_span(
                "GET /checkout", kind=SpanKind.SERVER, attributes={"http.route": "/checkout"}
            ) as root,
            fe.start_as_current_span("call payments", kind=SpanKind.CLIENT),
            be.start_as_current_span(
                "POST /pay",
                kind=SpanKind.SERVER,
                links=[Link(link_ctx, {"reason": "warmup"})],
                attributes={"http.route": "/pay", "http.response.status_code": 500},
            ),
        ):
            log.emit(
                severity_number=SeverityNumber.INFO, severity_text="INFO", body="charging card"
            )
            with be.start_as_current_span("SELECT accounts", kind=SpanKind.CLIENT) as db:
                time.sleep(0.05)  # the bottleneck of the trace's critical path
                db.add_event("retry", {"attempt": 2})
                db.set_status(Status(StatusCode.ERROR, "deadlock detected"))
                log.emit(
                    severity_number=SeverityNumber.ERROR,
                    severity_text="ERROR",
                    body="database deadlock, giving up",
                    attributes={"db.system": "postgresql"},
                )
                db_id = db.get_span_context().span_id
        ctx = root.get_span_context()
    finally:
        for provider in (fe_tp, be_tp):
            provider.force_flush()
            provider.shutdown()
        for lprovider in (fe_lp, be_lp):
            lprovider.force_flush()
            lprovider.shutdown()
    return Exported(
        trace_id=f"{ctx.trace_id:032x}",
        root_span_id=f"{ctx.span_id:016x}",
        db_span_id=f"{db_id:016x}",
        linked_trace_id=f"{link_ctx.trace_id:032x}",
    )
