"""`infra/install_packages.py` hands uv the settings pip would use on this machine."""

import subprocess
import sys

from infra.install_packages import pip_settings, uv_environment
from tests.conftest import REPO_ROOT


def test_pip_settings_are_handed_to_uv_with_the_separators_uv_reads():
    settings = {"index-url": "https://mirror.example/simple", "find-links": "/opt/wheels /srv/wheels",
                "extra-index-url": "file:///a/simple file:///b/simple", "constraint": "/etc/c.txt",
                "default-timeout": "180", "cert": "/etc/ssl/ca.pem", "trusted-host": "mirror.example",
                "no-index": "true", "disable-pip-version-check": "1"}
    assert uv_environment(settings, {}) == {
        "UV_INDEX_STRATEGY": "unsafe-best-match", "UV_INDEX_URL": "https://mirror.example/simple",
        "UV_FIND_LINKS": "/opt/wheels,/srv/wheels", "UV_EXTRA_INDEX_URL": "file:///a/simple file:///b/simple",
        "UV_CONSTRAINT": "/etc/c.txt", "UV_HTTP_TIMEOUT": "180", "SSL_CERT_FILE": "/etc/ssl/ca.pem",
        "UV_INSECURE_HOST": "mirror.example", "UV_NO_INDEX": "true"}


def test_a_uv_variable_already_set_wins_over_pips_setting():
    env = uv_environment({"find-links": "/opt/wheels"}, {"UV_FIND_LINKS": "/mine", "UV_INDEX_STRATEGY": "first-index"})
    assert env["UV_FIND_LINKS"] == "/mine" and env["UV_INDEX_STRATEGY"] == "first-index"


def test_pip_install_settings_in_pips_order(tmp_path, monkeypatch):
    config = tmp_path / "pip.conf"
    config.write_text("[global]\nfind-links = /from/file\ntimeout = 5\n[install]\ntimeout = 7\n"
                      "[download]\nno-index = true\n", encoding="utf-8")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
    monkeypatch.setenv("PIP_FIND_LINKS", "/from/variable")
    settings = pip_settings()
    assert settings["find-links"] == "/from/variable"
    assert settings["timeout"] == "7"  # [install] over [global]
    assert "no-index" not in settings  # another command's section


def test_the_script_refuses_what_uv_refuses_with_uvs_exit_status():
    """An argument error surfaces as a failed install, so `make setup` stops there."""
    script = subprocess.run([sys.executable, str(REPO_ROOT / "infra" / "install_packages.py"), "--no-such-option"],
                            capture_output=True, text=True)
    assert script.returncode != 0 and "--no-such-option" in script.stderr
