"""The ``html`` format: the player's pages as a static website, progress kept in the browser.

Every page is its own host with the browser-storage adapter (docs/tracker.md), so the folder
works from ``file://`` and from any static web server, with no launch page."""

from coursekit.exporter import Exporter
from coursekit.hookspecs import hookimpl
from coursekit.player import Site


class HtmlExporter(Exporter):
    name = "html"
    description = "A static website (open index.html); progress is kept in the learner's browser"
    output = "dir"

    def write_content(self, writer) -> None:
        for name, content in Site(self.course).files().items():
            writer.add(name, content)


@hookimpl
def register_exporters(register):
    register(HtmlExporter)
