"""Time building synthetic courses to SCORM 1.2 and SCORM 2004, single and multi SCO.

    python benchmarks/bench_scorm.py                    # N = 200 and 1000 lessons
    python benchmarks/bench_scorm.py -n 200 --repeat 5

The course comes from ``synthetic.py`` (shared with bench_core.py, so figures compare across
formats). Each figure is the best of ``--repeat`` runs in a fresh process, loading excluded
from ``export``, with the peak resident memory of the whole process (load + export) and the
time ``coursekit validate`` takes on the result. Target (issue 4): 200 lessons under 0.5 s,
1000 under 2 s, peak under 200 MB. Figures are for reports, never for test assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from synthetic import generate  # noqa: E402

# One measured build in a child process, printed as JSON.
_CHILD = r"""
import json, resource, sys, time
course_dir, fmt, mode, out = sys.argv[1:5]
from coursekit.plugins import make_plugin_manager, exporters
from coursekit.loader import read_course
pm = make_plugin_manager()
course, problems = read_course(course_dir, plugin_manager=pm)
assert course is not None, problems[:3]
t0 = time.perf_counter()
path = exporters(pm)[fmt](course, {"sco": mode}).build(out)
export = time.perf_counter() - t0
t1 = time.perf_counter()
from coursekit_scorm.validate import validate_package
report = validate_package(path)
validate = time.perf_counter() - t1
print(json.dumps({"export": export, "validate": validate, "ok": report.ok, "size": path.stat().st_size,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(args: list[str], repeat: int) -> dict:
    best = None
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", _CHILD, *args], capture_output=True, text=True, check=True)
        result = json.loads(out.stdout)
        if best is None or result["export"] < best["export"]:
            best = result
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--lessons", type=int, action="append", help="lessons (repeatable); default 200 and 1000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--modes", default="single,multi")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; best of {args.repeat}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.lessons or [200, 1000]:
            course = generate(Path(tmp) / f"synthetic-{n}", n)
            for fmt in ("scorm12", "scorm2004"):
                for mode in args.modes.split(","):
                    r = measure([str(course), fmt, mode, str(Path(tmp) / "out")], args.repeat)
                    print(f"N={n} {fmt:9} {mode:6}: export {r['export']:.3f} s, validate {r['validate']:.3f} s "
                          f"({'valid' if r['ok'] else 'INVALID'}), zip {r['size'] / 1e6:.1f} MB, peak {r['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
