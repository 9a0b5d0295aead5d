"""Pin environment.yml's packages to the versions in requirements.lock (run by `make lock`).

Every package environment.yml names gets the lock's version: `name=X` among conda's
packages, `name==X` in its pip section. Python and the project itself are left as
they are. The file is rewritten through a temporary file and a rename.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ITEM = re.compile(
    r"^(?P<lead>\s+- )(?P<name>[A-Za-z0-9_.\-]+)(?P<pin>[=<>!~][^\s#]*)?(?P<rest>.*)$"
)
UNPINNED = {"python"}


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_versions(lock_text: str) -> dict[str, str]:
    """`{name: version}` from a requirements lock (the first entry of a name wins)."""
    versions: dict[str, str] = {}
    for line in lock_text.splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", line)
        if match:
            versions.setdefault(normalize(match.group(1)), match.group(2))
    return versions


def pin(environment: str, versions: dict[str, str]) -> str:
    out = []
    in_dependencies = in_pip = False
    for line in environment.splitlines(keepends=True):
        in_dependencies = in_dependencies or line.startswith("dependencies:")
        if re.match(r"^\s+- pip:\s*$", line):
            in_pip = True
            out.append(line)
            continue
        match = ITEM.match(line.rstrip("\n")) if in_dependencies else None
        if match and not match["name"].startswith("-") and match["name"] not in UNPINNED:
            version = versions.get(normalize(match["name"]))
            if version is None:
                raise SystemExit(f"environment.yml names {match['name']}, which the lock lacks")
            sep = "==" if in_pip else "="
            line = f"{match['lead']}{match['name']}{sep}{version}{match['rest']}\n"
        out.append(line)
    return "".join(out)


def main() -> int:
    path = ROOT / "environment.yml"
    text = pin(path.read_text(), lock_versions((ROOT / "requirements.lock").read_text()))
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".environment.yml.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
