"""Time and memory of loading the lessons a hostile author writes: a huge lesson, a
lesson with very many links (also with targets markdown-it rewrites, which used to make
position mapping quadratic), and how fast the limits refuse what is too much.

    python benchmarks/bench_hostile.py                  # every series, default sizes
    python benchmarks/bench_hostile.py --series links --sizes 25000,50000,100000

Each figure is one ``read_course`` in a fresh process (``COURSEKIT_LOAD_JOBS=1``: one
core), best of ``--repeat``: wall and CPU seconds, peak resident memory. The series
marked "limits lifted" raise the Markdown budgets of loader/limits.py in that process
so the loader's own scaling can be seen past them; the "refused" series keep the
defaults and time the refusal. Time per unit (per MB, per link) staying flat across
sizes is what linear means. Figures are for reports, never for assertions in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = r"""
import json, resource, sys, time
course, lift = sys.argv[1], sys.argv[2] == "1"
from coursekit.loader import limits, read_course
if lift:
    limits.MAX_MARKDOWN_UNITS = limits.MAX_COURSE_MARKDOWN_UNITS = 10**9
t0, c0 = time.perf_counter(), time.process_time()
loaded, problems = read_course(course)
result = {"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0,
          "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
          "ok": loaded is not None, "problems": [str(p) for p in problems[:2]]}
print(json.dumps(result))
"""

PROSE = "Some words of a long lesson, here and there, about keeping food cold. " * 14 + "\n\n"


def lesson_course(root: Path, body: str) -> Path:
    (root / "lessons").mkdir(parents=True)
    (root / "assets").mkdir()
    (root / "assets" / "c.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "course.yml").write_text("title: Hostile\nstructure:\n  - lessons/a.md\n  - lessons/b.md\n", encoding="utf-8")
    (root / "lessons" / "a.md").write_text("# A big lesson\n\n" + body, encoding="utf-8")
    (root / "lessons" / "b.md").write_text("# B\n", encoding="utf-8")
    return root


SERIES = {
    # name: (body for a size, what the size counts, lift the limits?, default sizes)
    "prose-mb": (lambda mb: PROSE * int(mb * 1_000_000 / len(PROSE)), "MB", False, [2.5, 5, 10]),
    "links": (lambda n: "".join(f"See [page {i}](b.md) and\n" for i in range(int(n))), "links", True, [25_000, 50_000, 100_000]),
    "rewritten-links": (lambda n: "![c](../assets/c&#46;png) " * int(n) + "\n", "links", True, [25_000, 50_000, 100_000]),
    "links-refused": (lambda n: "".join(f"See [page {i}](b.md) and\n" for i in range(int(n))), "links", False, [100_000]),
    "dense-refused-mb": (lambda mb: "*a* " * int(mb * 250_000), "MB", False, [10]),
}


def measure(course: Path, lift: bool, repeat: int) -> dict:
    best = None
    env = {**os.environ, "COURSEKIT_LOAD_JOBS": "1"}
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", _CHILD, str(course), "1" if lift else "0"],
                             capture_output=True, text=True, check=True, env=env)
        result = json.loads(out.stdout)
        if best is None or result["wall"] < best["wall"]:
            best = result
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--series", action="append", choices=sorted(SERIES), help="repeatable; default: all")
    parser.add_argument("--sizes", help="comma-separated sizes for the chosen series")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    for name in args.series or list(SERIES):
        body_for, unit, lift, sizes = SERIES[name]
        if args.sizes:
            sizes = [float(s) for s in args.sizes.split(",")]
        print(f"{name}{' (limits lifted)' if lift else ''}:")
        for size in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                course = lesson_course(Path(tmp) / "course", body_for(size))
                megabytes = (course / "lessons" / "a.md").stat().st_size / 1e6
                r = measure(course, lift, args.repeat)
            per = r["cpu"] / size * (1 if unit == "MB" else 1e6)
            per_unit = f"{per:.2f} s CPU per MB" if unit == "MB" else f"{per:.1f} µs CPU per link"
            outcome = "loaded" if r["ok"] else "refused: " + (r["problems"][0][:90] if r["problems"] else "?")
            print(f"  {size:>9g} {unit:5} ({megabytes:5.1f} MB)  wall {r['wall']:6.2f} s  cpu {r['cpu']:6.2f} s"
                  f"  peak {r['peak_mb']:6.0f} MB  {per_unit}  {outcome}", flush=True)


if __name__ == "__main__":
    main()
