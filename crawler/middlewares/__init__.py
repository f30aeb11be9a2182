"""Downloader middlewares of the crawler, one concern each (scope, loopback map, recording, conditional
GET, challenges, retries); their order is set in `crawler.settings`."""
