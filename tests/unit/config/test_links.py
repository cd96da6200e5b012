"""One builder for trace links, used by ``trace`` and ``correlate``."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from obsctl.config.links import trace_links
from obsctl.model.trace_analysis import LinkTargets, TraceLinks
from obsctl.model.traces import Span, SpanKind, Trace

TID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACE = Trace(
    trace_id=TID,
    spans=(
        Span(
            trace_id=TID,
            span_id="a" * 16,
            parent_span_id=None,
            name="GET /",
            service="web",
            kind=SpanKind.SERVER,
            start_ns=1_764_064_800_000_000_000,
            end_ns=1_764_064_800_500_000_000,
        ),
    ),
)
ALL = LinkTargets(
    grafana="https://grafana.test",
    ui=(("jaeger", "http://jaeger.test"), ("zipkin", "http://zipkin.test")),
)


def pane(url: str) -> dict[str, object]:
    parts = urlsplit(url)
    assert (parts.netloc, parts.path) == ("grafana.test", "/explore")
    query = parse_qs(parts.query)
    assert query["schemaVersion"] == ["1"]
    return json.loads(query["panes"][0])


def test_tempo_trace_opens_in_grafana_with_traceql_over_its_time_range():
    links = trace_links(ALL, source="tempo", trace=TRACE)
    assert (links.jaeger_ui, links.zipkin_ui) == (None, None)
    assert links.grafana is not None
    assert pane(links.grafana) == {
        "trace": {
            "datasource": {"type": "tempo"},
            "queries": [
                {
                    "refId": "A",
                    "datasource": {"type": "tempo"},
                    "queryType": "traceql",
                    "query": TID,
                }
            ],
            "range": {"from": "1764064740000", "to": "1764064860500"},
        }
    }


def test_jaeger_and_zipkin_traces_link_their_own_ui_and_grafana_by_trace_id():
    jaeger = trace_links(ALL, source="jaeger", trace=TRACE)
    assert jaeger.jaeger_ui == f"http://jaeger.test/trace/{TID}"
    assert jaeger.zipkin_ui is None
    query = pane(jaeger.grafana or "")["trace"]["queries"][0]  # type: ignore[index]
    assert (query["queryType"], query["datasource"]) == ("traceId", {"type": "jaeger"})
    zipkin = trace_links(ALL, source="zipkin", trace=TRACE)
    assert (zipkin.jaeger_ui, zipkin.zipkin_ui) == (None, f"http://zipkin.test/zipkin/traces/{TID}")


def test_a_named_grafana_datasource_is_sent_as_its_uid():
    targets = LinkTargets(grafana="https://grafana.test", grafana_datasource="tempo-prod")
    doc = pane(trace_links(targets, source="tempo", trace=TRACE).grafana or "")
    assert doc["trace"]["datasource"] == {"type": "tempo", "uid": "tempo-prod"}  # type: ignore[index]


def test_no_links_for_a_file_or_without_configured_uis():
    assert trace_links(ALL, source="trace.json", trace=TRACE) == TraceLinks()
    assert trace_links(LinkTargets(), source="jaeger", trace=TRACE) == TraceLinks()


def test_by_ui_lists_only_the_links_that_are_set():
    links = TraceLinks(jaeger_ui="j", grafana="g")
    assert links.by_ui() == {"grafana": "g", "jaeger": "j"}
