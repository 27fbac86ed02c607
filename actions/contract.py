"""The names the dialogue (domain.yml), the actions, the channels and the console share.

Standard library only and Python 3.10-compatible: the Rasa server's plugins, the action
server, the web app, the Telegram bridge and the console all import it. A unit test
(tests/unit/test_contract.py) checks domain.yml against it and against the actions.
"""

# --- what a channel sends with a message (UserUttered metadata) ---------------------------
CHANNEL_KEY = "canale"  # which channel the message came from: WEB or TELEGRAM
DOCUMENT_KEY = "documento"  # the reference of an uploaded identity document
PORTAL_TOKEN_KEY = "portal_token"  # the portal's login, re-signed by the web app
CLIENT_KEY = "cliente"  # who is at the other end: the client address the channel saw
WEB, TELEGRAM = "web", "telegram"

# --- what the bot tells a channel besides the text (custom payloads) ----------------------
# A reply with this custom payload follows a login: the web app renews the conversation's
# credential (bot/channels/web/identity.py) and strips the payload before the widget sees it.
RENEW_CREDENTIAL_KEY, RENEW_CREDENTIAL = "credenziale", "rinnova"

# What the Rasa server says when the action server cannot be reached (remote_actions.py).
ACTION_SERVER_APOLOGY = (
    "Scusa, in questo momento non riesco a completare la richiesta. Riprova tra qualche "
    "istante; se serve, Help OnLine o il numero verde 803.500 ti aiutano."
)


def sender_id(channel: str, conversation: str | int) -> str:
    """A Rasa sender id, namespaced by channel: no channel can name another's conversation."""
    return f"{channel}-{conversation}"


# --- secrets: what the user types when the bot asks for a password or a code -------------
# A bot message with this custom payload asks for a secret: channels mask the input.
SECRET_INPUT_KEY, SECRET_INPUT = "input", "segreto"
SECRET_SUFFIXES = ("_password", "_otp")  # a form slot whose answer is a secret
REDACTED = "[riservato]"  # what the tracker store keeps instead of a secret


def is_secret_slot(name: str | None) -> bool:
    return bool(name) and name.endswith(SECRET_SUFFIXES)


def is_readable(text: str | None) -> bool:
    """True when the text has a letter or a digit (not only emoji or punctuation).

    The NLU never classifies an unreadable message and the fallback asks for words: both
    must agree on what unreadable means.
    """
    return bool(text) and any(char.isalnum() for char in text)


# --- slots, intents, actions and forms the console reads from the tracker store ----------
REQUESTED_SLOT = "requested_slot"
ATTEMPTS_SLOT = "tentativi"  # wrong answers in a row to the current question of a flow
ACCOUNT_SLOT = "account"  # the logged-in account's id
ACTING_FOR_SLOT = "per_conto_di"  # the account a logged-in delegate acts for (a delega)
SESSION_START_ACTION = "action_session_start"
LISTEN_ACTION = "action_listen"
CANCEL_ACTION = "action_annulla"
FALLBACK_ACTIONS = frozenset({"action_default_fallback", "action_default_ask_affirmation"})
HANDOFF_INTENT = "human_handoff"
CALLBACK_FORM = "richiamata_form"
GIVE_UP_RESPONSE = "utter_flusso_help_online"  # a flow ended by the third wrong answer
# Conversation repair (actions/flow.py): digressions in a row at the current question, the
# pseudo-question «Vuoi continuare con …?», the end of every task, an unexpected failure.
DIGRESSIONS_SLOT = "digressioni"
CONTINUE_SLOT = "continua_flusso"
CONTINUE_RESPONSE = "utter_continuare"
COMPLETED_RESPONSE = "utter_posso_aiutarti"
INTERNAL_ERROR_RESPONSE = "utter_errore_interno"
# Live hand-over (backend/live_chats.py): a bot message carrying {LIVE_KEY: "attesa"} tells
# the channel that the conversation joined the operators' queue, so the widget starts
# listening for messages it did not ask for (GET /api/chat/diretta).
LIVE_KEY = "diretta"
LIVE_WAITING = "attesa"
# Set while the customer waits in the queue, so the rules tell «annulla» there from «annulla»
# in a flow; the console empties it when an operator takes the chat or the queue times out.
IN_QUEUE_SLOT = "in_coda"
# Marks a tracker event written for a person: BotUttered metadata {OPERATOR_KEY: name}.
OPERATOR_KEY = "operatore"

# Satisfaction (actions/ratings.py, backend/ratings.py): what the customer is invited to rate,
# "assistente" (a task the bot completed) or "operatore:<live chat id>" (a hand-over that just
# ended). The console offers the same prompt and buttons through Rasa's HTTP API when a
# hand-over ends, so they are built here rather than in domain.yml's responses.
RATING_OFFER_SLOT = "valutazione_offerta"
RATING_ID_SLOT = "valutazione_id"  # the vote given on the current offer: a new offer empties it
RATE_INTENT, RATING_ENTITY = "valuta", "voto"
RATING_POSITIVE, RATING_NEGATIVE = "positivo", "negativo"
RATED_ASSISTANT, RATED_OPERATOR = "assistente", "operatore"
RATING_PROMPT = "Com'è andata? Se vuoi, lascia una valutazione."


def operator_offer(live_chat_id: int) -> str:
    """The offer slot's value at the end of the hand-over ``live_chat_id``."""
    return f"{RATED_OPERATOR}:{live_chat_id}"


def rating_buttons() -> list[dict[str, str]]:
    """👍 / 👎: pressing one says ``/valuta{"voto": …}`` in the customer's name."""
    return [
        {"title": title, "payload": f'/{RATE_INTENT}{{"{RATING_ENTITY}":"{vote}"}}'}
        for title, vote in (("👍", RATING_POSITIVE), ("👎", RATING_NEGATIVE))
    ]


# Short Italian question labels: the "Intendevi…?" buttons and the console's intent picker.
INTENT_LABELS: dict[str, str] = {
    "faq_dati_registrazione": "Quali dati servono per registrarsi?",
    "faq_come_registrarsi": "Come ci si registra?",
    "faq_otp_email_non_arrivato": "Non mi arriva l'e-mail con il codice",
    "faq_otp_sms_non_arrivato": "Non mi arriva l'SMS con il codice",
    "faq_modifica_codice_fiscale": "Posso modificare CF o Partita IVA?",
    "faq_problemi_registrazione": "Ho problemi con la registrazione",
    "faq_password_dimenticata": "Ho dimenticato la password",
    "faq_username_dimenticata": "Ho dimenticato la username",
    "faq_cancellare_utenza": "Come cancello la mia utenza?",
    "faq_area_produttori": "Come accedo all'Area Produttori?",
    "faq_nuovo_rappresentante_legale": "Sono il nuovo rappresentante legale",
    "faq_servizi_dedicati": "Quali servizi online ci sono per me?",
    "faq_consultare_servizi": "Come consulto un servizio online?",
    "faq_delega_cos_e": "Cos'è la delega?",
    "faq_delega_requisiti": "Cosa serve per attivare una delega?",
    "faq_delega_attivare": "Come attivo una delega?",
    "faq_delega_revocare": "Come revoco una delega?",
    "faq_browser": "Quale browser usare?",
    "info_requisiti_password": "Come deve essere la password?",
    "info_durata_codice": "Quanto dura il codice di verifica?",
    "info_cambio_password_24h": "Ogni quanto posso cambiare password?",
    "info_pec": "Posso usare una PEC?",
    "info_pod": "Cos'è il POD?",
    "info_numero_verde": "Qual è il numero verde?",
    "human_handoff": "Parlare con una persona",
}
