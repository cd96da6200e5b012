"""``obsctl validate``: read the inputs, build the registry, validate, optionally ask a real
collector binary, and return a ``FindingsReport``.

Synchronous on purpose: everything is local (files, one optional subprocess), so there is no
event loop to cross into.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

from obsctl.errors import UsageError
from obsctl.model.collector import (
    CollectorConfig,
    Node,
    SourceDocument,
    YamlMap,
    YamlScalar,
    YamlSeq,
)
from obsctl.model.findings import Finding, FindingsReport, Location, RuleRequest, Severity
from obsctl.workflows.inputs import check_stdin_name, display_name, no_cyclic_gc, read_input

if TYPE_CHECKING:
    from obsctl.analysis.catalogue import RuleSelection
    from obsctl.workflows.findings import FindingsOutcome

DISTRIBUTION_CHOICES = ("any", "core", "contrib", "k8s", "otlp")
PROFILES_GATE = "service.profilesSupport"
OTELCOL_TIMEOUT = 60.0


class ValidateOptions(NamedTuple):
    """What the command line asked for.

    A NamedTuple, not a frozen dataclass: defining one costs ~4x less start-up (its methods are
    generated from source at import).

    Attributes:
        inputs: paths, ``-`` for stdin.
        env_file: a ``.env`` file whose variables resolve ``${env:…}`` (over the process env).
        strict_env: unresolved variables are errors.
        distribution: ``any`` or a distribution name.
        components_file: components of a custom build (``otelcol components`` output, an OCB
            manifest, or plain lists).
        feature_gates: ``--feature-gates`` values (comma lists allowed).
        otelcol: path of a collector binary to run ``validate`` with.
        graph: add the pipeline graph to the report.
        rules: the shared rule options (``--select``, ``--baseline``, ``--list-rules`` …).
    """

    inputs: tuple[str, ...]
    env_file: str | None = None
    strict_env: bool = False
    distribution: str = "any"
    components_file: str | None = None
    feature_gates: tuple[str, ...] = ()
    otelcol: str | None = None
    graph: bool = False
    use_process_env: bool = True
    rules: RuleRequest = RuleRequest()


class _Input:
    # A plain class: a dataclass's generated methods cost start-up, and none is used here.
    __slots__ = ("document", "lines", "name", "text")

    def __init__(
        self,
        name: str,
        text: str | None,
        document: SourceDocument | None = None,
        lines: list[str] | None = None,
    ) -> None:
        self.name = name
        self.text = text
        self.document = document
        self.lines = lines if lines is not None else []


def _read_bytes(name: str, stdin: BinaryIO | None) -> bytes:
    from obsctl.parsers.collector_config import MAX_BYTES

    return read_input(name, stdin=stdin, max_bytes=MAX_BYTES, what="collector configs")


def load_registry_data() -> dict[str, Any]:
    """The shipped component registry (``obsctl.data.otelcol_components``, imported on first
    use; callers do not change it)."""
    from obsctl.data.otelcol_components import DATA

    return DATA


def _custom_components(path: str, data: Mapping[str, Any]) -> dict[str, list[str]]:
    import yaml

    from obsctl.analysis.validate.registry import module_index, parse_components_listing
    from obsctl.yaml_limits import safe_load

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--components {path}: {exc.strerror or exc}") from None
    try:
        doc = safe_load(text)
        return parse_components_listing(doc, module_index(data))
    except (yaml.YAMLError, ValueError) as exc:
        raise UsageError(
            f"--components {path}: {str(exc).splitlines()[0]}",
            hint="use `otelcol components` output, an OCB builder manifest, or "
            "receivers/processors/exporters/… lists",
        ) from None


def _gates(values: Sequence[str]) -> set[str]:
    gates: set[str] = set()
    for value in values:
        for raw in value.split(","):
            part = raw.strip()
            if part.startswith("-"):
                gates.discard(part[1:])
            elif part:
                gates.add(part.lstrip("+"))
    return gates


def run_validate(
    options: ValidateOptions,
    *,
    stdin: BinaryIO | None = None,
    environ: Mapping[str, str] | None = None,
) -> FindingsOutcome:
    """``obsctl validate``: the shared rule options around one validation of the inputs.

    Raises:
        UsageError: unknown rules, a bad baseline, or what ``validate_report`` raises.
    """
    from obsctl.analysis.validate.rules import VALIDATE
    from obsctl.workflows.findings import run_findings

    def produce(selection: RuleSelection) -> FindingsReport:
        # A 2,000-pipeline config is ~100k small acyclic objects (tree nodes, events, paths);
        # the cyclic collector would rescan them at every allocation burst (a third of the run).
        with no_cyclic_gc():
            return validate_report(options, selection=selection, stdin=stdin, environ=environ)

    return run_findings(VALIDATE, options.rules, produce)


def validate_report(
    options: ValidateOptions,
    *,
    selection: RuleSelection | None = None,
    stdin: BinaryIO | None = None,
    environ: Mapping[str, str] | None = None,
) -> FindingsReport:
    """Validate ``options.inputs`` as one collector config (merged in order).

    Args:
        options: what to validate and how.
        selection: the rules to report (default: all, at their own severities).
        stdin: what ``-`` reads.
        environ: the process environment for ``${env:…}`` (default ``os.environ``).

    Raises:
        UsageError: unreadable inputs, a bad ``--env-file``/``--components``, or a
            ``--otelcol`` binary that cannot run.
    """
    from obsctl.analysis.validate import RULES, validate_collector_config
    from obsctl.analysis.validate.registry import build_registry
    from obsctl.parsers.collector_config import (
        ExpansionContext,
        expand_env,
        merge_documents,
        parse_collector_document,
        parse_env_file,
    )

    if not options.inputs:
        raise UsageError("no input: give one or more config files, or - for stdin")
    if options.inputs.count("-") > 1:
        raise UsageError("- (stdin) can be given only once")
    check_stdin_name(options.inputs, options.rules.stdin_name)
    if options.distribution not in DISTRIBUTION_CHOICES:
        raise UsageError(f"unknown distribution {options.distribution!r}")

    env: dict[str, str] = dict(environ if environ is not None else os.environ)
    if not options.use_process_env:
        env = {}
    if options.env_file:
        try:
            env.update(parse_env_file(Path(options.env_file).read_text(encoding="utf-8")))
        except OSError as exc:
            raise UsageError(f"--env-file {options.env_file}: {exc.strerror or exc}") from None

    inputs: list[_Input] = []
    for name in options.inputs:
        data = _read_bytes(name, stdin)
        display = display_name(name, options.rules.stdin_name)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            from obsctl.model.collector import Problem

            problem = Problem("OTC000", f"not UTF-8 text (byte {exc.start})", display, 1, 1)
            inputs.append(_Input(display, None, SourceDocument(display, None, problems=(problem,))))
            continue
        item = _Input(display, text, parse_collector_document(text, display), text.splitlines())
        inputs.append(item)

    documents = tuple(i.document for i in inputs if i.document is not None)
    config = merge_documents(documents)
    # A Helm chart sets variables in the collector's pod: MY_POD_IP (known only at run time)
    # and the values' extraEnvs. They are what the collector sees, so none is "not set".
    runtime: set[str] = set()
    for doc in documents:
        for name, value in doc.pod_env:
            if value is not None:
                env[name] = value
            elif name not in env:
                runtime.add(name)
    ctx = ExpansionContext(env=env, strict=options.strict_env, runtime=frozenset(runtime))
    if config.root is not None:
        expand_env(config.root, ctx)

    registry_data = load_registry_data()
    custom = (
        _custom_components(options.components_file, registry_data)
        if options.components_file
        else None
    )
    registry = build_registry(registry_data, distribution=options.distribution, custom=custom)
    gates = _gates(options.feature_gates)
    result = validate_collector_config(
        config, registry, problems=ctx.problems, profiles_gate=PROFILES_GATE in gates
    )
    findings = list(result.findings)
    if options.otelcol:
        findings.extend(_run_otelcol(options, inputs, config, env))
    if selection is not None:
        findings = selection.apply(findings)
    findings, chart_defaults = _chart_defaults(findings, documents)
    findings = _with_source_lines(findings, {i.name: i.lines for i in inputs})
    summaries: tuple[tuple[str, object], ...] = ()
    if options.graph and result.graph is not None:
        summaries = (("graph", result.graph),)
    rules = tuple(RULES[r] for r in sorted({f.rule_id for f in findings}))
    return FindingsReport(
        tool="validate",
        findings=tuple(findings),
        rules=rules,
        inputs=tuple(i.name for i in inputs),
        summaries=summaries,
        chart_defaults=chart_defaults,
    )


def _chart_defaults(
    findings: list[Finding], documents: Sequence[SourceDocument]
) -> tuple[list[Finding], int]:
    """Findings about a Helm chart's own defaults (the default ``debug`` exporter left unused,
    the mandatory ``health_check`` extension): warnings and info are left out and counted, as
    the user did not write them; errors stay (the merged config would fail), marked as coming
    from the chart.

    Returns:
        The findings to report and how many were left out.
    """
    at = {(d.file, *d.defaults_at) for d in documents if d.defaults_at is not None}
    if not at:
        return findings, 0
    kept: list[Finding] = []
    for f in findings:
        loc = f.location
        if (loc.file, loc.line, loc.col) not in at:
            kept.append(f)
        elif f.severity is Severity.ERROR:
            kept.append(f.replace(message=f"{f.message} (in the Helm chart's default config)"))
    return kept, len(findings) - len(kept)


_SECRET_VALUE = r"^(\s*(?:-\s+)?[^:#]+:\s*)(\S.*)$"
"""A ``key: value`` line (compiled on first use: only lines with a literal credential)."""


def _with_source_lines(findings: list[Finding], lines: Mapping[str, list[str]]) -> list[Finding]:
    """Attach the offending line to each finding, with literal credentials masked."""
    secret_lines = {(f.location.file, f.location.line) for f in findings if f.rule_id == "OTC305"}
    out = []
    for f in findings:
        text = lines.get(f.location.file)
        if not text or not 0 < f.location.line <= len(text):
            out.append(f)
            continue
        line = text[f.location.line - 1]
        if (f.location.file, f.location.line) in secret_lines:
            line = re.sub(_SECRET_VALUE, lambda m: m.group(1) + "****", line)
        out.append(f.replace(source_line=line))
    return out


# ------------------------------------------------------------------------------ --otelcol


def _to_python(node: Node) -> object:
    if isinstance(node, YamlMap):
        return {k: _to_python(v) for k, _kn, v in node.items()}
    if isinstance(node, YamlSeq):
        return [_to_python(i) for i in node.items]
    assert isinstance(node, YamlScalar)
    # Keep references as written: the collector expands them itself.
    return node.text if "$" in node.text else node.value


def _run_otelcol(
    options: ValidateOptions,
    inputs: list[_Input],
    config: CollectorConfig,
    env: Mapping[str, str],
) -> list[Finding]:
    """Run ``<binary> validate --config …`` and turn a rejection into an OTC900 finding."""
    import subprocess
    import tempfile

    import yaml

    from obsctl.analysis.validate.rules import finding

    binary = options.otelcol or ""
    if not (Path(binary).is_file() and os.access(binary, os.X_OK)):
        raise UsageError(f"--otelcol {binary}: not an executable file")
    plain = "-" not in options.inputs and all(
        i.document is not None and i.document.wrapper == "plain" for i in inputs
    )
    with tempfile.TemporaryDirectory(prefix="obsctl-otelcol-") as tmp:
        if plain:
            configs = [i.name for i in inputs]
        else:
            merged = Path(tmp) / "config.yaml"
            doc = _to_python(config.root) if config.root is not None else {}
            merged.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
            configs = [str(merged)]
        argv = [binary, "validate", *(f"--config={c}" for c in configs)]
        if options.feature_gates:
            argv.append("--feature-gates=" + ",".join(options.feature_gates))
        try:
            proc = subprocess.run(
                argv,
                capture_output=True,
                text=True,
                timeout=OTELCOL_TIMEOUT,
                env=dict(env),
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise UsageError(
                f"--otelcol {binary}: validate did not finish in {OTELCOL_TIMEOUT:.0f} s"
            ) from None
        except OSError as exc:
            raise UsageError(f"--otelcol {binary}: {exc.strerror or exc}") from None
    if proc.returncode == 0:
        return []
    message = _otelcol_error(proc.stderr or proc.stdout)
    first = inputs[0].name if inputs else "-"
    node = _locate_error(message, config.root)
    loc = Location(node.file, node.line, node.col) if node is not None else Location(first)
    return [
        finding(
            "OTC900",
            f"{Path(binary).name} validate: {message}",
            loc.file,
            loc.line,
            loc.col,
            hint=f"exit status {proc.returncode}",
        )
    ]


def _otelcol_error(output: str) -> str:
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    for index, line in enumerate(lines):
        if line.startswith("Error:"):
            # The error may continue over several lines (joined errors); log lines that
            # follow start with a timestamp.
            parts = [line[len("Error:") :].strip()]
            for more in lines[index + 1 :]:
                if re.match(r"^\d{4}[/-]\d\d", more):
                    break
                parts.append(more)
            return " ".join(parts)
    return lines[-1] if lines else "rejected the configuration (no message)"


def _locate_error(message: str, root: YamlMap | None) -> Node | None:
    """Find the config node an ``a::b::c: …`` error path names (deepest match)."""
    if root is None:
        return None
    best: Node | None = None
    for match in re.finditer(r"((?:[\w/\-.]+::)+[\w/\-.]+)", message):
        node: Node | None = root
        for part in match.group(1).split("::"):
            if not isinstance(node, YamlMap) or part not in node:
                break
            key = node.key_node(part)
            best = key
            node = node.get(part)
    for match in re.finditer(r'(?:for id:?|configuration for) "([^"]+)"', message):
        for kind in ("receivers", "processors", "exporters", "connectors", "extensions"):
            section = root.get(kind)
            if isinstance(section, YamlMap) and match.group(1) in section:
                best = section.key_node(match.group(1))
    return best
