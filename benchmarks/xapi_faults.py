"""Lost and duplicated statements of the xapi and cmi5 packages under LRS faults.

    python benchmarks/xapi_faults.py                      # every fault kind alone, then mixed; 10 s each
    python benchmarks/xapi_faults.py -s 6 -f cmi5 -k drop -k mixed --close

A real Ralph on 127.0.0.1 behind the test LMS (tests/xapi/lms.py), which plays the faults on
statements and State API alike for ``-s`` seconds starting after the second statement
request: 503; "drop" (the request is read, the connection closed without an answer); "lost"
(the request reaches Ralph, which stores it, the answer is lost); "hang" (the connection stays
open and silent); "mixed" (503, drop, lost, a third of the time each: the independent check's
schedule). The learner plays the whole course right during the outage; the page stays open
until the queue drained (or, with ``--close``, is closed during the outage and the course is
launched again at once). Ralph's content is then compared with what the run should have
stored (tests/xapi/ledger.py): lost, duplicated by id, duplicated by verb+object (two ids),
and how many statements were still queued in the browser when the learner exited (the page
having stayed open for up to 45 s after the outage).
Figures are for reports, never for test assertions.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

KINDS = {"503": ["503"], "drop": ["drop"], "lost": ["lost"], "hang": ["hang"], "mixed": ["503", "drop", "lost"]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-s", "--seconds", type=float, default=10.0, help="length of the outage (default 10)")
    parser.add_argument("-f", "--format", action="append", choices=["xapi", "cmi5"], help="default: both")
    parser.add_argument("-k", "--kind", action="append", choices=list(KINDS), help="default: all")
    parser.add_argument("--close", action="store_true", help="close the page during the outage, then relaunch")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from coursekit_xapi import Cmi5Exporter, XapiExporter
    from tests.conftest import CHROMIUM, CHROMIUM_ARGS
    from tests.xapi.courses import tracked_course
    from tests.xapi.faultruns import run, schedule
    from tests.xapi.lms import LMS
    from tests.xapi.play import extract
    from tests.xapi.ralph import Ralph

    course = tracked_course()
    tmp = Path(tempfile.mkdtemp(prefix="ck-faults-"))
    ralph = Ralph(tmp / "ralph")
    ralph.start()
    rows = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for fmt in args.format or ["xapi", "cmi5"]:
                exporter = XapiExporter if fmt == "xapi" else Cmi5Exporter
                package = exporter(course).build(tmp / fmt / "out")
                for name in args.kind or list(KINDS):
                    folder = extract(package, tmp / fmt / f"pkg-{name}")
                    lms = LMS(ralph, folder)
                    try:
                        outcome = run(browser, lms, ralph, course, fmt, schedule(KINDS[name], args.seconds),
                                      close_during=args.close)
                    finally:
                        lms.close()
                    ledger = outcome.ledger
                    rows.append((fmt, name, ledger.expected, ledger.stored, len(ledger.lost), len(ledger.duplicated_ids),
                                 len(ledger.duplicated), len(ledger.unexpected), outcome.left_in_queue, outcome.items_during_outage,
                                 round(outcome.seconds, 1)))
                    if not ledger.clean:
                        print(ledger, file=sys.stderr)
            browser.close()
    finally:
        ralph.close()

    head = ("format", "faults", "expected", "stored", "lost", "dup id", "dup verb+object", "unexpected",
            "queued before exit", "items during outage", "run s")
    print(f"outage {args.seconds:g} s after the 2nd statement request; page "
          + ("closed during the outage, then relaunched" if args.close else "kept open"))
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    for r in [head] + rows:
        print("  ".join(str(v).rjust(w) for v, w in zip(r, widths)))
    return 1 if any(r[4] or r[5] or r[6] or r[7] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
