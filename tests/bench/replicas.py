"""`make bench`: one vs two replicas of each server behind HAProxy (tests/scale/cluster.py), FAQ
messages over the REST channel through the router, on this 2-core machine.

Honest expectation: the work is CPU-bound and both replicas share the same two cores, so a
second replica buys availability here, not throughput; on separate cores it adds throughput.
The table (also reports/bench-replicas.md) is what the Scaling section of README.md quotes.
"""

from __future__ import annotations

import asyncio
import os
import shutil

from tests.bench.stack import load, measures, percentile, publish, resident_mb
from tests.scale.cluster import Cluster
from tests.support import ROOT
from tests.support.services import POSTGRES_URL, in_schema, postgres_schema

USERS, TURNS = 32, 10


def measure(replicas: int) -> list[tuple[str, str, str]]:
    scratch = ROOT / "var" / f"bench-replicas-{replicas}"
    shutil.rmtree(scratch, ignore_errors=True)
    with postgres_schema("bench_backend") as backend, postgres_schema("bench_tracker") as tracker:
        cluster = Cluster(scratch, in_schema(POSTGRES_URL, backend), tracker, replicas=replicas)
        try:
            cluster.start()
            url = cluster.url("rasa-router")
            asyncio.run(load(url, 4, 5))  # warm-up
            latencies, rate = asyncio.run(load(url, USERS, TURNS))
            memory = sum(resident_mb(p.pid) for p in cluster.processes.values())
        finally:
            cluster.stop()
    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    name = f"{replicas} of each"
    return [
        (f"{name}: throughput", f"{rate:.1f} messages/s", f"{USERS} conversations x {TURNS}"),
        (f"{name}: latency", f"p50 {p50:.0f} ms, p95 {p95:.0f} ms", "through HAProxy"),
        (f"{name}: resident memory, all servers", f"{memory:.0f} MB", "Rasa, actions, web"),
    ]


def main() -> None:
    os.environ.setdefault("SPORTELLO_ENV", "development")
    rows = measure(1) + measure(2)
    publish(measures(rows), "bench-replicas.md")


if __name__ == "__main__":
    main()
