"""Drive the player in Chromium: a guarded browser context and one way to answer each question type."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from coursekit.player import Site

def write_site(course, folder: Path) -> Path:
    """What the html exporter writes: the player's files and the course's assets."""
    for name, data in {**Site(course).files(), **{a.href: a.data for a in course.assets}}.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


@dataclass
class Guard:
    """Everything a page did that the judges forbid: console errors, requests leaving the machine."""

    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)

    def check(self) -> None:
        assert not self.errors, f"console errors: {self.errors}"
        assert not self.external, f"requests leaving 127.0.0.1: {self.external}"


def guarded_context(browser, **options):
    """A fresh context (empty localStorage) whose pages record console errors and block and
    record any request that is not to 127.0.0.1, file:, data: or about:."""
    context = browser.new_context(**options)
    guard = Guard()

    def route(r):
        url = urlparse(r.request.url)
        if url.scheme in ("file", "data", "about", "blob") or url.hostname == "127.0.0.1":
            r.continue_()
        else:
            guard.external.append(r.request.url)
            r.abort()

    context.route("**/*", route)

    def watch(page):
        page.on("console", lambda m: guard.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: guard.errors.append(str(e)))

    context.on("page", watch)
    return context, guard


def axe_violations(page, node_modules: Path, impacts=("serious", "critical")) -> list[str]:
    """axe-core's violations of the given impacts on the page as shown (``node_modules`` is the
    conftest fixture, so a missing npm install fails in CI rather than skipping)."""
    page.add_script_tag(path=str(node_modules / "axe-core" / "axe.min.js"))
    result = page.evaluate("async () => (await axe.run(document)).violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))")
    return [f"{v['id']} ({v['impact']}): {v['nodes']}" for v in result if v["impact"] in impacts]


def answer(page, key: int, qtype: str, value) -> None:
    """Give ``value`` to the question whose course-wide key is ``key`` with mouse-free Playwright calls."""
    box = page.locator(f"#ck-q{key}")
    if qtype in ("single", "true-false"):
        box.locator(f"input[value='{value}']").check()
    elif qtype == "multiple":
        for checkbox in box.locator("input[type=checkbox]").all():
            checkbox.set_checked(checkbox.get_attribute("value") in value)
    elif qtype in ("fill-in", "numeric"):
        box.locator("input").first.fill(value)
    elif qtype == "matching":
        for source, target in value.items():
            box.locator(f"#ck-q{key}-{source}").select_option(target)
    elif qtype == "ordering":
        for position, item in enumerate(value, start=1):
            box.locator(f"#ck-q{key}-{position}").select_option(item)
    else:
        raise ValueError(qtype)
