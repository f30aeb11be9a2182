"""Publishing the archive with Datasette 0.65: configuration, the plugin and the report page.

This package is the Datasette plugin that pyproject's `datasette` entry point names. Its hooks are
written in plugins/nianbao_site.py (CSV downloads: plugins/nianbao_downloads.py; the search page:
plugins/nianbao_search.py) and re-exported here: registered as a package, the plugin brings its
`templates/` along (Datasette looks for that folder beside a plugin package: the report pages, and
Datasette's table/query pages in Chinese), so a plain `datasette` command in an environment with this
project installed serves them too, without --plugins-dir or --template-dir.
"""

from typing import Any

from datasette import hookimpl

from archive.datasette.plugins import nianbao_search, nianbao_site
from archive.datasette.plugins.nianbao_downloads import asgi_wrapper
from archive.datasette.plugins.nianbao_site import prepare_connection, render_cell


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    """One plugin, one hook: every module's routes."""
    return [*nianbao_site.register_routes(), *nianbao_search.routes()]


__all__ = ["asgi_wrapper", "prepare_connection", "register_routes", "render_cell"]
