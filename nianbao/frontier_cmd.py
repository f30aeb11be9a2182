"""`nianbao frontier --frontier redis://…`: the state of a shared crawl, and clearing a finished one.

What an operator asks while workers run: how much is queued, what each worker has in flight, which hosts
are leased to whom, which hosts are blocked. After the parts are merged, `--clear` removes the crawl's keys
so that the next crawl starts from an empty queue and seen-set (it refuses while work is left, unless
`--force`).
"""

from __future__ import annotations

import json
import sys

import click


@click.command("frontier")
@click.option("--frontier", "url", required=True, metavar="redis://HOST:PORT/DB", help="The shared frontier.")
@click.option("--key", default="nianbao", show_default=True, help="The crawl's key prefix (NIANBAO_FRONTIER_KEY).")
@click.option("--json", "as_json", is_flag=True, help="Print the state as JSON.")
@click.option("--clear", is_flag=True, help="Delete the crawl's queue, seen-set, leases and shared state.")
@click.option("--force", is_flag=True, help="With --clear: even while requests are queued or in flight.")
def frontier_command(url: str, key: str, as_json: bool, clear: bool, force: bool) -> None:
    """Show a shared crawl's queue, workers, leased and blocked hosts; or clear a finished crawl."""
    import redis

    from crawler.frontier import Frontier

    try:
        frontier = Frontier(url, prefix=key)
        state = frontier.status()
    except (redis.RedisError, ValueError) as exc:
        click.echo(f"nianbao: frontier {url}: {exc}", err=True)
        sys.exit(2)
    if clear:
        if not state.finished and not force:
            click.echo(f"nianbao: frontier: {state.queued} requests queued and "
                       f"{sum(w.in_flight for w in state.workers)} in flight: not clearing a running crawl "
                       "(--force clears it anyway)", err=True)
            sys.exit(2)
        click.echo(f"cleared {frontier.clear()} keys of crawl {key!r} at {url}")
        return
    if as_json:
        click.echo(json.dumps({"queued": state.queued, "hosts_queued": state.hosts_queued, "seen": state.seen,
                               "finished": state.finished, "blocked": state.blocked, "leased": state.leased,
                               "workers": [vars(w) for w in state.workers]}, ensure_ascii=False, indent=1))
        return
    lines = [f"crawl {key!r} at {url}: {state.queued} requests queued over {state.hosts_queued} hosts, "
             f"{state.seen} requests seen, {len(state.leased)} hosts leased"
             + (" — finished" if state.finished else "")]
    if state.workers:
        lines.append(f"{'worker':<36} {'alive':>5} {'in flight':>9}  hosts leased")
        for w in state.workers:
            lines.append(f"{w.worker:<36} {'yes' if w.alive else 'NO':>5} {w.in_flight:>9}  "
                         f"{len(w.hosts)}{': ' + ', '.join(w.hosts[:6]) if w.hosts else ''}"
                         f"{' …' if len(w.hosts) > 6 else ''}")
    else:
        lines.append("no workers")
    if state.blocked:
        lines.append("blocked hosts (host: the worker that found it blocked; the reason is in its part archive):")
        lines += [f"  {host}: {by}" for host, by in sorted(state.blocked.items())]
    click.echo("\n".join(lines))
