"""The intents staff can mark a misunderstood message with: the bot's own, from domain.yml."""

from functools import cache
from pathlib import Path

import yaml

DOMAIN = Path(__file__).resolve().parent.parent / "domain.yml"


@cache
def known_intents() -> tuple[str, ...]:
    """The domain's intents in its order, without ``nlu_fallback`` (the bot not
    understanding is never what a user meant)."""
    domain = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))
    # An intent is a name, or a one-key mapping of the name to its options.
    names = (next(iter(i)) if isinstance(i, dict) else i for i in domain["intents"])
    return tuple(name for name in names if name != "nlu_fallback")
