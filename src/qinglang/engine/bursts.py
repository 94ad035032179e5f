"""Stage 5: bursts - an event's or a watched entity's volume against its own baseline.

The last bucket (an hour by default) is compared with the mean of the previous buckets (three
days), as GDELT's trending feed does.  Poisson-style z-score: (now - mean) / sqrt(mean + 1), so a
quiet key needs a few items before it can burst at all (``burst_min_count``).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from .config import EngineConfig


@dataclass(frozen=True)
class Burst:
    key: str
    count: int          # items in the current bucket
    baseline: float     # mean per bucket over the baseline buckets
    z: float
    bursting: bool


class BurstDetector:
    def __init__(self, config: EngineConfig) -> None:
        self.cfg = config
        # key -> deque of [bucket, count], newest last; only non-empty buckets are stored
        self.series: dict[str, deque[list[int]]] = {}

    def observe(self, key: str, time: float) -> Burst:
        bucket = int(time // self.cfg.burst_bucket_seconds)
        series = self.series.setdefault(key, deque())
        if series and series[-1][0] == bucket:
            series[-1][1] += 1
        elif not series or series[-1][0] < bucket:
            series.append([bucket, 1])
        else:  # a late item: count it in its own bucket if still kept
            for slot in series:
                if slot[0] == bucket:
                    slot[1] += 1
                    break
        oldest = bucket - self.cfg.burst_baseline_buckets
        while series and series[0][0] < oldest:
            series.popleft()
        return self._judge(key, series, bucket)

    def _judge(self, key: str, series: deque[list[int]], bucket: int) -> Burst:
        now = sum(c for b, c in series if b == bucket)
        past = sum(c for b, c in series if b < bucket)
        mean = past / self.cfg.burst_baseline_buckets
        z = (now - mean) / math.sqrt(mean + 1.0)
        return Burst(key, now, mean, z, now >= self.cfg.burst_min_count and z >= self.cfg.burst_z)

    def forget(self, keys: set[str]) -> None:
        for key in keys:
            self.series.pop(key, None)

    def prune(self, time: float) -> None:
        """Drop keys with nothing inside the baseline window (aged-out events, quiet names)."""
        oldest = int(time // self.cfg.burst_bucket_seconds) - self.cfg.burst_baseline_buckets
        self.series = {k: s for k, s in self.series.items() if s and s[-1][0] >= oldest}
