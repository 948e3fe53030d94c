"""The two package descriptors: ``tincan.xml`` (Tin Can launch) and ``cmi5.xml`` (cmi5
course structure). Both are built with lxml from the model and the shared activity list, so
they are deterministic and always well-formed."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from coursekit.model import Course, Lesson, Module, Quiz

from .activities import CourseActivities

TINCAN_NS = "http://projecttincan.com/tincan.xsd"
CMI5_NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _langstring(parent, tag: str, text: str, lang: str, ns: str, child: str | None = None):
    """``<tag lang="fr">text</tag>`` (Tin Can) or ``<tag><langstring lang>`` (cmi5)."""
    el = etree.SubElement(parent, f"{{{ns}}}{tag}")
    if child:
        el = etree.SubElement(el, f"{{{ns}}}{child}")
    el.set("lang", lang)
    el.text = text
    return el


# --- tincan.xml --------------------------------------------------------------------------


def tincan_xml(activities: CourseActivities, launch: str) -> bytes:
    """One launchable root activity (the course) and a flat list of metadata activities:
    Tin Can has no hierarchy here, statements carry it in ``contextActivities``."""
    ns = TINCAN_NS
    root = etree.Element(f"{{{ns}}}tincan", nsmap={None: ns})
    container = etree.SubElement(root, f"{{{ns}}}activities")
    lang = activities.course.language
    for activity in activities.activities:
        definition = activity["definition"]
        el = etree.SubElement(container, f"{{{ns}}}activity", id=activity["id"], type=definition["type"])
        _langstring(el, "name", definition["name"][lang], lang, ns)
        description = definition.get("description", definition["name"])[lang]
        _langstring(el, "description", description, lang, ns)
        if activity is activities.root:
            _langstring(el, "launch", launch, lang, ns)
        if "interactionType" in definition:
            etree.SubElement(el, f"{{{ns}}}interactionType").text = definition["interactionType"]
            patterns = etree.SubElement(el, f"{{{ns}}}correctResponsePatterns")
            for pattern in definition["correctResponsesPattern"]:
                etree.SubElement(patterns, f"{{{ns}}}correctResponsePattern").text = pattern
            for key in ("choices", "scale", "source", "target", "steps"):
                if key in definition:
                    components = etree.SubElement(el, f"{{{ns}}}{key}")
                    for component in definition[key]:
                        c = etree.SubElement(components, f"{{{ns}}}component")
                        etree.SubElement(c, f"{{{ns}}}id").text = component["id"]
                        _langstring(c, "description", component["description"][lang], lang, ns)
    return _bytes(root)


# --- cmi5.xml ----------------------------------------------------------------------------


def mastery(passing_score: float) -> str:
    """``passing_score / 100`` as the XSD decimal, at most 4 places (``70`` -> ``0.7``)."""
    value = (Decimal(str(passing_score)) / 100).quantize(Decimal("0.0001"))
    text = format(value.normalize(), "f")
    return "0" if text in ("0", "-0") else text


def _scored(quiz: Quiz) -> bool:
    return quiz.weight > 0 and quiz.total_points > 0


class AU:
    """One assignable unit: what it covers and how the LMS decides it is done."""

    def __init__(self, id: str, href: str, title: str, description: str, move_on: str,
                 mastery_score: str | None, item: Lesson | Quiz | None):
        self.id, self.href, self.title, self.description = id, href, title, description
        self.move_on, self.mastery_score, self.item = move_on, mastery_score, item

    @property
    def scope(self) -> list[str] | None:
        return None if self.item is None else [self.item.id]


def plan_aus(course: Course, activities: CourseActivities, mode: str) -> list[AU | tuple[Module, list[AU]]]:
    """The AUs of the package: ``single`` = the whole course in ``launch.html``; ``multi`` =
    one per lesson and quiz (``au-<id>.html``), modules as blocks."""
    ids = activities.ids
    description = course.description or course.title
    if mode == "single":
        scored = course.is_scored
        return [AU(
            ids.au(), "launch.html", course.title, description,
            "CompletedAndPassed" if scored else "Completed",
            mastery(course.passing_score) if scored else None, None,
        )]

    def unit(item: Lesson | Quiz) -> AU:
        scored = isinstance(item, Quiz) and _scored(item)
        return AU(
            ids.au(item), f"au-{item.id}.html", item.title, item.title,
            "CompletedAndPassed" if scored else "Completed",
            mastery(item.passing_score) if scored else None, item,
        )

    plan: list = []
    for entry in course.structure:
        if isinstance(entry, Module):
            plan.append((entry, [unit(item) for item in entry.items]))
        else:
            plan.append(unit(entry))
    return plan


def iter_aus(plan) -> list[AU]:
    found = []
    for entry in plan:
        found.extend(entry[1] if isinstance(entry, tuple) else [entry])
    return found


def cmi5_xml(course: Course, activities: CourseActivities, plan) -> bytes:
    ns = CMI5_NS
    lang = course.language
    root = etree.Element(f"{{{ns}}}courseStructure", nsmap={None: ns})
    c = etree.SubElement(root, f"{{{ns}}}course", id=course.id)
    _langstring(c, "title", course.title, lang, ns, "langstring")
    _langstring(c, "description", course.description or course.title, lang, ns, "langstring")
    if course.objectives:
        objectives = etree.SubElement(root, f"{{{ns}}}objectives")
        for number, text in enumerate(course.objectives, 1):
            o = etree.SubElement(objectives, f"{{{ns}}}objective", id=activities.ids.objective(number))
            _langstring(o, "title", text, lang, ns, "langstring")
            _langstring(o, "description", text, lang, ns, "langstring")

    def au_element(parent, au: AU) -> None:
        el = etree.SubElement(parent, f"{{{ns}}}au", id=au.id, moveOn=au.move_on)
        if au.mastery_score is not None:
            el.set("masteryScore", au.mastery_score)
        # the player runs inside any window or frame the LMS gives it
        el.set("launchMethod", "AnyWindow")
        _langstring(el, "title", au.title, lang, ns, "langstring")
        _langstring(el, "description", au.description, lang, ns, "langstring")
        etree.SubElement(el, f"{{{ns}}}url").text = au.href

    for entry in plan:
        if isinstance(entry, tuple):
            module, aus = entry
            block = etree.SubElement(root, f"{{{ns}}}block", id=activities.ids.module(module))
            _langstring(block, "title", module.title, lang, ns, "langstring")
            _langstring(block, "description", module.title, lang, ns, "langstring")
            for au in aus:
                au_element(block, au)
        else:
            au_element(root, entry)
    return _bytes(root)
