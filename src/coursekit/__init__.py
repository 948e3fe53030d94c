"""coursekit: write a course once as plain text, export it to every LMS format.

The public API for plugin authors: ``hookimpl``, ``Exporter``, ``Option``,
``PackageWriter``, ``Problem``, ``load_course`` and the model classes.
"""

__version__ = "0.1.0"

from .hookspecs import hookimpl  # noqa: E402  (pluggy only: keeps `import coursekit` light)

__all__ = ["hookimpl", "__version__"]
