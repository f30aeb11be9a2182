# ruff: noqa - an experiment kept in history for its figures (removed in the next commit)
"""EXPERIMENT: host lease vs per-host Redis semaphore, the generated site, N workers each, alternating, in one run.
Usage: python bench/crawl_politeness.py HOSTS REPORTS WORKERS ROUNDS (prints pages/s and Redis commands per request)
"""
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.crawl import SETTINGS, build, distinct_reports
from crawler.frontier import Frontier
from crawler.run import crawl
from crawler.testing.redisd import running_redis
from crawler.testing.server import serve_portals

hosts, reports, workers, rounds = map(int, sys.argv[1:5])
site, entries = build(hosts, reports)
sched = {"lease": "crawler.frontier_scheduler.FrontierScheduler", "semaphore": "crawler.frontier_semaphore.SemaphoreScheduler"}
res = {k: [] for k in sched}
with running_redis() as r:
    for rnd in range(rounds):
        for name, cls in sched.items():
            Frontier(r.url).clear()
            Frontier(r.url).redis.config_resetstat()
            with tempfile.TemporaryDirectory() as tmp, serve_portals(site=site) as server:
                parts = [Path(tmp) / f"p{k}.db" for k in range(workers)]
                out = {}
                def run(k):
                    out[k] = crawl(entries, parts[k], allow_private_hosts=True, host_map=server.host_map,
                                   settings={**SETTINGS, "NIANBAO_FRONTIER_SCHEDULER": cls}, frontier=r.url, worker_id=f"b{k}")
                t0 = time.monotonic()
                ts = [threading.Thread(target=run, args=(k,)) for k in range(workers)]
                [t.start() for t in ts]; [t.join() for t in ts]
                el = time.monotonic() - t0
                served = len(server.requests); mi = max(server.max_inflight.values())
                d, v = distinct_reports(parts)
            res[name].append(served / el)
            stats = Frontier(r.url).redis.info("commandstats")
            calls = sum(v["calls"] for k, v in stats.items() if not k.endswith(("info", "config", "flushall")))
            scripts = sum(v["calls"] for k, v in stats.items() if k.endswith(("evalsha", "eval")))
            print(f"   redis: {calls} commands ({calls/served:.1f} per request), {scripts} script runs", flush=True)
            print(f"round {rnd} {name}: {el:.1f}s {served} req {served/el:.1f} pages/s, {d}/{hosts*reports} reports, {v-d} twice, max inflight {mi}, rc {[o.returncode for o in out.values()]}", flush=True)
for k, v in res.items():
    print(k, [round(x, 1) for x in v], "mean", round(sum(v) / len(v), 1))
