"""``imsmanifest.xml`` for SCORM 1.2 and SCORM 2004 4th Edition, built with lxml.

Everything here is a pure function of the course model and the list of package files,
so the same course always gives the same bytes. Identifiers derive from ``course.id``
(the manifest's, so an LMS recognises a new version of the same course) and from the
author's item ids (organization items and resources), never from counters or clocks.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from lxml import etree

from coursekit.model import Course, Lesson, Module, Quiz

from . import schemas

NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"

NS12 = {
    None: "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2",
    "xsi": NS_XSI,
}
SCHEMA_LOCATION_12 = (
    "http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd "
    "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd "
    "http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd"
)
NS_IMSMD = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"

NS2004 = {
    None: "http://www.imsglobal.org/xsd/imscp_v1p1",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
    "adlseq": "http://www.adlnet.org/xsd/adlseq_v1p3",
    "adlnav": "http://www.adlnet.org/xsd/adlnav_v1p3",
    "imsss": "http://www.imsglobal.org/xsd/imsss",
    "xsi": NS_XSI,
}
SCHEMA_LOCATION_2004 = (
    "http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd "
    "http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd "
    "http://www.adlnet.org/xsd/adlseq_v1p3 adlseq_v1p3.xsd "
    "http://www.adlnet.org/xsd/adlnav_v1p3 adlnav_v1p3.xsd "
    "http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd"
)
NS_LOM = "http://ltsc.ieee.org/xsd/LOM"

#: the 1.2 metadata lives in its own file: inline imsmd would need imsmd_rootv1p2p1.xsd,
#: which validators cannot load (reference, section 3), and 1.2 accepts adlcp:location
METADATA_12 = "metadata.xml"
MANIFEST = "imsmanifest.xml"

_NOT_ID = re.compile(r"[^A-Za-z0-9._-]+")


def xs_id(prefix: str, text: str) -> str:
    """An xs:ID (NCName) from ``text``: starts with ``prefix`` (a letter), only
    ``[A-Za-z0-9._-]``, at most 200 characters (Moodle stores identifiers in 255)."""
    body = _NOT_ID.sub("-", text).strip("-.")
    ident = f"{prefix}-{body}" if body else prefix
    if len(ident) > 200:
        ident = ident[:187] + "-" + hashlib.sha1(text.encode()).hexdigest()[:12]
    return ident


@dataclass(frozen=True)
class Sco:
    """One launchable unit: the whole course (single) or one lesson / quiz (multi)."""

    #: ``launch.html`` or ``sco-<id>.html``
    href: str
    #: the lesson or quiz, or None for the whole course
    item: Lesson | Quiz | None


def scos(course: Course, mode: str) -> list[Sco]:
    if mode == "single":
        return [Sco("launch.html", None)]
    return [Sco(f"sco-{item.id}.html", item) for item in course.iter_items()]


def is_scored_quiz(item) -> bool:
    return isinstance(item, Quiz) and item.weight > 0 and item.total_points > 0


def mastery_percent(course: Course, item) -> int | None:
    """The pass mark of a SCO in percent, or None when it is not scored (spec: a course
    without scored quizzes is never passed or failed; a single-quiz scope uses the quiz's)."""
    if item is None:
        return course.passing_score if course.is_scored else None
    return item.passing_score if is_scored_quiz(item) else None


def _ids(course: Course) -> dict[str, str]:
    return {
        "manifest": xs_id("ck", course.id),
        "org": xs_id("org", course.slug),
        "course_item": xs_id("item", course.slug),
        "course_res": xs_id("res", course.slug),
        # no author id yields this one: every item resource is "res-<id>"
        "shared": "shared-files",
    }


def _clip(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _sub(parent, tag: str, text: str | None = None, **attrs):
    el = etree.SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = text
    return el


def content_files(files: Iterable[str], version: str) -> list[str]:
    """Every package file a resource must list: all but the manifest and root schemas."""
    skip = {MANIFEST, *schemas.FILES[version]}
    return sorted(f for f in files if f not in skip)


def _serialize(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- what both versions share ----------------------------------------------------------------


def _in(ns: str):
    """``tag -> "{ns}tag"``, lxml's qualified name in namespace ``ns``."""
    return lambda tag: f"{{{ns}}}{tag}"


def _skeleton(course: Course, nsmap: dict, schema_location: str, schemaversion: str):
    """The parts every manifest has, in the order the CP schema wants them: the root with its
    identifier, version and schemaLocation; ``<metadata>`` with its schema and version, for the
    caller to complete; one organization with the course title; the empty ``<resources>``.
    Returns ``(root, metadata, organization, resources)``."""
    q = _in(nsmap[None])
    ids = _ids(course)
    root = etree.Element(q("manifest"), nsmap=nsmap)
    root.set("identifier", ids["manifest"])
    root.set("version", _clip(course.version or "1", 20))
    root.set(f"{{{NS_XSI}}}schemaLocation", schema_location)

    meta = _sub(root, q("metadata"))
    _sub(meta, q("schema"), "ADL SCORM")
    _sub(meta, q("schemaversion"), schemaversion)

    orgs = _sub(root, q("organizations"), default=ids["org"])
    org = _sub(orgs, q("organization"), identifier=ids["org"])
    _sub(org, q("title"), _clip(course.title, 200))
    return root, meta, org, _sub(root, q("resources"))


def _item(parent, q, identifier: str, title: str, identifierref: str | None = None):
    """An organization ``<item>`` and its title: a SCO's with ``identifierref``, a module's without."""
    item = _sub(parent, q("item"), identifier=identifier, identifierref=identifierref, isvisible="true")
    _sub(item, q("title"), _clip(title, 200))
    return item


def _course_item(org, q, course: Course):
    """Single SCO: the one item, the whole course."""
    ids = _ids(course)
    return _item(org, q, ids["course_item"], course.title, ids["course_res"])


def _items(org, q, course: Course, leaf, module=None) -> None:
    """Multi-SCO: the course structure under ``org``, a module as an item grouping its lessons
    and quizzes. ``leaf(parent, entry)`` adds a lesson's or quiz's item; ``module(group, entry)``,
    when given, completes a module's item after its children."""
    for entry in course.structure:
        if isinstance(entry, Module):
            group = _item(org, q, xs_id("item", entry.id), entry.title)
            for child in entry.items:
                leaf(group, child)
            if module is not None:
                module(group, entry)
        else:
            leaf(org, entry)


def _sco_item(parent, q, entry):
    """Multi-SCO: the item of one lesson or quiz, launching its own resource."""
    return _item(parent, q, xs_id("item", entry.id), entry.title, xs_id("res", entry.id))


def _resources(resources, q, scorm_type: str, course: Course, listed: list[str], mode: str) -> None:
    """Single: one SCO resource that lists every file. Multi: a SCO resource per launch page,
    each depending on one asset resource that lists every other file. ``scorm_type`` is the
    version's attribute name (1.2 ``adlcp:scormtype``, 2004 ``adlcp:scormType``)."""
    ids = _ids(course)
    if mode == "single":
        res = _sub(resources, q("resource"), identifier=ids["course_res"], type="webcontent", href="launch.html")
        res.set(scorm_type, "sco")
        for name in listed:
            _sub(res, q("file"), href=name)
        return
    sco_hrefs = set()
    for sco in scos(course, "multi"):
        sco_hrefs.add(sco.href)
        res = _sub(resources, q("resource"), identifier=xs_id("res", sco.item.id), type="webcontent", href=sco.href)
        res.set(scorm_type, "sco")
        _sub(res, q("file"), href=sco.href)
        _sub(res, q("dependency"), identifierref=ids["shared"])
    shared = _sub(resources, q("resource"), identifier=ids["shared"], type="webcontent")
    shared.set(scorm_type, "asset")
    for name in listed:
        if name not in sco_hrefs:
            _sub(shared, q("file"), href=name)


# --- SCORM 1.2 -----------------------------------------------------------------------------


def manifest_12(course: Course, files: Sequence[str], mode: str = "single") -> bytes:
    """The SCORM 1.2 manifest. ``files`` is every file of the package."""
    q, a = _in(NS12[None]), _in(NS12["adlcp"])
    root, meta, org, resources = _skeleton(course, NS12, SCHEMA_LOCATION_12, "1.2")
    _sub(meta, a("location"), METADATA_12)

    def mastery(item, entry):
        percent = mastery_percent(course, entry)
        if percent is not None:
            _sub(item, a("masteryscore"), str(percent))

    if mode == "single":
        mastery(_course_item(org, q, course), None)
    else:
        _items(org, q, course, leaf=lambda parent, entry: mastery(_sco_item(parent, q, entry), entry))
    _resources(resources, q, a("scormtype"), course, content_files(files, "1.2"), mode)
    return _serialize(root)


def metadata_12(course: Course) -> bytes:
    """IMS Metadata 1.2.1 (LOM) for the 1.2 manifest's ``adlcp:location``."""
    m = _in(NS_IMSMD)
    lang = course.language
    root = etree.Element(m("lom"), nsmap={None: NS_IMSMD})

    def langstring(parent, tag, text, language=lang):
        holder = _sub(parent, m(tag))
        ls = _sub(holder, m("langstring"), text)
        ls.set(f"{{{schemas.NS_XML}}}lang", language)
        return holder

    general = _sub(root, m("general"))
    ident = _sub(general, m("catalogentry"))
    _sub(ident, m("catalog"), "URI")
    entry = _sub(ident, m("entry"))
    _sub(entry, m("langstring"), course.id).set(f"{{{schemas.NS_XML}}}lang", "x-none")
    langstring(general, "title", course.title)
    _sub(general, m("language"), lang)
    if course.description:
        langstring(general, "description", course.description)
    for keyword in course.keywords:
        langstring(general, "keyword", keyword)
    if course.version or course.authors:
        life = _sub(root, m("lifecycle"))
        if course.version:
            langstring(life, "version", course.version, "x-none")
    meta = _sub(root, m("metametadata"))
    _sub(meta, m("metadatascheme"), "ADL SCORM 1.2")
    technical = _sub(root, m("technical"))
    _sub(technical, m("format"), "text/html")
    if course.duration:
        edu = _sub(root, m("educational"))
        tlt = _sub(edu, m("typicallearningtime"))
        _sub(tlt, m("datetime"), course.duration)
    return _serialize(root)


# --- SCORM 2004 4th Edition ------------------------------------------------------------------


def _lom_2004(parent, course: Course) -> None:
    """Inline IEEE LOM: the 2004 manifest's metadata accepts it (``lax``), LMSs read it."""
    lom = etree.SubElement(parent, f"{{{NS_LOM}}}lom", nsmap={None: NS_LOM})
    l = _in(NS_LOM)
    lang = course.language

    def langstring(holder_parent, tag, text, language=lang):
        holder = _sub(holder_parent, l(tag))
        _sub(holder, l("string"), text, language=language)
        return holder

    general = _sub(lom, l("general"))
    ident = _sub(general, l("identifier"))
    _sub(ident, l("catalog"), "URI")
    _sub(ident, l("entry"), course.id)
    langstring(general, "title", course.title)
    _sub(general, l("language"), lang)
    if course.description:
        langstring(general, "description", course.description)
    for keyword in course.keywords:
        langstring(general, "keyword", keyword)
    if course.version:
        life = _sub(lom, l("lifeCycle"))
        langstring(life, "version", course.version, "x-none")
    meta = _sub(lom, l("metaMetadata"))
    _sub(meta, l("metadataSchema"), "LOMv1.0")
    _sub(meta, l("metadataSchema"), "SCORM_CAM_v1.3")
    technical = _sub(lom, l("technical"))
    _sub(technical, l("format"), "text/html")
    if course.duration:
        edu = _sub(lom, l("educational"))
        tlt = _sub(edu, l("typicalLearningTime"))
        _sub(tlt, l("duration"), course.duration)


def _decimal(x: float) -> str:
    """At most 4 decimals, without float noise or trailing zeros: 0.25 -> ``0.25``, 1.0 -> ``1``."""
    return f"{x:.4f}".rstrip("0").rstrip(".") or "0"


def _measure(percent: float) -> str:
    """A 0..1 decimal without float noise: 70 -> ``0.7``."""
    return _decimal(percent / 100)


def manifest_2004(course: Course, files: Sequence[str], mode: str = "single") -> bytes:
    """The SCORM 2004 4th Edition manifest. ``files`` is every file of the package."""
    ns = NS2004
    q, cp, ss, nav = _in(ns[None]), _in(ns["adlcp"]), _in(ns["imsss"]), _in(ns["adlnav"])
    root, meta, org, resources = _skeleton(course, NS2004, SCHEMA_LOCATION_2004, "2004 4th Edition")
    _lom_2004(meta, course)
    org.set(f"{{{ns['adlseq']}}}objectivesGlobalToSystem", "false")

    def objectives(seq, objective_id: str, percent: int | None):
        """Primary objective: satisfied by measure against the pass mark (the LMS then
        derives success from cmi.score.scaled exactly as the content does)."""
        objs = _sub(seq, ss("objectives"))
        if percent is None:
            _sub(objs, ss("primaryObjective"), objectiveID=objective_id)
            return
        primary = _sub(objs, ss("primaryObjective"), objectiveID=objective_id, satisfiedByMeasure="true")
        _sub(primary, ss("minNormalizedMeasure"), _measure(percent))

    def delivery(seq):
        # Defaults are false: the LMS would then mark the SCO completed and satisfied on exit
        _sub(seq, ss("deliveryControls"), completionSetByContent="true", objectiveSetByContent="true")

    def choice_and_flow(parent):
        """``<sequencing>`` of a cluster (a module, the organization): the learner may choose
        any child or go through them in order."""
        seq = _sub(parent, ss("sequencing"))
        _sub(seq, ss("controlMode"), choice="true", flow="true")
        return seq

    if mode == "single":
        item = _course_item(org, q, course)
        seq = _sub(item, ss("sequencing"))
        objectives(seq, xs_id("obj", course.slug), mastery_percent(course, None))
        delivery(seq)
        # One SCO: the LMS's previous/continue buttons have nothing to move to; the player navigates
        pres = _sub(item, nav("presentation"))
        ni = _sub(pres, nav("navigationInterface"))
        for button in ("previous", "continue"):
            _sub(ni, nav("hideLMSUI"), button)
        choice_and_flow(org)
        _resources(resources, q, cp("scormType"), course, content_files(files, "2004"), mode)
        return _serialize(root)

    # Multi-SCO: one SCO per lesson and quiz; modules are clusters. Rollup: completion
    # follows every child (the default rule); the score is a measure rollup weighted by
    # each scored quiz's share of the course weight; satisfaction comes from that measure
    # against the pass mark. Lessons and unscored quizzes take no part in satisfaction.
    scored = [i for i in course.iter_items() if is_scored_quiz(i)]
    total_weight = sum(q_.weight for q_ in scored) or 1.0

    def weight_of(entry) -> float:
        if isinstance(entry, Module):
            return sum(weight_of(child) for child in entry.items)
        return entry.weight / total_weight if is_scored_quiz(entry) else 0.0

    def rollup(seq, weight: float):
        attrs = {"objectiveMeasureWeight": _decimal(weight)}
        if weight == 0:
            attrs["rollupObjectiveSatisfied"] = "false"
        _sub(seq, ss("rollupRules"), **attrs)

    def leaf(parent, entry):
        seq = _sub(_sco_item(parent, q, entry), ss("sequencing"))
        rollup(seq, weight_of(entry))
        objectives(seq, xs_id("obj", entry.id), mastery_percent(course, entry))
        delivery(seq)

    def module(group, entry):
        seq = choice_and_flow(group)
        weight = weight_of(entry)
        rollup(seq, weight)
        objectives(seq, xs_id("obj", entry.id), course.passing_score if weight else None)

    _items(org, q, course, leaf, module)
    org_seq = choice_and_flow(org)
    objectives(org_seq, xs_id("obj", course.slug), mastery_percent(course, None))
    _resources(resources, q, cp("scormType"), course, content_files(files, "2004"), mode)
    return _serialize(root)
