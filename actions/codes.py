"""A step that asks for a one-time code: read it, resend it on request, count the tries."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from rasa_sdk import Tracker

from actions.flow import Invalid, Reply, say
from backend.errors import CodeRejected, Throttled

VERIFIED = "verificato"  # what a code slot holds once used: never the code itself
CODE_IN_TEXT = re.compile(r"(?<!\d)(\d{3})\s?(\d{3})(?!\d)")
RESEND_REQUEST = re.compile(
    r"non (mi )?(è|e'|e) arrivat|non (mi )?arriva|non l'ho ricevut|non ho ricevuto|"
    r"(rimanda|reinvia|invia|manda|inviami|mandami)\w*( di nuovo)?( un)? (nuovo )?codice|"
    r"nuovo codice|un altro codice|codice scaduto",
    re.IGNORECASE,
)
RESEND_BUTTON = {"title": "Inviami un nuovo codice", "payload": "inviami un nuovo codice"}


@dataclass(frozen=True)
class CodeStep:
    """``verify(tracker, code)`` checks the code with the backend; ``resend(tracker)`` sends
    a fresh one by ``channel`` ("sms" or "email"), or raises ``Throttled``. ``show_attempts``
    is off where the count would reveal whether an account exists; ``resent`` is what the
    bot says after a resend, which must not claim a code went out when it may not have."""

    verify: Callable[[Tracker, str], Reply]
    resend: Callable[[Tracker], None]
    channel: str
    show_attempts: bool = True
    resent: str = "utter_codice_reinviato"

    def check(self, text: str, tracker: Tracker, slot: str) -> Reply:
        if RESEND_REQUEST.search(text):
            return self._resend(tracker)
        match = CODE_IN_TEXT.search(text)
        if match is None:
            raise Invalid("Il codice è di 6 cifre: copialo dal messaggio che ti ho inviato.")
        try:
            reply = self.verify(tracker, "".join(match.groups()))
        except CodeRejected as rejected:
            return Reply(messages=[say(text=self._reason(rejected), buttons=[RESEND_BUTTON])])
        reply.slots = {slot: VERIFIED, **reply.slots}
        return reply

    def _resend(self, tracker: Tracker) -> Reply:
        """A fresh code (unless one was sent too recently) and the FAQ's advice."""
        try:
            self.resend(tracker)
            sent = say(self.resent)
        except Throttled as throttled:
            sent = say(text=throttled.message_it)
        return Reply(messages=[sent, say(f"utter_consigli_codice_{self.channel}")])

    def _reason(self, rejected: CodeRejected) -> str:
        left = rejected.attempts_left
        if not self.show_attempts or left is None:
            return rejected.message_it
        if left == 0:
            return f"{rejected.message_it} Hai esaurito i tentativi: richiedi un nuovo codice."
        tries = "tentativo" if left == 1 else "tentativi"
        return f"{rejected.message_it} Ti restano {left} {tries}."
