"""Developer tools run by make (evaluation, held-out NLU check, benchmarks' helpers)."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"


def rasa_env() -> dict[str, str]:
    """The environment for Rasa commands: our plugins importable from the checkout."""
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def rasa(*args: str) -> None:
    """Runs a Rasa CLI command in the Rasa environment, failing loudly."""
    subprocess.run([str(RASA), *args], cwd=ROOT, env=rasa_env(), check=True)
