"""The shared rule framework: definitions, selection, overrides, baselines, explanations."""

from __future__ import annotations

import pytest

from obsctl.analysis.catalogue import Catalogue, Hit, apply_baseline, baseline_key
from obsctl.errors import UsageError
from obsctl.model.findings import Finding, Location, Severity

W, E = Severity.WARNING, Severity.ERROR


def _catalogue() -> Catalogue:
    cat = Catalogue("demo")
    cat.define("DEM101", "first-rule", W, "first", "why\n    it exists")
    cat.define("DEM102", "second-rule", E, "second", "because")
    cat.define("DEM201", "third-rule", W, "third", "reasons", help_uri="https://example.com")
    return cat


def _finding(rule_id: str, severity: Severity, subject: str = "") -> Finding:
    return Finding(
        rule_id, "x", severity, f"msg {rule_id}", Location("f.yaml", 3, 1), None, subject
    )


def test_duplicate_ids_are_refused() -> None:
    cat = _catalogue()
    with pytest.raises(ValueError, match="duplicate rule id DEM101"):
        cat.define("DEM101", "again", W, "s", "e")


def test_resolve_by_id_prefix_name_and_all() -> None:
    cat = _catalogue()
    assert [r.rule_id for r in cat.resolve("dem1")] == ["DEM101", "DEM102"]
    assert [r.rule_id for r in cat.resolve("third-rule")] == ["DEM201"]
    assert len(cat.resolve("ALL")) == 3
    assert cat.resolve("DEM9") == []


def test_longest_match_wins_and_ignore_beats_equal_select() -> None:
    cat = _catalogue()
    sel = cat.selection(select=["DEM1"], ignore=["DEM102"])
    assert [r.rule_id for r in cat.rules.values() if sel.enabled(r)] == ["DEM101"]
    sel = cat.selection(select=["DEM102"], ignore=["DEM102"])
    assert not sel.enabled(cat.rules["DEM102"])
    sel = cat.selection(ignore=["DEM"], select=["DEM201"])
    assert sel.enabled(cat.rules["DEM201"]) and not sel.enabled(cat.rules["DEM101"])


def test_flags_replace_select_and_extend_ignore() -> None:
    cat = _catalogue()
    configured = cat.selection(select=["DEM2"], ignore=["DEM101"])
    sel = configured.with_flags(select=["DEM1"], ignore=["DEM102"])
    assert sel.select == ("DEM1",) and sel.ignore == ("DEM101", "DEM102")
    assert configured.with_flags().select == ("DEM2",)


def test_unknown_tokens_are_a_usage_error_naming_the_tool() -> None:
    sel = _catalogue().selection(select=["DEM1", "NOPE"])
    assert sel.validate() == ["NOPE"]
    with pytest.raises(UsageError) as err:
        sel.check()
    assert err.value.message == "unknown rule(s) NOPE"
    assert "obsctl demo --list-rules" in (err.value.hint or "")


def test_hits_become_findings_with_overridden_severity() -> None:
    cat = _catalogue()
    sel = cat.selection(ignore=["DEM102"], severities={"DEM101": E})
    hits = [Hit(cat.rules["DEM101"], "a", 2, "s"), Hit(cat.rules["DEM102"], "b", 3)]
    (only,) = sel.findings(hits, "in.prom")
    assert (only.rule_id, only.severity, str(only.location)) == ("DEM101", E, "in.prom:2")


def test_apply_keeps_a_findings_own_severity_unless_overridden() -> None:
    cat = _catalogue()
    found = [_finding("DEM101", Severity.INFO), _finding("DEM102", E), _finding("DEM201", W)]
    kept = cat.selection(ignore=["DEM102"]).apply(found)
    assert [(f.rule_id, f.severity) for f in kept] == [("DEM101", Severity.INFO), ("DEM201", W)]
    kept = cat.selection(severities={"DEM2": E}).apply(found)
    assert [f.severity for f in kept] == [Severity.INFO, E, E]


def test_listing_and_explain() -> None:
    cat = _catalogue()
    listing = cat.listing(cat.selection(ignore=["DEM2"], severities={"DEM101": E}))
    first, _, third = listing.rules
    assert (first.severity, first.default_severity, first.enabled) == ("error", "warning", True)
    assert first.explanation == "why it exists"
    assert not third.enabled and not listing.explain
    explained = cat.explain(["third-rule", "dem101"])
    assert explained.explain
    assert [(r.rule_id, r.help_uri) for r in explained.rules] == [
        ("DEM201", "https://example.com"),
        ("DEM101", None),
    ]
    with pytest.raises(UsageError, match="unknown rule 'DEM1'"):
        cat.explain(["DEM1"])  # a prefix names several rules: not one to explain


def test_baseline_keys_ignore_lines() -> None:
    a = _finding("DEM101", W, subject="metric_a")
    moved = Finding("DEM101", "x", W, "other text", Location("f.yaml", 99, 4), None, "metric_a")
    assert baseline_key(a) == baseline_key(moved) == "DEM101|f.yaml|metric_a"
    no_subject = _finding("DEM102", E)
    assert baseline_key(no_subject) == "DEM102|f.yaml|msg DEM102"
    assert apply_baseline([a, no_subject], {baseline_key(moved)}) == [no_subject]
