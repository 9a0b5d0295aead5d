"""Run uv with the package sources that pip is configured to use on this machine.

uv reads none of pip's configuration. `make install` and `make lock` run uv through this
script, so an index, mirror, proxy or certificate set up for pip (in pip.conf or PIP_*
variables) serves uv too. It reads pip's effective settings (`python -m pip config list`),
maps those that say where packages come from onto uv's environment variables, and runs the
command. A variable already set for uv is left as it is.

    python scripts/pip_to_uv.py [--primary-index-only] -- UV ARGS...
    eval "$(python scripts/pip_to_uv.py [--primary-index-only] --export)"   # for a shell

`--primary-index-only` (used by `make lock`) passes on pip's main index but not its extra
indexes or find-links folders: the lock records the hashes of every file of each release on
the main index (every platform's wheels), and a local mirror that holds one platform's wheels
would make a lock that installs nowhere else. Installing from such a mirror is fine: its files
are checked against those hashes.
"""

from __future__ import annotations

import ast
import os
import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence

# pip's option precedence for `pip install`: PIP_* variables, then the [install] section of
# the configuration files, then [global].
SECTIONS = (":env:", "install", "global")


def read_pip_config(python: str = sys.executable) -> dict[str, str]:
    """pip's effective settings as `{option: value}`, or `{}` when pip cannot say."""
    try:
        listed = subprocess.run(
            [python, "-m", "pip", "config", "list"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    return parse_pip_config(listed)


def parse_pip_config(listed: str) -> dict[str, str]:
    """Parse `pip config list` output (`section.option='value'` lines) by precedence."""
    by_section: dict[str, dict[str, str]] = {}
    for line in listed.splitlines():
        key, sep, raw = line.partition("=")
        section, dot, option = key.rpartition(".")
        if not (sep and dot):
            continue
        try:
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            value = raw
        by_section.setdefault(section, {})[option.replace("_", "-")] = str(value)
    settings: dict[str, str] = {}
    for section in reversed(SECTIONS):
        settings.update(by_section.get(section, {}))
    return settings


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def usable_find_links(entries: Sequence[str]) -> list[str]:
    """The find-links entries uv can read: pip warns about a local folder or file that does
    not exist and goes on, uv fails, so those are dropped here, one line each on stderr."""
    kept = []
    for entry in entries:
        scheme, _, rest = entry.partition("://")
        local = rest if scheme == "file" else None if rest else entry
        if local is not None and not os.path.exists(local):
            print(
                f"pip_to_uv: find-links {entry!r} is ignored: no such file or folder "
                "(pip ignores it too)",
                file=sys.stderr,
            )
            continue
        kept.append(entry)
    return kept


def uv_environment(pip: Mapping[str, str], primary_index_only: bool = False) -> dict[str, str]:
    """uv's environment variables for pip's settings."""
    env: dict[str, str] = {}
    if pip.get("index-url"):
        env["UV_DEFAULT_INDEX"] = pip["index-url"]
    if pip.get("cert"):
        env["SSL_CERT_FILE"] = pip["cert"]
    if pip.get("client-cert"):
        env["SSL_CLIENT_CERT"] = pip["client-cert"]
    if pip.get("proxy"):
        env["HTTPS_PROXY"] = env["HTTP_PROXY"] = pip["proxy"]
    if pip.get("trusted-host"):
        env["UV_INSECURE_HOST"] = " ".join(pip["trusted-host"].split())
    timeout = pip.get("timeout") or pip.get("default-timeout")
    if timeout:
        env["UV_HTTP_TIMEOUT"] = timeout
    if primary_index_only:
        return env
    if pip.get("extra-index-url"):
        env["UV_INDEX"] = " ".join(pip["extra-index-url"].split())
    find_links = usable_find_links(pip.get("find-links", "").split())
    if find_links:
        env["UV_FIND_LINKS"] = ",".join(find_links)
    if _truthy(pip.get("no-index", "")):
        env["UV_NO_INDEX"] = "1"
    if "UV_INDEX" in env or "UV_FIND_LINKS" in env:
        # pip takes the best version found on any index; uv's default would take only the
        # first index that knows a package, even when it lacks the locked version.
        env["UV_INDEX_STRATEGY"] = "unsafe-best-match"
    return env


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    split = args.index("--") if "--" in args else len(args)
    options, command = args[:split], args[split + 1 :]
    wanted = uv_environment(read_pip_config(), "--primary-index-only" in options)
    added = {name: value for name, value in wanted.items() if name not in os.environ}
    if "--export" in options:
        for name, value in added.items():
            print(f"export {name}={shlex.quote(value)}")
        return 0
    if not command:
        print(
            "usage: pip_to_uv.py [--primary-index-only] (--export | -- UV ARGS...)",
            file=sys.stderr,
        )
        return 2
    try:
        return subprocess.run(command, env={**os.environ, **added}, check=False).returncode
    except OSError as exc:
        print(f"could not run {command[0]}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
