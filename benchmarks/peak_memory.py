"""Peak resident memory of this process and all its descendants (JVM, Spark/datatrove workers)."""

from __future__ import annotations

import threading

import psutil


class PeakMemory:
    """Samples the process tree's total RSS every `interval` seconds while in the `with` block."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak_bytes = 0
        self._stop = threading.Event()

    def _tree_rss(self) -> int:
        root = psutil.Process()
        total = 0
        for process in [root, *root.children(recursive=True)]:
            try:
                total += process.memory_info().rss
            except psutil.Error:
                pass
        return total

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_bytes = max(self.peak_bytes, self._tree_rss())

    def __enter__(self) -> PeakMemory:
        self.peak_bytes = self._tree_rss()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mib(self) -> float:
        return self.peak_bytes / 2**20
