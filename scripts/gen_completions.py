"""Regenerate completions/ from the CLI (``--check``: fail if they drifted)."""

from __future__ import annotations

import sys
from pathlib import Path

from obsctl.cli.completion import completion_script

ROOT = Path(__file__).resolve().parents[1]
FILES = {"bash": "obsctl.bash", "zsh": "_obsctl", "fish": "obsctl.fish"}


def main() -> int:
    check = "--check" in sys.argv[1:]
    stale = []
    for shell, name in FILES.items():
        path = ROOT / "completions" / name
        text = completion_script(shell)
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path.relative_to(ROOT)))
        else:
            path.write_text(text)
    if stale:
        sys.stderr.write(
            f"stale completions: {', '.join(stale)}; run python scripts/gen_completions.py\n"
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
