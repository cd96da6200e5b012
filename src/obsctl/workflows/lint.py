"""``obsctl lint``: read expositions (files, stdin, URLs) or a server's statistics, run the rules.

I/O lives here (files, gzip, stdin, HTTP through the backends); parsing and rules are pure
(``parsers.exposition``, ``analysis.lint``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol, TypeVar

from obsctl.analysis.catalogue import RuleSelection
from obsctl.analysis.lint import (
    LINT,
    LintConfig,
    diff_expositions,
    lint_exposition,
    summarize_exposition,
)
from obsctl.analysis.lint.cardinality import SERVER_EXEMPT_LABELS, check_server
from obsctl.config.schema import Endpoint
from obsctl.errors import UsageError
from obsctl.lifetime import keep_until_exit
from obsctl.model.findings import Finding, FindingsReport, RuleRequest
from obsctl.model.metric_families import CountEntry, Exposition, LintSummary
from obsctl.model.units import format_size
from obsctl.parsers.exposition import ExpositionParser, detect_format
from obsctl.workflows.inputs import check_stdin_name, display_name, no_cyclic_gc, open_input
from obsctl.workflows.lint_split import parse_split, split_enabled

if TYPE_CHECKING:
    from obsctl.workflows.findings import FindingsOutcome

LogFn = Callable[[str], None]
T = TypeVar("T")


class Runner(Protocol):
    """Runs one coroutine to completion (the CLI's ``AppState.run``)."""

    def __call__(self, coro: Coroutine[Any, Any, T], /) -> T: ...  # pragma: no cover


@dataclass(frozen=True, slots=True)
class LintRequest:
    """What ``obsctl lint`` was asked to do.

    Attributes:
        inputs: files, ``-`` (stdin) and http(s) URLs, in order.
        server: check the configured Prometheus-compatible server's cardinality.
        match: with ``server``: only series matching these selectors.
        limit: top entries in summaries.
        input_format: ``text``/``openmetrics``, or ``None`` to detect.
        diff: compare two snapshots ``BASE HEAD``.
        timeout / max_bytes: limits for scraping a URL.
        rules: the shared rule options.
    """

    inputs: tuple[str, ...] = ()
    server: bool = False
    match: tuple[str, ...] = ()
    limit: int = 10
    input_format: str | None = None
    diff: bool = False
    timeout: float = 30.0
    max_bytes: int = 256 << 20
    rules: RuleRequest = field(default_factory=RuleRequest)


@dataclass(frozen=True, slots=True)
class LintEnvironment:
    """What ``run_lint`` needs from the invocation, resolved only when used.

    Attributes:
        user_config: the user config's extra sections (its ``lint:``), read on first use.
        cwd: where the project ``obsctl.yaml`` search starts.
        endpoint: the Prometheus endpoint (for ``--server``, and auth for URLs), on first use.
        run: crosses into async (scraping, ``--server``).
        log: ``--debug`` request logger.
        stdin: what ``-`` reads (default ``sys.stdin.buffer``).
    """

    user_config: Callable[[], Mapping[str, object]]
    cwd: Path
    endpoint: Callable[[], Endpoint]
    run: Runner
    log: LogFn | None = None
    stdin: IO[bytes] | None = None
    progress: Callable[[str], None] = lambda _line: None
    """The status line (``asking Prometheus…``) on a terminal."""


# ---------------------------------------------------------------------------- reading


PROGRESS_EVERY = 0.2
"""Seconds between two bytes-read updates of the status line."""


def parse_input(
    name: str,
    *,
    fmt: str | None,
    stdin: IO[bytes] | None = None,
    source: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Exposition:
    """Parse one file or ``-`` (stdin), plain or gzip-compressed, streaming; ``source`` names
    it in findings (default ``name``); ``progress`` hears the bytes read (``reading m.prom:
    120.0 MiB of 480.0 MiB (25%)…``), at most every ``PROGRESS_EVERY`` seconds."""
    label = source or display_name(name)
    with open_input(name, stdin=stdin, what="expositions") as inp:
        chunks = inp.chunks(what="expositions")
        first = next(chunks, b"")
        fmt = fmt or detect_format(first[:65536], inp.tail)
        last = 0.0

        def report() -> None:
            nonlocal last
            now = time.monotonic()
            if progress is None or now - last < PROGRESS_EVERY:
                return
            last = now
            done, size = inp.raw_read, inp.size
            of = f" of {format_size(size)} ({100 * done // size}%)" if size else " read"
            progress(f"reading {label}: {format_size(done)}{of}…")

        if not inp.compressed and split_enabled(inp.size):
            # The status line follows this process's half (it stays at about 50 % while
            # the child finishes the other one).
            with no_cyclic_gc():
                expo = parse_split(
                    name, fmt, first, chunks, inp.size or 0, source=source, progress=report
                )
            if expo is not None:
                return expo
        parser = ExpositionParser(source or name, fmt)
        with no_cyclic_gc():
            if first and parser.feed(first):
                report()
                for chunk in chunks:
                    if not parser.feed(chunk):
                        break
                    report()
            return parser.close()


async def scrape_input(
    url: str,
    *,
    fmt: str | None,
    auth_from: Endpoint | None,
    timeout: float,
    max_bytes: int,
    log: LogFn | None = None,
) -> Exposition:
    """Scrape ``url`` and parse the body as it arrives."""
    from obsctl.backends.scrape import scrape, target_endpoint

    endpoint = target_endpoint(url, auth_from=auth_from, timeout=timeout)
    parsers: list[ExpositionParser] = []

    def on_headers(content_type: str) -> None:
        # The Content-Type decides unless --format forces one; a missing one means text.
        parsers.append(ExpositionParser(url, fmt or detect_format(b"", None, content_type)))

    def on_chunk(chunk: bytes) -> bool:
        return parsers[0].feed(chunk)

    with no_cyclic_gc():
        await scrape(endpoint, on_chunk, max_bytes=max_bytes, log=log, on_headers=on_headers)
    parser = parsers[0] if parsers else ExpositionParser(url, fmt or "text")
    return parser.close()


# ---------------------------------------------------------------------------- lint


@dataclass(frozen=True, slots=True)
class InputResult:
    """One input's findings and summary."""

    name: str
    findings: list[Finding]
    summary: LintSummary


def lint_one(expo: Exposition, config: LintConfig, *, limit: int = 10) -> InputResult:
    """Rules and summary (top ``limit`` entries) for one parsed input."""
    with no_cyclic_gc():
        result = InputResult(
            expo.source, lint_exposition(expo, config), summarize_exposition(expo, limit=limit)
        )
    keep_until_exit(expo)  # freed by the next input, or not at all (see obsctl.lifetime)
    return result


def build_report(results: Sequence[InputResult], config: LintConfig) -> FindingsReport:
    """A ``FindingsReport`` over all inputs."""
    findings: list[Finding] = []
    for r in results:
        findings.extend(r.findings)
    return FindingsReport(
        tool="lint",
        findings=tuple(findings),
        rules=config.selection.rule_infos(),
        inputs=tuple(r.name for r in results),
        summaries=tuple((r.name, r.summary) for r in results),
    )


def diff_report(base: Exposition, head: Exposition, config: LintConfig) -> FindingsReport:
    """``--diff BASE HEAD`` as a findings report (the diff summary included)."""
    findings, diff = diff_expositions(base, head, config)
    findings.sort(key=lambda f: (f.location.file != head.source, f.location.line, f.rule_id))
    return FindingsReport(
        tool="lint",
        findings=tuple(findings),
        rules=config.selection.rule_infos(),
        inputs=(base.source, head.source),
        summaries=((f"{base.source} → {head.source}", diff),),
    )


# ---------------------------------------------------------------------------- server


async def lint_server(
    endpoint: Endpoint,
    config: LintConfig,
    *,
    match: Sequence[str],
    limit: int,
    log: LogFn | None = None,
    progress: Callable[[str], None] = lambda _line: None,
) -> InputResult:
    """Cardinality of a Prometheus-compatible server (head block or ``--match`` scope);
    ``progress`` hears each step (``asking Prometheus for its TSDB status…``)."""
    from obsctl.backends import cardinality as card
    from obsctl.backends.http import make_client, redact_url

    notes: list[str] = []
    fetch_limit = max(limit, 1000)
    selector = " or ".join(match) if match else '{__name__=~".+"}'
    series: dict[str, int] = {}
    values: dict[str, int] = {}
    total: int | None = None
    async with make_client(endpoint, log=log) as client:
        status = None
        if not match:
            # Budgets apply to every entry the server returns, not just the displayed top.
            progress(f"asking {endpoint.display_name} for its TSDB status…")
            status = await card.fetch_tsdb_status(client, endpoint, limit=fetch_limit)
            if status is None:
                notes.append(
                    f"{endpoint.display_name} has no /api/v1/status/tsdb; "
                    "used count queries instead"
                )
        if status is not None:
            series = status.series_by_metric
            values = status.values_by_label
            total = status.num_series
            if len(series) == 10 < fetch_limit:
                notes.append(
                    "the server returned only its top 10 (it ignores `limit`, Prometheus < 2.45)"
                )
        else:
            if len(match) > 1:
                selector = " or ".join(f"({m})" for m in match)
            progress(f"counting series on {endpoint.display_name}…")
            series = await card.series_by_metric(client, endpoint, selector)
            names = await card.label_names(client, endpoint, selector)
            values = await card.values_by_label(client, endpoint, selector, names[:64])
            total = sum(series.values())
            if len(names) > 64:
                notes.append(f"{len(names)} label names; value counts for the first 64 only")
        examples: dict[str, list[str]] = {}
        candidates = [
            name
            for name, count in sorted(values.items(), key=lambda kv: -kv[1])
            if count >= 10 and name not in SERVER_EXEMPT_LABELS
        ][:10]
        for i, name in enumerate(candidates, 1):
            progress(f"sampling label values {i}/{len(candidates)}…")
            examples[name] = await card.label_values(
                client, endpoint, name, selector=selector if match else None, limit=256
            )
    source = redact_url(endpoint.base_url)
    hits = list(check_server(series, values, examples, config.budgets))
    findings = config.selection.findings(hits, source)
    summary = LintSummary(
        input=source,
        format="server",
        families=len(series),
        samples=0,
        series=total if total is not None else sum(series.values()),
        top_metrics=tuple(
            CountEntry(k, v) for k, v in sorted(series.items(), key=lambda kv: (-kv[1], kv[0]))
        )[:limit],
        top_labels=tuple(
            CountEntry(k, v) for k, v in sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
        )[:limit],
        notes=tuple(notes),
    )
    return InputResult(source, findings, summary)


# ---------------------------------------------------------------------------- the command


def lint_config(user_config: Mapping[str, object], *, cwd: Path) -> LintConfig:
    """The effective lint config: the user config's ``lint:`` overlaid by the project file's.

    Raises:
        ConfigError: an invalid section or unknown rules in it.
    """
    from obsctl.config.discover import load_lint_settings

    settings = load_lint_settings(user_config, cwd=cwd)
    return LintConfig.configured(
        select=settings.select,
        ignore=settings.ignore,
        severities=settings.severities,
        budgets=settings.budgets,
        source=settings.source,
    )


def load_lint_config(section: object, *, source: str = "config") -> LintConfig:
    """One ``lint:`` section (already YAML-decoded) as a ``LintConfig``.

    Raises:
        ConfigError: unknown keys, bad values or unknown rules, with the dotted key path.
    """
    from obsctl.config.lint import parse_lint_section

    settings = parse_lint_section(section, source=source)
    return LintConfig.configured(
        select=settings.select,
        ignore=settings.ignore,
        severities=settings.severities,
        budgets=settings.budgets,
        source=source,
    )


def _check_usage(request: LintRequest) -> None:
    names = request.inputs
    if request.diff:
        if len(names) != 2 or request.server:
            raise UsageError("--diff takes exactly two inputs: BASE HEAD")
        return
    if request.server and names:
        raise UsageError("give either inputs or --server, not both")
    if request.match and not request.server:
        raise UsageError("--match applies to --server only")
    if not request.server and not names:
        raise UsageError("nothing to lint", hint="give FILE, URL or - (stdin), or --server")
    if names.count("-") > 1:
        raise UsageError("stdin (-) can be read only once")


def run_lint(request: LintRequest, env: LintEnvironment) -> FindingsOutcome:
    """``obsctl lint``: the rule options, then expositions, a ``--diff`` or ``--server``.

    Raises:
        UsageError: contradictory inputs, unreadable files, unknown rules.
        ConfigError: an invalid ``lint:`` section.
        BackendUnreachable / BackendError: a URL or the server failed.
    """
    from obsctl.workflows.findings import run_findings

    rules = request.rules
    # --explain describes the rules themselves: no config is read for it.
    base = LintConfig() if rules.explain else lint_config(env.user_config(), cwd=env.cwd)
    if not (rules.explain or rules.list_rules):
        _check_usage(request)

    def read(name: str) -> Exposition:
        if name.startswith(("http://", "https://")):
            prom = env.endpoint()
            return env.run(
                scrape_input(
                    name,
                    fmt=request.input_format,
                    auth_from=prom if prom.configured else None,
                    timeout=request.timeout,
                    max_bytes=request.max_bytes,
                    log=env.log,
                )
            )
        source = rules.stdin_name if name == "-" else None
        return parse_input(
            name, fmt=request.input_format, stdin=env.stdin, source=source, progress=env.progress
        )

    def produce(selection: RuleSelection) -> FindingsReport:
        check_stdin_name(request.inputs, rules.stdin_name)
        config = replace(base, selection=selection)
        if request.diff:
            return diff_report(read(request.inputs[0]), read(request.inputs[1]), config)
        results = []
        if request.server:
            results.append(
                env.run(
                    lint_server(
                        env.endpoint(),
                        config,
                        match=request.match,
                        limit=request.limit,
                        log=env.log,
                        progress=env.progress,
                    )
                )
            )
        for name in request.inputs:
            results.append(lint_one(read(name), config, limit=request.limit))
        return build_report(results, config)

    return run_findings(LINT, rules, produce, configured=base.selection)
