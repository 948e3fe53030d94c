"""SCORM 1.2 and SCORM 2004 4th Edition: two exporters and the ``validate`` command.

A built-in plugin that uses only coursekit's public API, registered through the
``coursekit`` entry-point group like any third-party plugin.
"""

from __future__ import annotations

from coursekit import hookimpl


@hookimpl
def register_exporters(register):
    from .exporter import Scorm12Exporter, Scorm2004Exporter

    register(Scorm12Exporter)
    register(Scorm2004Exporter)


@hookimpl
def register_commands(cli):
    # A plugin command: the example plugin authors read to add their own
    from .command import validate_command

    cli.add_command(validate_command)
