"""Installs Python packages into the environment of the interpreter that runs this script, with uv,
configured as this machine configures pip.

Why uv: it unpacks and byte-compiles on every core. On 2 cores the project's ~200 packages take
about 35 s instead of pip's 77 s (pip spent ~40 s unpacking torch's wheel on one core, and
byte-compiling had to run as a separate step).

uv does not read pip's configuration, so the settings pip would use (pip.conf files and PIP_*
variables, in pip's precedence) are handed to uv as its own variables; a UV_* variable already set
wins. uv's default index strategy stops at the first index that has a package; pip weighs every
index equally, and so does this install.

Usage: python infra/install_packages.py ARGUMENT...   (the arguments of `pip install`)
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys

# pip's setting -> (uv's variable, the separator uv expects between several values).
PIP_TO_UV = {
    "index-url": ("UV_INDEX_URL", " "),
    "extra-index-url": ("UV_EXTRA_INDEX_URL", " "),
    "find-links": ("UV_FIND_LINKS", ","),
    "constraint": ("UV_CONSTRAINT", " "),
    "trusted-host": ("UV_INSECURE_HOST", " "),
    "no-index": ("UV_NO_INDEX", " "),  # a machine with only find-links: uv reads pip's true/false, 1/0
    "default-timeout": ("UV_HTTP_TIMEOUT", " "),
    "cert": ("SSL_CERT_FILE", " "),
}

# The pip.conf sections `pip install` reads, and PIP_* variables.
INSTALL_SECTIONS = ("global", "install", ":env:")


def pip_settings() -> dict[str, str]:
    """pip's effective settings for `pip install`: `pip config list` prints files then PIP_*
    variables in the order pip applies them (within a file, [install] after [global]), so a later
    line for the same name wins."""
    listed = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True,
                            check=True).stdout
    settings = {}
    for line in listed.splitlines():
        key, separator, value = line.partition("=")
        section, _, name = key.rpartition(".")
        if separator and section in INSTALL_SECTIONS:
            settings[name] = ast.literal_eval(value)
    return settings


def uv_environment(settings: dict[str, str], environ: dict[str, str]) -> dict[str, str]:
    env = {"UV_INDEX_STRATEGY": "unsafe-best-match"}
    for name, (variable, separator) in PIP_TO_UV.items():
        if name in settings:
            env[variable] = separator.join(settings[name].split())
    return {**env, **environ}


def main(arguments: list[str]) -> int:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "uv>=0.9"], check=True)
    command = [sys.executable, "-m", "uv", "pip", "install", "--quiet", "--compile-bytecode",
               "--python", sys.executable, *arguments]
    return subprocess.run(command, env=uv_environment(pip_settings(), dict(os.environ))).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
