"""`flywheel serve`: the model server under uvicorn. SIGTERM or Ctrl-C stops taking connections,
lets in-flight requests finish, drains the models and publishes the acknowledged feedback."""

from __future__ import annotations

import logging

from flywheel.home import FlywheelHome
from flywheel.serving.settings import ServingSettings


def serve(settings: ServingSettings, home: FlywheelHome) -> None:
    import uvicorn

    from flywheel.serving.app import create_app
    from flywheel.serving.server import Server

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    home.ensure()
    app = create_app(Server(settings, home))
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", access_log=False)
