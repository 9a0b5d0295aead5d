"""How the benchmarks run one variant in a fresh Python process and get its record back: the
child prints one line `RESULT <json>`; the parent reads the last such line."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from typing import Any

PREFIX = "RESULT "


def print_result(record: Mapping[str, Any]) -> None:
    """In the child: hand `record` back to the parent."""
    print(PREFIX + json.dumps(record), flush=True)


def run_in_fresh_process(command: Sequence[str], env: Mapping[str, str], what: str) -> dict:
    """In the parent: run `command` and return the record it printed; exit with its error
    output (the last 3000 characters) when it failed or printed none."""
    result = subprocess.run(
        list(command), env=dict(env), capture_output=True, text=True, check=False
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith(PREFIX)]
    if result.returncode != 0 or not lines:
        raise SystemExit(f"{what} failed:\n{result.stderr[-3000:]}")
    return json.loads(lines[-1][len(PREFIX) :])
