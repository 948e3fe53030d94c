"""The plugin manager: built-in and third-party plugins through the ``coursekit``
entry-point group, plus single-file plugins from a local folder."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

from . import hookspecs

if TYPE_CHECKING:
    from .exporter import Exporter

#: the entry-point group every plugin registers in, built-in exporters included
ENTRY_POINT_GROUP = "coursekit"
#: environment variable naming a folder of single-file plugins
PLUGINS_DIR_ENV = "COURSEKIT_PLUGINS_DIR"


class PluginError(Exception):
    """A plugin could not be loaded or registered something invalid."""


def make_plugin_manager(plugins_dir: str | os.PathLike | None = None, *, entry_points: bool = True) -> pluggy.PluginManager:
    """A fresh manager with every installed plugin and the ones in ``plugins_dir``.

    ``plugins_dir`` defaults to ``$COURSEKIT_PLUGINS_DIR``. Tests pass ``entry_points=False``
    and register throwaway plugin objects themselves.
    """
    pm = pluggy.PluginManager("coursekit")
    pm.add_hookspecs(hookspecs)
    if entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    folder = plugins_dir if plugins_dir is not None else os.environ.get(PLUGINS_DIR_ENV)
    if folder:
        load_plugins_dir(pm, Path(folder))
    return pm


def load_plugins_dir(pm: pluggy.PluginManager, folder: Path) -> None:
    """Register every ``*.py`` file of ``folder`` (sorted by name) as a plugin."""
    if not folder.is_dir():
        raise PluginError(f"plugins folder not found: {folder}")
    for path in sorted(folder.glob("*.py")):
        name = f"coursekit_local_{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # a broken local plugin is the user's to fix: say where
            raise PluginError(f"{path}: could not load plugin: {exc!r}") from exc
        pm.register(module, name=f"local:{path.name}")


def exporters(pm: pluggy.PluginManager) -> dict[str, type["Exporter"]]:
    """Every registered exporter class by format name, sorted by name."""
    from .exporter import Exporter

    found: dict[str, type[Exporter]] = {}

    def register(cls) -> None:
        if not (isinstance(cls, type) and issubclass(cls, Exporter)):
            raise PluginError(f"register_exporters: {cls!r} is not an Exporter subclass")
        if not getattr(cls, "name", None):
            raise PluginError(f"register_exporters: {cls.__name__} has no 'name'")
        if cls.name in found and found[cls.name] is not cls:
            raise PluginError(f"two plugins register the format '{cls.name}'")
        found[cls.name] = cls

    pm.hook.register_exporters(register=register)
    return dict(sorted(found.items()))
