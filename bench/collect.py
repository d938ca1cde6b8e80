"""Gather bench/results/*.md into bench/RESULTS.md."""

from __future__ import annotations

from bench.common import RESULTS_DIR, machine

OUTPUT = RESULTS_DIR.parent / "RESULTS.md"


def main() -> None:
    sections = [
        path.read_text(encoding="utf-8") for path in sorted(RESULTS_DIR.glob("*.md"))
    ]
    OUTPUT.write_text(
        "# Benchmark results\n\nWritten by `make bench`. Each section names the "
        "command and machine that produced it; figures are ratios to a baseline "
        "measured in "
        f"the same run where one applies.\n\nLast collected on: {machine()}\n\n"
        + "\n".join(sections),
        encoding="utf-8",
    )
    print(OUTPUT)


if __name__ == "__main__":
    main()
