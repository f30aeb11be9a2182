"""Publishing the archive with Datasette 0.65: configuration, the plugin and the report page.

This package is the Datasette plugin that pyproject's `datasette` entry point names. Its hooks are
written in plugins/nianbao_site.py (CSV downloads: plugins/nianbao_downloads.py; the search page:
plugins/nianbao_search.py; agency pages: plugins/nianbao_agency.py; home page, 404 and page chrome:
plugins/nianbao_pages.py) and re-exported here (hooks of a name already taken carry pluggy's
`specname`): registered as a package, the plugin brings its `templates/` along (Datasette looks for
that folder beside a plugin package: the report pages, and Datasette's table/query pages in Chinese),
so a plain `datasette` command in an environment with this project installed serves them too, without
--plugins-dir or --template-dir.
"""

from archive.datasette.plugins.nianbao_agency import agency_cell, agency_routes
from archive.datasette.plugins.nianbao_downloads import asgi_wrapper
from archive.datasette.plugins.nianbao_pages import not_found_page, page_vars, site_globals
from archive.datasette.plugins.nianbao_search import search_routes
from archive.datasette.plugins.nianbao_site import prepare_connection, register_routes, render_cell

__all__ = ["agency_cell", "agency_routes", "asgi_wrapper", "not_found_page", "page_vars", "prepare_connection",
           "register_routes", "render_cell", "search_routes", "site_globals"]
