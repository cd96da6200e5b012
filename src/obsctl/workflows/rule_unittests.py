"""``obsctl rules test``: read unit-test files and their rule files, run the tests offline."""

from __future__ import annotations

import glob
import re
from collections.abc import Sequence
from pathlib import Path

from obsctl.analysis.engine.plan import Node
from obsctl.errors import ObsctlError, UsageError
from obsctl.model.rule_unittests import (
    FileResult,
    GroupResult,
    RuleGroup,
    RulesTestReport,
    UncoveredAlert,
    UnitTestFile,
)

_MAX_FILE_BYTES = 64 * 1024 * 1024


def _read(path: str) -> str:
    try:
        size = Path(path).stat().st_size
        if size > _MAX_FILE_BYTES:
            raise UsageError(f"{path}: {size} bytes: larger than the {_MAX_FILE_BYTES} byte limit")
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror or exc}") from None


def _compile(query: str) -> Node:
    from obsctl.analysis.engine.compile import compile_expr
    from obsctl.parsers.promql_parser import parse_expr

    return compile_expr(parse_expr(query), query)


def _rule_files(test_file: str, unit: UnitTestFile) -> tuple[list[str], list[str]]:
    base = Path(test_file).parent
    files: list[str] = []
    warnings: list[str] = []
    for pattern in unit.rule_files:
        full = pattern if Path(pattern).is_absolute() or not pattern else str(base / pattern)
        # Shell-style globs on the joined path, as promtool's filepath.Glob.
        matches = sorted(glob.glob(full))  # noqa: PTH207
        if not matches:
            warnings.append(f"no file match pattern {full}")
        files.extend(matches)
    return files, warnings


def run_rules_tests(
    files: Sequence[str], *, run: Sequence[str] = (), coverage: bool = False
) -> RulesTestReport:
    """Run every test group of ``files`` whose name matches one of ``run`` (all when empty).

    A file that cannot be read, decoded, or whose rule files cannot be loaded is reported
    with its ``error`` and no groups.
    """
    from obsctl.analysis.rules_unittest import alert_names_tested, run_test_group
    from obsctl.lifetime import end_without_teardown
    from obsctl.parsers.rules_unittest import parse_rule_groups, parse_unit_test_file

    end_without_teardown()  # reads files, writes the report only (see obsctl.lifetime)

    try:
        run_re = re.compile("|".join(run)) if run else None
    except re.error as exc:
        raise UsageError(f"--run: invalid regular expression: {exc}") from None
    results: list[FileResult] = []
    all_rules: dict[tuple[str, str, int], UncoveredAlert] = {}
    tested: set[str] = set()
    for path in files:
        try:
            unit = parse_unit_test_file(_read(path), source=path)
            rule_paths, warnings = _rule_files(path, unit)
            groups: list[RuleGroup] = []
            for rp in rule_paths:
                groups.extend(parse_rule_groups(_read(rp), source=rp))
        except ObsctlError as exc:
            results.append(FileResult(file=path, error=exc.message))
            continue
        tested |= alert_names_tested(unit)
        for g in groups:
            for r in g.rules:
                if r.kind == "alert":
                    all_rules[(r.source, r.name, r.line)] = UncoveredAlert(
                        r.name, r.source, r.line, g.name
                    )
        group_results: list[GroupResult] = []
        for i, test in enumerate(unit.tests):
            name = test.name or f"unnamed#{i}"
            if run_re is not None and not run_re.search(test.name):
                continue
            res = run_test_group(test, unit, groups, _compile)
            group_results.append(GroupResult(name=name, failures=res.failures))
        results.append(FileResult(file=path, groups=tuple(group_results), warnings=tuple(warnings)))
    uncovered = None
    if coverage:
        uncovered = tuple(
            sorted(
                (u for u in all_rules.values() if u.alertname not in tested),
                key=lambda u: (u.source, u.line),
            )
        )
    return RulesTestReport(files=tuple(results), coverage=uncovered)
