"""Time ``coursekit --help``, loading + checking, and building synthetic courses.

    python benchmarks/bench_core.py                 # N = 200 and 1000, every installed format
    python benchmarks/bench_core.py -n 1000 -f html --repeat 5

Each figure is the best of ``--repeat`` runs in a fresh process (the noise on a shared
machine only ever adds time), with the peak resident memory of that process. Figures
are for reports, never for assertions in tests.
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

# Runs in a child process: one measured operation, printed as JSON.
_CHILD = r"""
import json, resource, sys, time
what, course, fmt, out = sys.argv[1:5]
t0 = time.perf_counter()
from coursekit.plugins import make_plugin_manager, exporters
from coursekit.loader import read_course
pm = make_plugin_manager()
t1 = time.perf_counter()
course_obj, problems = read_course(course, plugin_manager=pm)
assert course_obj is not None, problems[:3]
t2 = time.perf_counter()
result = {"import": t1 - t0, "load_check": t2 - t1}
if what == "build":
    path = exporters(pm)[fmt](course_obj).build(out)
    result["export"] = time.perf_counter() - t2
    result["size"] = sum(p.stat().st_size for p in ([path] if path.is_file() else path.rglob("*")) if p.is_file())
result["total"] = time.perf_counter() - t0
result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
"""


def measure(args: list[str], repeat: int) -> dict:
    best = None
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", _CHILD, *args], capture_output=True, text=True, check=True)
        result = json.loads(out.stdout)
        if best is None or result["total"] < best["total"]:
            best = result
    return best


def wall(command: list[str], repeat: int) -> float:
    import time

    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--lessons", type=int, action="append", help="lessons (repeatable); default 200 and 1000")
    parser.add_argument("-f", "--format", action="append", help="formats to build (repeatable); default: all installed")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = args.lessons or [200, 1000]
    if args.format:
        formats = args.format
    else:
        from coursekit.plugins import exporters, make_plugin_manager

        formats = list(exporters(make_plugin_manager()))
    coursekit = [sys.executable, "-m", "coursekit.cli"]
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; best of {args.repeat}")
    print(f"coursekit --help: {wall([*coursekit, '--help'], args.repeat) * 1000:.0f} ms (wall, new process)")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            course = generate(Path(tmp) / f"synthetic-{n}", n)
            check = measure(["check", str(course), "", ""], args.repeat)
            cli = wall([*coursekit, "check", str(course)], args.repeat)
            print(f"N={n}: load+check {check['load_check']:.3f} s in-process "
                  f"(coursekit check wall {cli:.3f} s), peak {check['peak_mb']:.0f} MB")
            for fmt in formats:
                result = measure(["build", str(course), fmt, str(Path(tmp) / "out")], args.repeat)
                print(f"N={n}: build -f {fmt}: export {result['export']:.3f} s, load+export {result['load_check'] + result['export']:.3f} s, "
                      f"output {result['size'] / 1e6:.1f} MB, peak {result['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
