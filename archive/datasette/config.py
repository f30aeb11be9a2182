"""Datasette set-up for an archive file: metadata from datasette-metadata.yml, the plugin, templates.

`datasette-metadata.yml` is read from this package (a symlink to the file at the repository's top,
so an installed wheel carries it too). The plugin (this package, with its templates) comes in
through the `datasette` entry point of pyproject.toml, as it does for a plain `datasette` command.

The YAML keeps descriptive keys and option keys in separate blocks (ready for Datasette 1.0's split);
0.65 wants them in one `metadata`, plus `settings` apart, so they are merged here. The database key
`nianbao` in the YAML becomes the served file's stem.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from archive.store import default_raw_root

HERE = Path(__file__).resolve().parent
METADATA_YML = HERE / "datasette-metadata.yml"
PLUGIN_MODULE = "archive.datasette"
YAML_DB = "nianbao"


def _merge(into: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)
    return into


def _rename_db(obj: Any, name: str) -> Any:
    """Dashboards name their database in every chart (`db: nianbao`); descriptions link to its search page."""
    if isinstance(obj, dict):
        return {k: (name if k == "db" and v == YAML_DB else _rename_db(v, name)) for k, v in obj.items()}
    if isinstance(obj, str):
        return obj.replace(f"/-/search/{YAML_DB}\"", f"/-/search/{name}\"")
    if isinstance(obj, list):
        return [_rename_db(v, name) for v in obj]
    return obj


def load_config(db_name: str, *, raw_root: str | Path | None = None,
                path: Path = METADATA_YML) -> tuple[dict[str, Any], dict[str, Any]]:
    """(metadata, settings) for Datasette 0.65, for a database served under db_name."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    options = doc.pop("options", {}) or {}
    settings = options.pop("settings", {}) or {}
    metadata = _merge(doc, options)
    databases = metadata.get("databases", {})
    if YAML_DB in databases and db_name != YAML_DB:
        databases[db_name] = databases.pop(YAML_DB)
    metadata = _rename_db(metadata, db_name)
    if "description_html" in metadata:
        metadata["description_html"] = metadata["description_html"].replace(f"/{YAML_DB}/", f"/{db_name}/")
        metadata["description_html"] = metadata["description_html"].replace(
            f"/-/dashboards/{YAML_DB}", f"/-/dashboards/{db_name}")
    plugins = metadata.setdefault("plugins", {})
    dashboards = plugins.get("datasette-dashboards", {})
    if YAML_DB in dashboards and db_name != YAML_DB:
        dashboards[db_name] = dashboards.pop(YAML_DB)
    if raw_root is not None:
        plugins.setdefault("nianbao", {}).setdefault("raw_roots", {})[db_name] = str(raw_root)
    return metadata, settings


def make_datasette(db_path: str | Path, *, raw_root: str | Path | None = None) -> Any:
    """A read-only Datasette over one archive file (immutable: no locking, no writes, cacheable)."""
    from datasette.app import Datasette

    require_plugin()
    db_path = Path(db_path)
    metadata, settings = load_config(db_path.stem, raw_root=raw_root or default_raw_root(db_path))
    return Datasette(immutables=[str(db_path)], metadata=metadata, settings=settings)


def require_plugin() -> None:
    """Without the plugin the site would serve, but search would miss words inside longer ones and
    report pages would 404: say so instead. Datasette registers it from the entry point on import
    (with its templates: make_datasette passes no template_dir)."""
    from datasette.plugins import pm

    if not any(getattr(p, "__name__", None) == PLUGIN_MODULE for p in pm.get_plugins()):
        raise RuntimeError(f"the site's Datasette plugin ({PLUGIN_MODULE}) is not registered: this project is "
                           "not installed in this environment (`make setup`, or `pip install .`)")
