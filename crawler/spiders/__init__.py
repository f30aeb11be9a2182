"""Scrapy spiders of the project (SPIDER_MODULES points here)."""
