"""The ``scorm12`` and ``scorm2004`` exporters: the player's site, a launch shell per SCO,
the format's tracker adapter and the runtime it builds on, the manifest and the official
schemas at the root."""

from __future__ import annotations

import abc
from importlib import resources
from typing import ClassVar

from coursekit.exporter import Exporter, Option
from coursekit.package import PackageWriter

from . import interactions, manifest, schemas


#: what both adapters share (``static/scorm-runtime.js``): every package ships it, and the
#: launch page loads it before the version's adapter
RUNTIME = "scorm-runtime"


def adapter_js(adapter: str) -> bytes:
    """A script shipped in every package of that format (``static/<adapter>.js``): the
    version's adapter, or ``RUNTIME``."""
    return resources.files(__package__).joinpath("static", f"{adapter}.js").read_bytes()


class ScormExporter(Exporter):
    """What both SCORM versions share; a subclass names its version."""

    #: ``1.2`` or ``2004``
    version: ClassVar[str] = ""
    options = {
        "sco": Option(
            default="single",
            choices=("single", "multi"),
            type=str,
            help="single: the course is one SCO (every LMS); multi: one SCO per lesson and quiz",
        ),
    }

    @property
    def adapter(self) -> str:
        return self.name

    def prepare(self) -> None:
        from coursekit.player import Site  # the player is heavy: imported when building only

        self.site = Site(self.course)
        self.mode = self.settings["sco"]

    def _shell_options(self, item) -> dict:
        # per item, not filtered from the whole course: multi-SCO stays linear in its size
        if item is None:
            table = interactions.question_table(self.course, self.version)
        else:
            table = interactions.item_table(item, self.version)
        return {
            "sco": self.mode,
            "interactionPrefix": interactions.interaction_prefix(self.course, self.version),
            "questions": table,
        }

    def write_content(self, writer: PackageWriter) -> None:
        for name, data in self.site.files().items():
            writer.add(name, data)
        scripts = []  # the runtime first: the adapter builds on it
        for name in (RUNTIME, self.adapter):
            writer.add(f"player/{name}.js", adapter_js(name))
            scripts.append(f"player/{name}.js")
        for sco in manifest.scos(self.course, self.mode):
            scope = None if sco.item is None else [sco.item.id]
            shell = self.site.shell(
                adapter=self.adapter,
                scripts=scripts,
                scope=scope,
                start=None if sco.item is None else sco.item.href,
                title=None if sco.item is None else sco.item.title,
                options=self._shell_options(sco.item),
            )
            writer.add(sco.href, shell)

    def finish(self, writer: PackageWriter) -> None:
        for name, data in schemas.bundled_files(self.version).items():
            writer.add(name, data)
        writer.add(manifest.MANIFEST, self.build_manifest(writer.names))

    @abc.abstractmethod
    def build_manifest(self, files) -> bytes:
        """``imsmanifest.xml`` for this version, listing ``files``."""


class Scorm12Exporter(ScormExporter):
    name = "scorm12"
    description = "SCORM 1.2 package (Moodle, Chamilo, TalentLMS and most LMSs)"
    version = "1.2"

    def finish(self, writer: PackageWriter) -> None:
        writer.add(manifest.METADATA_12, manifest.metadata_12(self.course))
        super().finish(writer)

    def build_manifest(self, files) -> bytes:
        return manifest.manifest_12(self.course, files, self.mode)


class Scorm2004Exporter(ScormExporter):
    name = "scorm2004"
    description = "SCORM 2004 4th Edition package (SCORM Cloud, Docebo, 360Learning...)"
    version = "2004"

    def build_manifest(self, files) -> bytes:
        return manifest.manifest_2004(self.course, files, self.mode)
