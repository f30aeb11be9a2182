"""Publishing the archive with Datasette 0.65: configuration, the plugin and the report page."""
