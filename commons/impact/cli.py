"""``commons impact check``: validate impact framework files."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

impact_group = click.Group("impact", help="Impact frameworks: the indicators reports record.")


@impact_group.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@with_appcontext
def impact_check(paths):
    """Validate framework files: the TOML files (or folders of them) given, else the shipped ones.

    A file with an unknown type, breakdown, pact type or state, a label missing in a language,
    bounds that make no sense or a version given twice is refused, naming the file and key.
    """
    from commons.impact import framework as frameworks

    if not paths:
        paths = (frameworks.FRAMEWORKS_DIR,)
    files = [f for p in paths for f in (sorted(p.glob("*.toml")) if p.is_dir() else [p])]
    refused = 0
    seen: dict[tuple[str, int], Path] = {}
    for file in files:
        try:
            framework = frameworks.parse(file)
            key = (framework.id, framework.version)
            if key in seen and seen[key] != file:
                raise frameworks.FrameworkError(
                    f"{file.name}: version: {framework.id} version {framework.version} is "
                    f"also in {seen[key].name}"
                )
            seen[key] = file
        except frameworks.FrameworkError as error:
            refused += 1
            click.echo(f"{file.parent}/{error}", err=True)
            continue
        click.echo(
            f"{file.name}: {framework.id} version {framework.version}, "
            f"{len(framework.indicators)} indicators: OK"
        )
    if refused:
        raise click.ClickException(f"{refused} of {len(files)} framework files refused")
