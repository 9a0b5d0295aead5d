"""`make install` gives uv the package sources pip is configured with (scripts/pip_to_uv.py)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("pip_to_uv", ROOT / "scripts" / "pip_to_uv.py")
pip_to_uv = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pip_to_uv)

LISTED = """\
global.cert='/etc/ssl/certs/ca-certificates.crt'
global.extra-index-url='file:///opt/pypi/simple file:///opt/pypi-more/simple'
global.find-links='/opt/wheels'
global.index-url='https://global.example/simple'
install.index-url='https://install.example/simple'
:env:.default-timeout='180'
:env:.find-links='/opt/wheels /srv/more'
"""


def test_environment_beats_install_section_beats_global() -> None:
    settings = pip_to_uv.parse_pip_config(LISTED)
    assert settings["index-url"] == "https://install.example/simple"
    assert settings["find-links"] == "/opt/wheels /srv/more"
    assert settings["cert"] == "/etc/ssl/certs/ca-certificates.crt"
    assert pip_to_uv.parse_pip_config("") == {}


def test_pip_settings_become_uv_variables(monkeypatch) -> None:
    monkeypatch.setattr(pip_to_uv.os.path, "exists", lambda path: path == "/opt/wheels")
    env = pip_to_uv.uv_environment(pip_to_uv.parse_pip_config(LISTED))
    assert env == {
        "UV_DEFAULT_INDEX": "https://install.example/simple",
        "SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt",
        "UV_HTTP_TIMEOUT": "180",
        "UV_INDEX": "file:///opt/pypi/simple file:///opt/pypi-more/simple",
        "UV_FIND_LINKS": "/opt/wheels",
        "UV_INDEX_STRATEGY": "unsafe-best-match",
    }
    proxy = pip_to_uv.uv_environment({"proxy": "http://proxy:3128", "trusted-host": "a  b"})
    assert proxy == {
        "HTTPS_PROXY": "http://proxy:3128",
        "HTTP_PROXY": "http://proxy:3128",
        "UV_INSECURE_HOST": "a b",
    }


def test_the_lock_is_made_from_the_main_index_only() -> None:
    env = pip_to_uv.uv_environment(pip_to_uv.parse_pip_config(LISTED), primary_index_only=True)
    assert env["UV_DEFAULT_INDEX"] == "https://install.example/simple"
    assert not {"UV_INDEX", "UV_FIND_LINKS", "UV_INDEX_STRATEGY"} & set(env)


def test_variables_already_set_for_uv_win(tmp_path) -> None:
    config = tmp_path / "pip.conf"
    config.write_text("[global]\nindex-url = https://from-pip.example/simple\n")
    env = {"PATH": "/usr/bin:/bin", "PIP_CONFIG_FILE": str(config)}
    script = str(ROOT / "scripts" / "pip_to_uv.py")
    exported = subprocess.run(
        [sys.executable, script, "--export"], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert "export UV_DEFAULT_INDEX=https://from-pip.example/simple" in exported
    kept = subprocess.run(
        [sys.executable, script, "--", sys.executable, "-c",
         "import os; print(os.environ['UV_DEFAULT_INDEX'])"],
        env={**env, "UV_DEFAULT_INDEX": "https://mine.example/simple"},
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert kept.strip() == "https://mine.example/simple"


def test_find_links_that_do_not_exist_are_dropped_as_pip_does(tmp_path, capsys) -> None:
    folder, wheel = tmp_path / "wheels", tmp_path / "one.whl"
    folder.mkdir()
    wheel.write_bytes(b"")
    missing = tmp_path / "missing"
    entries = [
        str(folder),
        f"file://{wheel}",
        str(missing),
        f"file://{missing}",
        "https://x.example/w",
    ]
    assert pip_to_uv.usable_find_links(entries) == [str(folder), f"file://{wheel}", entries[-1]]
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all("is ignored: no such file or folder" in line for line in err)
    env = pip_to_uv.uv_environment({"find-links": f"{missing}"})
    assert "UV_FIND_LINKS" not in env and "UV_INDEX_STRATEGY" not in env
