"""Read one published report page (HTML): its title, metadata block, narrative and data tables."""

from .reader import HtmlPage, cut_site_suffix, expand_grid, read_html

__all__ = ["HtmlPage", "cut_site_suffix", "expand_grid", "read_html"]
