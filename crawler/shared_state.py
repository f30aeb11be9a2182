"""The spider's memory, shared in Redis when several workers crawl one frontier.

Why: the `portals` spider remembers which report pages it has asked for (with the attachments their list
rows named), which page a report's text was first seen under (re-posts), how many list pages each
column has had, and the middlewares remember which hosts are blocked. On one machine that memory is a
dict in the process; with `--frontier` a list page parsed by one worker and a report row found by another
must see the same memory. These classes keep the spider's dict and set interface over Redis hashes, so
the spider's code is the same either way.

The report map's writes are not sent at once: a page is marked asked-for in the same Redis script that
queues its request (crawler/frontier.py `push`), so a worker killed in between leaves neither, and the
list page that named it (given back to the queue) names it again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, MutableMapping, MutableSet
from typing import Any

import redis

from crawler.frontier import as_text


class RedisHash(MutableMapping[str, Any]):
    """A str → JSON value dict kept in one Redis hash."""

    def __init__(self, client: redis.Redis, key: str) -> None:
        self.redis = client
        self.key = key

    def _load(self, raw: Any) -> Any:
        return json.loads(raw)

    def _dump(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    def __getitem__(self, name: str) -> Any:
        raw = self.redis.hget(self.key, name)
        if raw is None:
            raise KeyError(name)
        return self._load(raw)

    def __setitem__(self, name: str, value: Any) -> None:
        self.redis.hset(self.key, name, self._dump(value))

    def __delitem__(self, name: str) -> None:
        if not self.redis.hdel(self.key, name):
            raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return (as_text(k) for k in self.redis.hkeys(self.key))

    def __len__(self) -> int:
        return int(self.redis.hlen(self.key))

    def setdefault(self, name: str, default: Any = None) -> Any:
        """Atomic across workers: the first writer's value wins (HSETNX)."""
        self.redis.hsetnx(self.key, name, self._dump(default))
        return self[name]


class ReportMap(RedisHash):
    """page → the attachments named for it (a frozenset); writes wait for the page's request (see above)."""

    def __init__(self, client: redis.Redis, key: str) -> None:
        super().__init__(client, key)
        self.pending: dict[str, frozenset[str]] = {}

    def _load(self, raw: Any) -> frozenset[str]:
        return frozenset(json.loads(raw))

    def dump(self, value: frozenset[str]) -> str:
        return json.dumps(sorted(value), ensure_ascii=False)

    def __getitem__(self, name: str) -> Any:
        if name in self.pending:
            return self.pending[name]
        return super().__getitem__(name)

    def __setitem__(self, name: str, value: Any) -> None:
        self.pending[name] = frozenset(value)

    def __delitem__(self, name: str) -> None:
        found = self.pending.pop(name, None) is not None
        if not self.redis.hdel(self.key, name) and not found:
            raise KeyError(name)

    def take(self, page: str) -> tuple[str, str] | None:
        """The write waiting for page's request, as (page, value) for the queueing script."""
        value = self.pending.pop(page, None)
        return None if value is None else (page, self.dump(value))


class RedisHostSet(MutableSet[str]):
    """Blocked hosts, for every worker at once: host → the worker that found it blocked."""

    def __init__(self, client: redis.Redis, key: str, worker: str) -> None:
        self.redis = client
        self.key = key
        self.worker = worker

    def __contains__(self, host: object) -> bool:
        return isinstance(host, str) and bool(self.redis.hexists(self.key, host))

    def __iter__(self) -> Iterator[str]:
        return (as_text(k) for k in self.redis.hkeys(self.key))

    def __len__(self) -> int:
        return int(self.redis.hlen(self.key))

    def add(self, host: str) -> None:
        self.redis.hsetnx(self.key, host, self.worker)

    def discard(self, host: str) -> None:
        self.redis.hdel(self.key, host)
