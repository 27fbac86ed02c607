"""Supplies in the chat: link a POD to one's account, list one's supplies and their services.

Which customer type gets which service is configuration the business confirms
(``backend/data/services.json``): the answers point to the portal for the list itself.
"""

import re

from rasa_sdk import Tracker

from actions.flow import Reply, say
from actions.session import Customer, LoginSteps, LoginThenShow, customer
from backend import bootstrap, supplies
from backend.validators import validate_pod

# A POD as people copy it from the bill: "IT001E 1234 5678", "it 001 e12345678".
_POD = re.compile(r"\bIT\s*\d{3}\s*E\s*(?:\d\s*){8}", re.IGNORECASE)


def find_pod(text: str) -> str:
    """The POD in the text, normalised; the validator's reason when there is none."""
    match = _POD.search(text)
    return validate_pod(match.group() if match else text)


PORTAL_LIST = (
    "L'elenco aggiornato dei servizi dedicati a ogni fornitura è nella tua area riservata "
    "del portale."
)


def describe(supply: supplies.SupplyView) -> str:
    """One supply: its POD, address, customer type and the services for that type."""
    kind = supplies.customer_types().get(supply.customer_type, supply.customer_type)
    where = f" – {supply.address}" if supply.address else ""
    services = "\n".join(f"  • {service}" for service in supply.services)
    return (
        f"POD {supply.pod}{where}, tipologia {kind}. Servizi online per la tipologia:\n{services}"
    )


class ValidateLinkPodForm(LoginSteps):
    form = "collega_pod_form"
    delegated = True

    def step_collega_pod_codice(self, text: str, tracker: Tracker) -> Reply:
        who = customer(tracker)
        linked = supplies.link_supply(
            bootstrap.unit_of_work(), who.id, find_pod(text), who.delegate
        )
        done = "Fatto: ho collegato il POD"
        if who.delegate:
            done += f" per conto di {who.name}, che ne riceve notizia per e-mail"
        return Reply(
            messages=[say(text=f"{done}.\n{describe(linked)}\n{PORTAL_LIST}")],
            done=True,
        )


class ValidateSuppliesForm(LoginThenShow):
    """ "Le mie forniture": only the login, then the list."""

    form = "forniture_form"
    delegated = True

    def show(self, who: Customer) -> dict:
        found = supplies.list_supplies(bootstrap.unit_of_work(), who.id, who.delegate)
        if not found and who.delegate:
            return say(text=f"Per conto di {who.name}: non risultano forniture collegate.")
        if not found:
            return say("utter_forniture_nessuna")
        title = (
            f"Le forniture di {who.name}, per suo conto:" if who.delegate else "Le tue forniture:"
        )
        text = title + "\n" + "\n".join(describe(supply) for supply in found)
        text += "\n" + PORTAL_LIST
        link = {"title": "Collega un altro POD", "payload": "/collega_pod"}
        return say(text=text, buttons=[link])
