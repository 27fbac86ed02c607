"""Line coverage per package, each held to its floor (`make test-python`).

Adds the Rasa environment's data (bot/rasa_plugins, measured where it runs) to the app
environment's, prints the report, then one line per package; exits 1 when one is under its
floor.

    .venv/bin/python -m tests.tools.coverage_floors reports/coverage-rasa
"""

import io
import sys
from pathlib import Path

import coverage

FLOORS = {"backend": 90, "actions": 85, "bot": 85, "console": 85}


def main(rasa_data: Path) -> int:
    measured = coverage.Coverage()
    measured.load()
    rasa_files = sorted(str(path) for path in rasa_data.glob(".coverage*"))
    if not rasa_files:
        raise SystemExit(f"no coverage data of the Rasa environment in {rasa_data}")
    measured.combine(rasa_files, keep=True)
    measured.save()
    measured.report(skip_covered=True)
    below = []
    for package, floor in FLOORS.items():
        percent = measured.report(include=[f"{package}/*"], file=io.StringIO())
        print(f"{package:<8} {percent:5.1f}%  (floor {floor}%)")
        if percent < floor:
            below.append(package)
    if below:
        print(f"under the floor: {', '.join(below)}", file=sys.stderr)
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
