"""The plugin contract: every hook a coursekit plugin can implement, in one place.

Implement a hook with ``@coursekit.hookimpl`` on a module-level function of the same
name. Hooks only ever grow by gaining arguments, so a plugin written today keeps working.
"""

from pluggy import HookimplMarker, HookspecMarker

hookspec = HookspecMarker("coursekit")
hookimpl = HookimplMarker("coursekit")


@hookspec
def register_exporters(register):
    """Register export formats: call ``register(ExporterSubclass)`` once per format."""


@hookspec
def register_commands(cli):
    """Add commands to the ``coursekit`` command line: ``cli`` is its click group."""


@hookspec
def prepare_markdown(md):
    """Extend or configure the markdown-it parser ``md`` that renders every lesson."""


@hookspec
def extra_checks(course):
    """Check a loaded course: return an iterable of ``Problem`` (errors or warnings)."""
