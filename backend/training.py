"""Misunderstood messages marked by staff, exported as NLU examples for review.

Texts are masked when marked: the marks outlive the transcripts and leave the database
as a file, so personal data never reaches them.
"""

from collections.abc import Collection

from backend import audit
from backend.entities import TrainingMark
from backend.errors import InvalidInput, NotFound
from backend.masking import mask_personal_data

HEADER = (
    "# Messaggi non compresi dal bot, con l'intento indicato dagli operatori.\n"
    "# Da rivedere prima di aggiungerli ai file di data/nlu/ (dati personali mascherati).\n"
)


def mark_misunderstood(
    uow, event_id: int, text: str, intent: str, staff_id: int, intents: Collection[str]
) -> None:
    """Record what a user message meant, one of ``intents`` (the bot's, given by the caller);
    marking the same message again replaces it."""
    text = _one_line(mask_personal_data(text))
    if not text:
        raise InvalidInput("Il messaggio da segnare è vuoto.")
    if intent not in intents:
        raise InvalidInput("L'intento scelto non esiste nel dominio del bot.")
    with uow:
        if uow.staff.get(staff_id) is None:
            raise NotFound("Operatore non trovato.")
        previous = uow.training_marks.first(event_id=event_id)
        if previous is not None:
            uow.training_marks.delete(previous)
        uow.training_marks.add(
            TrainingMark(
                event_id=event_id, text=text, intent=intent, staff_id=staff_id, created_at=uow.now()
            )
        )
        audit.record(
            uow, "training_marked", None, event_id=event_id, intent=intent, staff_id=staff_id
        )
        uow.commit()


def intents_marked(uow, event_ids: list[int]) -> dict[int, str]:
    """The intent staff gave to each of these messages that was marked."""
    with uow:
        return {m.event_id: m.intent for m in uow.training_marks.find_in("event_id", event_ids)}


def forget_marks(uow, event_ids: Collection[int]) -> int:
    """Drop the marks of messages whose transcript was erased; how many there were."""
    with uow:
        found = uow.training_marks.find_in("event_id", list(event_ids)) if event_ids else []
        for mark in found:
            uow.training_marks.delete(mark)
        uow.commit()
        return len(found)


def _one_line(text: str) -> str:
    """One NLU example per line, only printable characters (YAML refuses control codes)."""
    return " ".join("".join(c for c in text if c.isprintable() or c.isspace()).split())


def marked(uow) -> list[TrainingMark]:
    """Every mark, oldest first."""
    with uow:
        return sorted(uow.training_marks.find(), key=lambda m: (m.created_at, m.id))


def export_yaml(uow) -> str:
    """Rasa NLU YAML of the marked texts, by intent; a text marked twice keeps its latest intent."""
    latest_intent = {mark.text: mark.intent for mark in marked(uow)}
    by_intent: dict[str, list[str]] = {}
    for text, intent in latest_intent.items():
        by_intent.setdefault(intent, []).append(text)
    blocks = [_intent_block(intent, texts) for intent, texts in sorted(by_intent.items())]
    nlu = "nlu:\n" + "".join(blocks) if blocks else "nlu: []\n"
    return HEADER + 'version: "3.1"\n' + nlu


def _intent_block(intent: str, texts: list[str]) -> str:
    # A literal block takes any printable one-line text as it is: quotes, colons, '#'.
    examples = "".join(f"      - {text}\n" for text in texts)
    return f"  - intent: {intent}\n    examples: |\n{examples}"
