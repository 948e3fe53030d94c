"""Weigh the player runtime as every web format ships it: player.js + player.css, raw and
gzipped at level 9 (what tests/test_player_site.py holds to its budget).

    python benchmarks/player_size.py
    python benchmarks/player_size.py --against 03391ca    # and the same files at a git commit

Figures are for reports, never for test assertions.
"""

from __future__ import annotations

import argparse
import gzip
import subprocess
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "src" / "coursekit" / "player" / "static"
FILES = ("player.js", "player.css")


def weigh(blobs: list[bytes]) -> tuple[int, int]:
    data = b"".join(blobs)
    return len(data), len(gzip.compress(data, 9))


def at_commit(commit: str) -> list[bytes]:
    root = STATIC.parents[3]
    rel = STATIC.relative_to(root).as_posix()
    return [subprocess.run(["git", "-C", str(root), "show", f"{commit}:{rel}/{name}"], check=True, capture_output=True).stdout
            for name in FILES]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", help="a git commit to compare with")
    args = parser.parse_args()
    raw, packed = weigh([(STATIC / name).read_bytes() for name in FILES])
    print(f"player.js + player.css: {raw} bytes, {packed} bytes gzipped")
    if args.against:
        raw0, packed0 = weigh(at_commit(args.against))
        print(f"at {args.against}: {raw0} bytes, {packed0} bytes gzipped ({packed - packed0:+d} gzipped)")


if __name__ == "__main__":
    main()
