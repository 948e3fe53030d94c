"""xAPI (Tin Can) and cmi5 exporters.

Both ship the shared web player with a tracker adapter that reports to a Learning Record
Store: ``player/xapi.js`` (Tin Can launch: ``endpoint``, ``auth``, ``actor``...) or
``player/cmi5.js`` (cmi5 launch: fetch URL, ``LMS.LaunchData``...). Their common part
(statement building, the persistent send queue, the State API) is ``player/xapi-core.js``.
"""

from __future__ import annotations

from importlib import resources

from coursekit.exporter import Exporter, Option
from coursekit.hookspecs import hookimpl
from coursekit.package import PackageWriter

from .activities import CourseActivities, json_bytes
from .manifests import cmi5_xml, iter_aus, plan_aus, tincan_xml

__all__ = ["XapiExporter", "Cmi5Exporter", "register_exporters"]

#: the runtime files every LRS-backed export ships, under ``player/``
CORE_SCRIPTS = ("xapi-core.js",)


def static_file(name: str) -> bytes:
    return resources.files(__name__).joinpath("static", name).read_bytes()


class _LrsExporter(Exporter):
    """What the two formats share: the site, the activity definitions and the adapter."""

    #: the adapter's file in ``static/`` and the name it registers with the player
    adapter = ""

    def prepare(self) -> None:
        from coursekit.player import Site  # the player is heavy: import it only when building

        self.site = Site(self.course)
        self.activities = CourseActivities(self.course)

    @property
    def scripts(self) -> list[str]:
        """Loaded by the launch page after ``player/player.js``, in this order."""
        return ["player/xapi-activities.js", *(f"player/{n}" for n in CORE_SCRIPTS), f"player/{self.adapter}.js"]

    def write_runtime(self, writer: PackageWriter) -> None:
        for name, data in sorted(self.site.files().items()):
            writer.add(name, data)
        writer.add("player/xapi-activities.js", self.activities.runtime_script())
        for name in (*CORE_SCRIPTS, f"{self.adapter}.js"):
            writer.add(f"player/{name}", static_file(name))


class XapiExporter(_LrsExporter):
    name = "xapi"
    description = "Tin Can package (tincan.xml) reporting xAPI 1.0.3 statements to an LRS"
    adapter = "xapi"

    def write_content(self, writer: PackageWriter) -> None:
        self.write_runtime(writer)
        writer.add("launch.html", self.site.shell(
            adapter="xapi", scripts=self.scripts, title=self.course.title, options={"secret_params": ["auth"]},
        ))
        writer.add("tincan.xml", tincan_xml(self.activities, "launch.html"))
        writer.add("activities.json", json_bytes(self.activities.document()))


class Cmi5Exporter(_LrsExporter):
    name = "cmi5"
    description = "cmi5 package (cmi5.xml): one AU for the course, or one per lesson and quiz"
    adapter = "cmi5"
    options = {
        "au": Option(
            default="single", choices=("single", "multi"),
            help="single: one AU for the whole course; multi: one AU per lesson and quiz",
        ),
    }

    def write_content(self, writer: PackageWriter) -> None:
        self.write_runtime(writer)
        plan = plan_aus(self.course, self.activities, self.settings["au"])
        for au in iter_aus(plan):
            start = None if au.item is None else au.item.href
            title = self.course.title if au.item is None else au.item.title
            writer.add(au.href, self.site.shell(
                adapter="cmi5", scripts=self.scripts, scope=au.scope, start=start, title=title,
                options={"secret_params": ["fetch"]},
            ))
        writer.add("cmi5.xml", cmi5_xml(self.course, self.activities, plan))


@hookimpl
def register_exporters(register):
    register(XapiExporter)
    register(Cmi5Exporter)
