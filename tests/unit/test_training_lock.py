"""One training run per model version at a time, and a killed holder never blocks the next."""

import multiprocessing
import os
import signal
import threading
import time
from pathlib import Path

import dagster as dg

from orchestration.training.run import _exclusive


def _hold(path: str, ready) -> None:
    with _exclusive(Path(path), dg.build_asset_context(), "v1"):
        ready.set()
        time.sleep(600)


def test_a_second_run_waits_for_the_first(tmp_path):
    lock = tmp_path / "model" / "v1.lock"
    order, holding = [], threading.Event()

    def run(name: str, seconds: float) -> None:
        with _exclusive(lock, dg.build_asset_context(), "v1"):
            order.append(f"{name} start")
            holding.set()
            time.sleep(seconds)
            order.append(f"{name} end")

    first = threading.Thread(target=run, args=("first", 0.5))
    first.start()
    assert holding.wait(30)
    run("second", 0)
    first.join()
    assert order == ["first start", "first end", "second start", "second end"]


def test_a_killed_holder_releases_the_lock(tmp_path):
    lock = tmp_path / "model" / "v1.lock"
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    holder = context.Process(target=_hold, args=(str(lock), ready))
    holder.start()
    assert ready.wait(60)
    os.kill(holder.pid, signal.SIGKILL)
    holder.join()
    started = time.monotonic()
    with _exclusive(lock, dg.build_asset_context(), "v1"):
        assert time.monotonic() - started < 5
