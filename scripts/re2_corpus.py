"""Write ``tests/fixtures/re2/promtool.json``: random regexes and what promtool says of each.

The patterns are drawn (fixed seed) from pieces that reach every branch of Go's
``regexp/syntax`` parser; promtool (Debian's 2.42) checks them as label matchers in one rule
file, and its verdict and message for each is stored. Patterns whose promtool message cannot
be Prometheus 3's are left out, on what promtool says and the pattern alone (never on what
obsctl says): promtool 2.42 parsed ``^(?:…)$`` around the pattern, so an unbalanced ``)``,
an unterminated ``\\Q`` or a trailing backslash reads into that wrapping, and an error that
quotes text running into it differs; its Go also did not know ``(?<name>…)``.

Run: ``python scripts/re2_corpus.py [--check]`` (``--check``: fail when the stored file
differs from what promtool says now).
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "re2" / "promtool.json"
SEED = 20261206
COUNT = 2500
PIECES = (
    "a", "b", "z", "é", "_", ":", "-", ",", ".", "|", "^", "$", "*", "+", "?", "{", "}",
    "0", "1", "2", "01", "1000", "1001", "{2}", "{1,3}", "{,2}", "{3,1}", "{2,}", "{0}",
    "{1001,}", "{500}", "{600}", "{2,600}", "{99999999999}", "{1,1001}", "{1,}", "{,}",
    "{ 1}", "{-1}", "{0,0}", "{01}", "{1,01}", "{00}", "\\Q*\\E", "\\Q(\\E", "\\Qa",
    "(", ")", "(?i)", "(?:", "(?i:", "(?-", "(?#", "(?=", "(?P<n>", "(?<x>", "(?<=", "(?P<>",
    "(?P<n-m>", "(?P<n", "(?U)", "(?mi)", "(?i-s:", "(?s-)", "(?P=",
    "[", "]", "[^", "[]", "[]a]", "[-", "-]", "[:alpha:]", "[:^digit:]", "[:foo:]", "[:alpha",
    "\\", "\\d", "\\w", "\\D", "\\b", "\\B", "\\A", "\\z", "\\Z", "\\C", "\\q",
    "\\.", "\\-", "\\_", "\\0", "\\1", "\\12", "\\8", "\\07", "\\n", "\\t", "\\f",
    "\\x", "\\x4", "\\x41", "\\xZZ", "\\x{", "\\x{41}", "\\x{110000}", "\\x{zz}",
    "\\x{}", "\\p", "\\pL", "\\pX", "\\PL", "\\p{", "\\p{Greek}", "\\p{^Lu}",
    "\\p{2}", "\\Q", "\\E", "[a-z]", "[z-a]", "[\\x41-\\x5a]", "[\\x5a-\\x41]",
    "[\\n-\\r]", "[\\r-\\n]", "[\\0-\\7]", "[\\x{41}-\\x{40}]", "[a-\\x{10}]",
    "[\\.-a]", "[\\d-z]", "[a-\\d]", "[\\pL]", "[\\p{Greek}-]", "[a-a]", "[b-a]",
    "[\\t-\\n]", "[\\n-\\t]", "[\\a-\\f]", "[\\f-\\a]", "[\\v-\\r]", "[\\r-\\v]",
    "[\\7-\\01]", "[\\01-\\7]", "[\\x41-\\x{40}]", "[\\x{40}-\\x41]", "[\\x4", "[:]",
    "[[:]]", "[\\",
)  # fmt: skip


def patterns() -> list[str]:
    rng = random.Random(SEED)
    found: set[str] = set()
    while len(found) < COUNT:
        found.add("".join(rng.choice(PIECES) for _ in range(rng.randint(1, 6))))
    return sorted(found)


def regex_rule_file(pats: list[str]) -> str:
    """A rule file with one recording rule per pattern, ``r:x:<index>``, matching ``up`` on it."""

    def quoted(pattern: str) -> str:
        return '"' + pattern.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["groups:", "  - name: g", "    rules:"]
    for i, pattern in enumerate(pats):
        expr = "up{job=~" + quoted(pattern) + "}"
        lines += [f"      - record: r:x:{i}", "        expr: '" + expr.replace("'", "''") + "'"]
    return "\n".join(lines) + "\n"


def promtool_answers(pats: list[str], output: str) -> dict[str, str | None]:
    """Per pattern of ``regex_rule_file(pats)``, promtool's parse error (``None``: none)."""
    said: dict[str, str | None] = dict.fromkeys(pats)
    for line in output.splitlines():
        m = re.search(r'"r:x:(\d+)": could not parse expression: \d+:\d+: parse error: (.*)', line)
        if m:
            said[pats[int(m.group(1))]] = m.group(2)
    return said


def promtool_says(pats: list[str]) -> dict[str, str | None]:
    promtool = shutil.which("promtool")
    if promtool is None:
        raise SystemExit("promtool is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "regexes.yaml"
        path.write_text(regex_rule_file(pats), encoding="utf-8")
        out = subprocess.run(
            [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
        )
    return promtool_answers(pats, out.stdout + out.stderr)


def _unbalanced(pattern: str) -> bool:
    depth = 0
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        depth += {"(": 1, ")": -1}.get(pattern[i], 0)
        if depth < 0:
            return True
        i += 1
    return False


def comparable(pattern: str, message: str | None) -> bool:
    """Whether promtool 2.42's answer is Prometheus 3's (module docstring)."""
    unterminated_quote = pattern.rfind("\\Q") > pattern.rfind("\\E")
    if _unbalanced(pattern) or unterminated_quote or pattern.endswith("\\"):
        return False
    if message is None:
        return True
    if "`(?<`" in message:
        return False
    quoted = message.rsplit("`", 2)[-2] if message.count("`") >= 2 else ""
    return quoted == f"^(?:{pattern})$" or quoted in pattern


def normalized(pattern: str, message: str | None) -> str | None:
    """promtool's message with the pattern quoted alone where it quoted ``^(?:…)$``."""
    return None if message is None else message.replace(f"`^(?:{pattern})$`", f"`{pattern}`")


def main() -> int:
    pats = patterns()
    said = promtool_says(pats)
    corpus = {p: normalized(p, m) for p, m in said.items() if comparable(p, m)}
    text = json.dumps(corpus, indent=0, ensure_ascii=False, sort_keys=True) + "\n"
    if "--check" in sys.argv[1:]:
        if OUT.read_text(encoding="utf-8") != text:
            sys.stderr.write(f"{OUT} is stale: run scripts/re2_corpus.py\n")
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
