"""Conversations in the tracker store's `events` table, written as Rasa writes them.

`Script` builds one sender's events (the JSON of Rasa's `Event.as_dict()` and the columns
of its SQLTrackerStore); `realistic(n)` invents n conversations over 60 days: FAQ answers,
flows completed, cancelled, given up or left, misunderstood messages, requests for a
person, on the web widget and Telegram, some texts with personal data in them.

    .venv/bin/python -m tests.support.conversations sqlite:///var/tracker.db --conversations 500
"""

from __future__ import annotations

import argparse
import json
import random
import time
from typing import Any

import sqlalchemy as sa

from backend.db import make_engine
from console.conversation_tables import EVENTS

DAY = 24 * 3600

FAQS = [
    ("come faccio a registrarmi al portale?", "faq_registrazione", "Vai su «Registrati»…"),
    ("ho dimenticato la password", "faq_password_dimenticata", "Usa «Password dimenticata»."),
    ("quanto dura il codice otp?", "faq_durata_codice", "Il codice vale 30 minuti."),
    ("Perché non posso cambiare il codice fiscale?", "faq_modifica_cf", "Non è modificabile."),
    ("cos'è il pod e dove lo trovo", "faq_pod", "Il POD è sulla bolletta, inizia con IT001E."),
    ("qual è il numero verde?", "faq_numero_verde", "Il numero verde è 803.500."),
    ("che browser devo usare", "faq_browser", "Chrome, Firefox, Edge o Safari aggiornati."),
    ("la mia mail è mario.rossi@example.it, non arriva il codice", "faq_email_non_arriva", "…"),
    ("come attivo una delega?", "faq_delega", "Dal menu «Deleghe»."),
    ("il POD IT001E12345678 non è mio", "faq_pod_non_associato", "Verifica il codice fiscale."),
]
NOT_UNDERSTOOD = [
    "asdfgh",
    "la bolletta di marzo è sbagliata??",
    "vorrei parlare del contatore nuovo in via Roma 3",
    "il mio cf è RSSMRA85T10A562S e non funziona niente",
    "perchè non va",
]
# form, [(slot, question, answer)], the response that closes it
FLOWS = {
    "recupero_password_form": (
        [
            ("recupero_password_email", "Qual è la tua e-mail?", "anna.bianchi@example.it"),
            ("recupero_password_email_otp", "Scrivi il codice ricevuto.", "[riservato]"),
            ("recupero_password_nuova_password", "Scegli la nuova password.", "[riservato]"),
        ],
        "utter_password_cambiata",
    ),
    "richiamata_form": (
        [
            ("richiamata_argomento", "Di cosa vuoi parlare?", "una pratica di voltura"),
            ("richiamata_nome", "Come ti chiami?", "Giulia Verdi"),
            ("richiamata_telefono", "A che numero ti chiamiamo?", "333 1234567"),
            ("richiamata_orario", "Quando preferisci?", "domani mattina"),
        ],
        "utter_richiamata_registrata",
    ),
    "collega_pod_form": (
        [("collega_pod_codice", "Scrivi il codice POD.", "IT001E00012345")],
        "utter_pod_collegato",
    ),
}
FLOW_INTENTS = {
    "recupero_password_form": ("voglio cambiare la password", "recupero_password"),
    "richiamata_form": ("potete richiamarmi?", "richiedi_richiamata"),
    "collega_pod_form": ("voglio collegare una fornitura", "collega_pod"),
}


class Script:
    """One sender's events, in order, each a second or so after the previous one."""

    def __init__(self, sender_id: str, start: float, channel: str | None = "web"):
        self.sender_id, self.clock, self.channel = sender_id, start, channel
        self.events: list[dict[str, Any]] = []

    def add(self, event: dict[str, Any], seconds: float = 1.0) -> Script:
        self.clock += seconds
        self.events.append({**event, "timestamp": self.clock})
        return self

    def session(self, idle_seconds: float = 0.0) -> Script:
        self.clock += idle_seconds
        self.action("action_session_start").add({"event": "session_started", "metadata": {}})
        return self.action("action_listen")

    def user(self, text: str, intent: str, confidence: float = 0.93) -> Script:
        metadata = {"canale": self.channel} if self.channel else {}
        parse_data = {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "entities": [],
            "intent_ranking": [{"name": intent, "confidence": confidence}],
        }
        event = {"event": "user", "text": text, "parse_data": parse_data, "metadata": metadata}
        return self.add({**event, "input_channel": "rest", "message_id": f"m{len(self.events)}"})

    def bot(self, text: str, response: str | None = None, buttons: tuple = ()) -> Script:
        data = {"buttons": [{"title": t, "payload": p} for t, p in buttons] or None}
        metadata = {"utter_action": response} if response else {}
        return self.add({"event": "bot", "text": text, "data": data, "metadata": metadata})

    def action(self, name: str) -> Script:
        return self.add({"event": "action", "name": name, "policy": "RulePolicy"}, 0.05)

    def slot(self, name: str, value: Any) -> Script:
        return self.add({"event": "slot", "name": name, "value": value}, 0.01)

    def form(self, name: str | None) -> Script:
        return self.add({"event": "active_loop", "name": name}, 0.01)

    def faq(self, question: str, intent: str, answer: str) -> Script:
        self.user(question, intent).action(f"utter_{intent}")
        return self.bot(answer, f"utter_{intent}").action("action_listen")

    def not_understood(self, text: str) -> Script:
        self.user(text, "nlu_fallback", 0.3).action("action_default_ask_affirmation")
        buttons = (("Numero verde", "/faq_numero_verde"), ("Nessuna di queste", "/out_of_scope"))
        return self.bot("Intendevi…?", "utter_ask_affirmation", buttons).action("action_listen")

    def flow(self, form: str, answers: int | None = None, ending: str = "completed") -> Script:
        """A flow run: `answers` steps answered, then completed, cancelled, given up or left."""
        steps, done_response = FLOWS[form]
        answers = len(steps) if answers is None else answers
        text, intent = FLOW_INTENTS[form]
        self.user(text, intent).action(form).form(form)
        self._ask(steps[0])
        for number, (slot, _, answer) in enumerate(steps[:answers]):
            self.user(answer, "inform", 0.8).action(form).slot(slot, answer)
            if number + 1 < len(steps):
                self._ask(steps[number + 1])
        if ending == "completed":
            self.slot("requested_slot", None).form(None).action(done_response)
            self.bot("Fatto.", done_response).action("action_listen")
        elif ending == "cancelled":
            self.user("annulla", "annulla", 0.99).action("action_annulla")
            self.bot("Va bene, ho annullato.", "utter_annullato").slot("requested_slot", None)
            self.form(None).action("action_listen")
        elif ending == "given_up":
            self.user("boh", "inform", 0.5).action(form)
            self.bot("Non è valido.").bot("Scrivi a Help OnLine.", "utter_flusso_help_online")
            self.slot("requested_slot", None).form(None).action("action_listen")
        return self

    def _ask(self, step: tuple[str, str, str]) -> None:
        slot, question, _ = step
        self.slot("requested_slot", slot).bot(question, f"utter_ask_{slot}")
        self.action("action_listen")

    def rows(self) -> list[dict[str, Any]]:
        """The rows Rasa's SQLTrackerStore writes for these events."""
        return [
            {
                "sender_id": self.sender_id,
                "type_name": event["event"],
                "timestamp": event["timestamp"],
                "intent_name": event.get("parse_data", {}).get("intent", {}).get("name"),
                "action_name": event.get("name"),
                "data": json.dumps(event),
            }
            for event in self.events
        ]


def write(engine: sa.Engine, rows: list[dict[str, Any]]) -> None:
    """Appends rows to `events` (creating the table as Rasa would), in one transaction."""
    EVENTS.create(engine, checkfirst=True)
    with engine.begin() as db:
        db.execute(EVENTS.insert(), rows)


def realistic(count: int, seed: int = 0, now: float | None = None, events: int = 20) -> list:
    """`count` conversations of about `events` events each, started over the last 60 days,
    as rows in time order; about one in ten is a returning sender's new session."""
    rng = random.Random(seed)
    now = time.time() if now is None else now
    starts = sorted(now - rng.uniform(DAY / 24, 60 * DAY) for _ in range(count))
    senders: list[str] = []
    rows = []
    for number, start in enumerate(starts):
        returning = senders and rng.random() < 0.1
        sender = rng.choice(senders) if returning else f"sender-{seed}-{number}"
        senders.append(sender)
        channel = rng.choices(["web", "telegram", None], weights=[65, 30, 5])[0]
        script = Script(sender, start, channel).session()
        _scenario(script, rng)
        while len(script.events) < events - 3:
            script.faq(*rng.choice(FAQS))
        rows.extend(script.rows())
    return rows


def _scenario(script: Script, rng: random.Random) -> None:
    """What this conversation is about, in the proportions seen on a help desk."""
    kind = rng.choices(
        ["faq", "flow", "cancelled", "given_up", "left", "fallback", "person", "callback"],
        weights=[40, 15, 4, 3, 3, 20, 8, 7],
    )[0]
    if kind == "faq":
        script.faq(*rng.choice(FAQS))
    elif kind == "fallback":
        script.faq(*rng.choice(FAQS)).not_understood(rng.choice(NOT_UNDERSTOOD))
    elif kind == "person":
        script.faq("voglio parlare con un operatore", "human_handoff", "Ti metto in contatto.")
    elif kind == "callback":
        script.flow("richiamata_form")
    else:
        form = rng.choice(["recupero_password_form", "collega_pod_form"])
        if kind == "flow":
            script.flow(form)
        else:  # stops before the last answer
            script.flow(form, rng.randrange(len(FLOWS[form][0])), ending=kind)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the tracker store's database URL")
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    engine = make_engine(args.url)
    write(engine, realistic(args.conversations, args.seed))
    engine.dispose()


if __name__ == "__main__":
    main()
