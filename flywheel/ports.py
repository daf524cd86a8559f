"""A free TCP port on loopback, for servers and rendezvous that must not collide with a neighbour's."""

from __future__ import annotations

import socket


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (the OS's choice); bind it soon, as another may take it."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]
