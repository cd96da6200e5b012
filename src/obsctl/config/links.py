"""One builder for links to a trace: its backend's own UI, and Grafana Explore.

``obsctl trace`` and ``obsctl correlate`` both call ``trace_links``, so the same trace gets the
same links everywhere. What each kind's UI path is, and which Grafana data-source type and
query type open it, comes from the backend-kind table.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from obsctl.config.kinds import KINDS
from obsctl.config.schema import Settings
from obsctl.model.trace_analysis import LinkTargets, TraceLinks
from obsctl.model.traces import Trace

GRAFANA_PADDING_MS = 60_000
"""The Explore time range is the trace's, a minute wider on each side."""


def link_targets(settings: Settings, *, grafana_datasource: str | None = None) -> LinkTargets:
    """The configured UIs: Grafana, and each configured trace backend with a UI path.

    Args:
        settings: resolved settings.
        grafana_datasource: UID of the Grafana data source to use, when one is named.
    """
    ui = tuple(
        (name, ep.url.rstrip("/"))
        for name, ep in settings.endpoints.items()
        if ep.configured and name in KINDS and KINDS[name].ui_trace_path
    )
    grafana = settings.grafana_url
    return LinkTargets(
        grafana=grafana.rstrip("/") if grafana else None,
        ui=ui,
        grafana_datasource=grafana_datasource,
    )


def trace_links(targets: LinkTargets, *, source: str, trace: Trace) -> TraceLinks:
    """Links to ``trace``, fetched from the backend kind ``source``.

    The backend's own UI when it has one and is configured; Grafana Explore, over the trace's
    time range, when Grafana is configured and knows the kind as a data-source type. A trace
    read from a file (``source`` is no kind) gets no links.

    >>> t = LinkTargets(ui=(("jaeger", "http://j:16686"),))
    >>> from obsctl.model.traces import Trace
    >>> trace_links(t, source="jaeger", trace=Trace(trace_id="ab" * 16, spans=())).jaeger_ui
    'http://j:16686/trace/abababababababababababababababab'
    """
    kind = KINDS.get(source)
    if kind is None:
        return TraceLinks()
    tid = trace.trace_id
    ui_urls = dict(targets.ui)
    ui = {}
    if kind.ui_trace_path and source in ui_urls:
        ui[source] = ui_urls[source] + kind.ui_trace_path.format(trace_id=tid)
    grafana = None
    if targets.grafana and kind.grafana_type:
        datasource: dict[str, str] = {"type": kind.grafana_type}
        if targets.grafana_datasource:
            datasource["uid"] = targets.grafana_datasource
        pane = {
            "trace": {
                "datasource": datasource,
                "queries": [
                    {
                        "refId": "A",
                        "datasource": datasource,
                        "queryType": kind.grafana_query_type,
                        "query": tid,
                    }
                ],
                "range": {
                    "from": str(trace.start_ns // 1_000_000 - GRAFANA_PADDING_MS),
                    "to": str(trace.end_ns // 1_000_000 + GRAFANA_PADDING_MS),
                },
            }
        }
        panes = quote(json.dumps(pane, separators=(",", ":")), safe="")
        grafana = f"{targets.grafana}/explore?schemaVersion=1&panes={panes}"
    return TraceLinks(jaeger_ui=ui.get("jaeger"), grafana=grafana, zipkin_ui=ui.get("zipkin"))
