"""The secret detector: what it takes for a password or a code, and what it leaves alone."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from actions.contract import GIVE_UP_RESPONSE, REDACTED
from actions.redaction import (
    SECRET_WINDOW_SECONDS,
    ConversationSecrets,
    is_other_data,
    is_password_shaped,
    is_secret_message,
    meets_password_rule,
    redact_introduced,
)
from backend.validators import missing_password_requirements
from tests.unit.backend.backend_strategies import fiscal_codes, vat_numbers

# Every character a customer can type on a phone or a keyboard, but spaces.
TYPED = st.characters(
    codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), exclude_characters="\x85"
)


@st.composite
def portal_passwords(draw) -> str:
    """Passwords the portal accepts: the rule's three kinds of character, anything else around."""
    kinds = [
        draw(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZÀÈÉ")),
        draw(st.sampled_from("0123456789")),
        draw(st.sampled_from("!@#$%^&+*-_.,;:?=/()[]{}<>£€§°'\"\\|~")),
    ]
    rest = draw(st.lists(TYPED, max_size=20))
    return "".join(draw(st.permutations(kinds + rest)))


@given(st.text(TYPED, max_size=30))
def test_the_password_rule_is_the_backend_s(token):
    assert meets_password_rule(token) == (not missing_password_requirements(token))


@given(portal_passwords())
def test_every_password_of_the_portal_s_shape_is_caught_alone_and_in_a_sentence(password):
    assume(not is_other_data(password))  # an e-mail, a practice number: read as what they are
    assert is_password_shaped(password)
    redacted, secrets = redact_introduced(f"la mia password è {password} ma non funziona")
    assert password not in redacted and secrets == [password]


@given(st.one_of(fiscal_codes(), vat_numbers()))
def test_fiscal_codes_and_vat_numbers_are_never_secrets(code):
    assert not is_password_shaped(code)
    assert redact_introduced(f"il codice fiscale è {code}") == (f"il codice fiscale è {code}", [])


@pytest.mark.parametrize(
    "token",
    [
        "IT001E12345678",
        "mario.rossi@gmail.com",
        "M.Rossi1@libero.it",
        "RIC-2023/00451",
        "+39 333 1234567".replace(" ", ""),
        "333-1234567",
        "12/03/2024",
        "1.5.2023",
        "14:30",
        "50,00€",
        "€120",
        "PC-2024-DEMO0001",
        "803.500",
        "https://www.example.it/Accesso?id=1",
        "3kW",
        "Grazie!",
        "Ok!!",
        "1234",
        "2024",
    ],
)
def test_other_data_alone_is_not_password_shaped(token):
    assert not is_password_shaped(token)


@pytest.mark.parametrize(
    "token",
    ["Mario1980!", "mario1980", "Ciao2024", "Gatto.99", "483920", "Roma#1", "Aa1!", "LUPO-1936"],
)
def test_passwords_near_misses_and_codes_are_password_shaped(token):
    assert is_password_shaped(token)


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("la password è Mario1980! ma il sito non me la accetta", "la password è * ma il sito"),
        ("psw: gattino", "psw: *"),
        ("psw:Gatto1!", "psw:*"),
        ("pwd = Lupo.2023", "pwd = *"),
        ("il codice è 483920", "il codice è *"),
        ("il codice che mi è arrivato via sms è 483920, va bene?", "via sms è * va bene?"),
        ("pin 1234", "pin *"),
        ("la pasword che ho messo è Ciao2024", "ho messo è *"),
        ("la passwrod nuova sarebbe Sole#2024.", "nuova sarebbe *"),
        ("PASSWORD: Estate2023", "PASSWORD: *"),
        ("la mia password di accesso al portale è: Lupo.2023 grazie", "è: * grazie"),
        ("483920 è il codice", "* è il codice"),
        ("la mia password è gattino ma il sito non me la accetta", "è * ma il sito"),
        ("Mario1980! sarebbe la mia password ma non va", "* sarebbe la mia password"),
    ],
)
def test_a_secret_the_customer_introduces_is_replaced_the_rest_stays(text, redacted):
    result, secrets = redact_introduced(text)
    assert redacted.replace("*", REDACTED) in result
    assert len(secrets) == 1 and secrets[0] not in result


@pytest.mark.parametrize(
    "text",
    [
        "la password è sbagliata",
        "la password è la stessa di prima",
        "ho sbagliato la password 3 volte",
        "il codice dell'sms non arriva",
        "il codice fiscale è RSSMRA85T10A562S",
        "il codice pratica è PC-2024-DEMO0001",
        "il codice POD è IT001E12345678",
        "codice cliente 12345678901",
        "la password scaduta dopo 90 giorni",
        "il pin del bancomat non c'entra",
        "ho cambiato la password il 12/03/2024",
        "password dimenticata",
        "il codice di verifica è scaduto",
        "la passeggiata di ieri",
        "Ciao, la password non va",
        "la password è obbligatoria?",
        "la password è lunga 8 caratteri",
        "il codice è arrivato ieri",
        "la password è nel cassetto",
        "la mia password è scritta nel quaderno",
        "RSSMRA85T10A562S è il mio codice fiscale",
        "IT001E12345678 è il codice POD",
    ],
)
def test_sentences_about_passwords_and_codes_stay_as_they_are(text):
    assert redact_introduced(text) == (text, [])


def test_a_channel_drops_a_secret_typed_in_the_window_or_introduced_anywhere():
    assert is_secret_message("Mario1980!", in_secret_window=True)
    assert not is_secret_message("Mario1980!", in_secret_window=False)
    assert is_secret_message("la password è Mario1980!", in_secret_window=False)
    assert not is_secret_message("grazie mille", in_secret_window=True)


def redact_events(events: list[dict]) -> list[dict]:
    conversation = ConversationSecrets()
    return [conversation.redact(event) for event in events]


def user(text: str, at: float, entities: list | None = None) -> dict:
    parse = {"text": text, "intent": {"name": "inform"}, "entities": entities or []}
    return {"event": "user", "text": text, "timestamp": at, "parse_data": parse}


def slot(name: str, value, at: float = 0.0) -> dict:
    return {"event": "slot", "name": name, "value": value, "timestamp": at}


def gave_up(at: float) -> list[dict]:
    help_online = {"utter_action": GIVE_UP_RESPONSE}
    return [
        {"event": "bot", "text": None, "metadata": help_online, "timestamp": at},
        slot("requested_slot", None, at),
        {"event": "active_loop", "name": None, "timestamp": at},
    ]


def texts(events) -> list[str]:
    return [e["text"] for e in events if e["event"] == "user"]


def test_a_password_shaped_message_is_secret_while_and_shortly_after_a_flow_asked_one():
    start = 1_000.0
    events = [
        user("Mario1980", start - 10),  # before any secret was asked: a username, maybe
        {"event": "active_loop", "name": "accesso_form", "timestamp": start},
        slot("requested_slot", "accesso_password", start),
        user("Tentativo#1", start + 1),
        slot("requested_slot", "accesso_email", start + 2),
        user("Tentativo#2", start + 3),  # the flow still runs: it asked for a secret
        *gave_up(start + 4),
        user("Tentativo#3", start + 60),
        user("RSSMRA85T10A562S", start + 70),
        user("Tentativo#4", start + 4 + SECRET_WINDOW_SECONDS + 1),
    ]
    assert texts(redact_events(events)) == [
        "Mario1980",
        REDACTED,
        REDACTED,
        REDACTED,
        "RSSMRA85T10A562S",
        "Tentativo#4",
    ]


def test_a_new_flow_or_session_ends_the_one_that_asked_for_a_secret():
    conversation = ConversationSecrets()
    for event in [
        {"event": "active_loop", "name": "registrazione_form", "timestamp": 0.0},
        slot("requested_slot", "registrazione_password"),
        {"event": "session_started", "timestamp": 10.0},
    ]:
        conversation.redact(event)
    assert conversation.requested is None
    assert conversation.in_window(10.0 + SECRET_WINDOW_SECONDS)
    assert not conversation.in_window(11.0 + SECRET_WINDOW_SECONDS)


def test_secret_slot_values_and_values_copied_from_the_message_are_redacted():
    entity = {"entity": "codice_otp", "value": "483920", "start": 12, "end": 18}
    email = {"entity": "email", "value": "m@example.it", "start": 0, "end": 1}
    events = redact_events(
        [
            user("il codice è 483920 ok", 1.0, [entity, email]),
            slot("nota", "il codice è 483920 ok"),
            slot("parole", ["483920", "ok"]),
            slot("registrazione_password", "Segreta#1"),
            slot("cambio_password_ore", None),
            slot("tentativi", 2),
            {"event": "bot", "text": "Hai scritto 483920?", "timestamp": 2.0},
        ]
    )
    message = events[0]
    assert message["text"] == message["parse_data"]["text"] == f"il codice è {REDACTED} ok"
    assert message["parse_data"]["entities"] == [email]
    assert [e.get("value", e.get("text")) for e in events[1:]] == [
        f"il codice è {REDACTED} ok",
        [REDACTED, "ok"],
        REDACTED,
        None,
        2,
        f"Hai scritto {REDACTED}?",
    ]


def test_an_event_without_secrets_is_stored_as_it_came():
    event = user("buongiorno, ho un problema con la bolletta", 1.0)
    assert redact_events([event])[0] is event
