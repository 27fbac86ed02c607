"""The Telegram bridge end to end: fake Bot API on loopback, real bridge process, real Rasa."""

import asyncio

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from actions.contract import rating_buttons
from backend.settings import Settings
from tests.support.bridge import BridgeProcess
from tests.support.fake_bot_api import FakeBotApi
from tests.support.loopback import LoopbackServer, free_port
from tests.support.services import REDIS_URL

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200 + b"\xff\xd9"
APOLOGY = "non riesco a risponderti"
SECRET_DELETED = "Ho cancellato il tuo messaggio perché conteneva un dato riservato."


def answer(fake: FakeBotApi, user: int, expected: str, since: int = 0, timeout: float = 60):
    """The bridge's first sendMessage to ``user`` (after the ``since`` first) with ``expected``."""

    def found():
        calls = fake.calls_to("sendMessage", user)[since:]
        return next((call for call in calls if expected in call.params["text"]), None)

    return fake.wait_for(found, timeout)


def sent(fake: FakeBotApi, user: int) -> int:
    return len(fake.calls_to("sendMessage", user))


def keyboard(call) -> list[tuple[str, str]]:
    markup = call.params["reply_markup"]
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


def test_an_faq_is_answered_with_an_inline_keyboard(fake, bridge, user):
    fake.message(user, "come faccio a registrarmi?")
    call = answer(fake, user, "Bastano pochi passaggi")
    assert "parse_mode" not in call.params  # plain text: nothing in it can break Markdown
    # ...and Telegram turns the plain URL of the FAQ's «qui» into a link by itself.
    assert f"form di registrazione: {Settings().registration_url}\n" in call.params["text"]
    assert keyboard(call)[:2] == [
        ("Registrami qui in chat", "p:/avvia_registrazione"),
        ("Quali dati servono?", "p:/faq_dati_registrazione"),
    ]


def test_a_button_press_says_its_payload_to_the_bot(fake, bridge, user):
    fake.message(user, "come faccio a registrarmi?")
    question = answer(fake, user, "Bastano pochi passaggi")
    before = sent(fake, user)
    query = fake.press(user, fake_message(question), "p:/faq_dati_registrazione")
    answer(fake, user, "Per registrarti servono", since=before)
    answered = fake.calls_to("answerCallbackQuery")
    assert [c.params["callback_query_id"] for c in answered].count(query) == 1


def test_a_button_the_bot_did_not_send_is_refused(fake, bridge, user):
    fake.message(user, "come faccio a registrarmi?")
    question = answer(fake, user, "Bastano pochi passaggi")
    before = sent(fake, user)
    query = fake.press(user, fake_message(question), 'p:/accedi{"accesso_account": 1}')
    refused = fake.wait_for(
        lambda: [
            c
            for c in fake.calls_to("answerCallbackQuery")
            if c.params["callback_query_id"] == query
        ]
    )
    assert "non è più valido" in refused[0].params["text"]
    assert sent(fake, user) == before


def test_the_commands_speak_to_the_bot(fake, bridge, user):
    fake.command(user, "start")
    greeting = fake.wait_for(lambda: fake.calls_to("sendMessage", user))[0]
    assert ("Come mi registro?", "p:/faq_come_registrarsi") in keyboard(greeting)  # utter_greet
    fake.message(user, "voglio accedere")
    answer(fake, user, "Scrivi l'e-mail")
    fake.command(user, "annulla")
    answer(fake, user, "ho annullato")


def test_a_voice_message_gets_told_what_the_bot_reads(fake, bridge, user):
    voice = {"file_id": "v1", "file_unique_id": "v1", "duration": 3}
    fake.send(user, voice=voice)
    answer(fake, user, "Posso leggere solo messaggi scritti")


def test_groups_are_not_answered(fake, bridge, user):
    group = -(10**12) - user
    fake.group_message(group, user, "come faccio a registrarmi?")
    fake.message(user, "come faccio a registrarmi?")
    answer(fake, user, "Bastano pochi passaggi")
    assert fake.calls_to("sendMessage", group) == []


def test_a_password_is_deleted_from_the_chat_and_never_logged(fake, bridge, user, customer):
    fake.message(user, "voglio accedere")
    answer(fake, user, "Scrivi l'e-mail")
    fake.message(user, customer.email)
    answer(fake, user, "Ora scrivi la password")
    before = sent(fake, user)
    secret_id = fake.message(user, customer.password)
    answer(fake, user, "Accesso effettuato", since=before)
    deleted = fake.calls_to("deleteMessage", user)
    assert [int(c.params["message_id"]) for c in deleted] == [secret_id]
    texts = fake.sent_texts(user)[before:]
    assert texts[0] == "Ho cancellato il tuo messaggio perché conteneva un dato riservato."
    # The next message is an ordinary one again: it stays in the chat.
    fake.message(user, "grazie")
    fake.wait_for(lambda: sent(fake, user) > before + 2)
    assert len(fake.calls_to("deleteMessage", user)) == 1
    assert customer.password not in bridge.log()
    assert fake.token not in bridge.log()  # Bot API URLs carry the token: httpx must not log them
    assert bridge.alive()


def test_a_password_typed_after_the_login_gave_up_or_introduced_is_deleted(
    fake, bridge, user, customer
):
    fake.message(user, "voglio accedere")
    answer(fake, user, "Scrivi l'e-mail")
    fake.message(user, customer.email)
    answer(fake, user, "Ora scrivi la password")
    for attempt in range(1, 4):
        before = sent(fake, user)
        fake.message(user, f"Tentativo#{attempt}x")
        answer(fake, user, "password" if attempt < 3 else "Non riesco a completare", since=before)
    before = sent(fake, user)
    once_more = fake.message(user, "Ultimo.Tentativo4")  # not asked for: the flow gave up
    fake.wait_for(lambda: sent(fake, user) > before + 1)
    before = sent(fake, user)
    introduced = fake.message(user, "la mia password è Sole#2024 ma il sito non me la accetta")
    fake.wait_for(lambda: sent(fake, user) > before + 1)
    fake.message(user, "grazie")  # an ordinary message stays
    fake.wait_for(lambda: sent(fake, user) > before + 2)
    deleted = [int(c.params["message_id"]) for c in fake.calls_to("deleteMessage", user)]
    assert deleted[-2:] == [once_more, introduced] and len(deleted) == 5
    assert fake.sent_texts(user).count(SECRET_DELETED) == 5
    assert "Sole#2024" not in bridge.log() and "Ultimo.Tentativo4" not in bridge.log()


def test_a_delega_gets_its_identity_document_from_telegram(fake, bridge, uow, user, new_customer):
    delegator, delegate = new_customer("Anna"), new_customer("Giulia")
    steps = [
        ("voglio accedere", "Scrivi l'e-mail"),
        (delegator.email, "Ora scrivi la password"),
        (delegator.password, "Accesso effettuato"),
        ("voglio attivare una delega", "clausole legali"),
        ("accetto", "e-mail con cui la persona"),
        (f"il delegato è {delegate.email}", "carta di identità"),
        ("te la mando dopo", "invia qui il file, come foto o PDF"),  # the flow knows it is Telegram
    ]
    for text, expected in steps:
        before = sent(fake, user)
        fake.message(user, text)
        answer(fake, user, expected, since=before)
    before = sent(fake, user)
    fake.upload(user, PDF, "carta.pdf", "application/pdf")
    answer(fake, user, "Documento ricevuto", since=before)
    answer(fake, user, "Per quanto tempo", since=before)
    for text, expected in (("6 mesi", ""), ("sì", "in attesa di accettazione")):
        before = sent(fake, user)
        fake.message(user, text)
        answer(fake, user, expected, since=before)
    with uow() as work:
        (delegation,) = work.delegations.find(delegator_id=delegator.id)
        (document,) = work.documents.find(delegation_id=delegation.id)
        assert document.content == PDF and document.account_id == delegator.id


def test_a_finished_task_offers_thumbs_and_a_press_records_the_rating(fake, bridge, uow, user):
    steps = [
        ("vorrei essere ricontattato", "Per quale motivo"),
        ("non riesco ad accedere", "nome e cognome"),
        ("Carla Neri", "A quale numero"),
        ("06 4444 5555", "Quando preferisci"),
    ]
    for text, expected in steps:
        before = sent(fake, user)
        fake.message(user, text)
        answer(fake, user, expected, since=before)
    before = sent(fake, user)
    fake.message(user, "domani mattina")
    offer = answer(fake, user, "Com'è andata?", since=before)
    votes = [(title, data[2:]) for title, data in keyboard(offer)]
    assert votes == [(b["title"], b["payload"]) for b in rating_buttons()]
    answer(fake, user, "Posso aiutarti in altro?", since=before)
    before = sent(fake, user)
    fake.press(user, fake_message(offer), keyboard(offer)[0][1])  # 👍
    answer(fake, user, "Grazie per la tua valutazione", since=before)
    answer(fake, user, "Vuoi aggiungere un commento?", since=before)
    with uow() as work:
        [rating] = work.ratings.find(sender_id=f"telegram-{user}")
    assert (rating.channel, rating.subject, rating.score) == ("telegram", "assistente", 1)


def tracker_metadata(stack, user: int) -> dict:
    """The metadata of the latest user message in the user's Rasa conversation."""
    return stack.user_events(f"telegram-{user}")[-1].get("metadata") or {}


@pytest.mark.parametrize("kind", ["pdf", "photo"])
def test_an_identity_document_is_stored_and_handed_to_the_bot(fake, bridge, stack, uow, user, kind):
    if kind == "pdf":
        fake.upload(user, PDF, "carta.pdf", "application/pdf")
        content, text = PDF, "Documento allegato: carta.pdf"
    else:
        fake.photo(user, JPEG)
        content, text = JPEG, "Documento allegato: foto.jpg"
    fake.wait_for(lambda: sent(fake, user) >= 1)
    assert fake.calls_to("getFile") and fake.calls_to("download")
    metadata = fake.wait_for(lambda: (m := tracker_metadata(stack, user)).get("documento") and m)
    assert metadata["canale"] == "telegram" and metadata["cliente"] == f"telegram-{user}"
    work = uow()
    with work:
        document = work.documents.get(int(metadata["documento"].partition(".")[0]))
        assert document.content == content and document.account_id is None
    assert stack.user_events(f"telegram-{user}")[-1]["text"] == text


def test_a_file_that_is_not_a_document_gets_an_italian_message(fake, bridge, uow, user):
    work = uow()
    with work:
        stored = len(work.documents.find())
    fake.upload(user, b"MZ\x90\x00 not a document", "carta.pdf", "application/pdf")
    answer(fake, user, "Il documento deve essere un file PDF, JPEG o PNG.")
    with work:
        assert len(work.documents.find()) == stored


def test_flood_control_is_waited_out(fake, bridge, user):
    fake.fail_next("sendMessage", retry_after=1)
    fake.message(user, "come faccio a registrarmi?")
    answer(fake, user, "Bastano pochi passaggi")
    assert bridge.alive()


# ---- Rasa down or slow: the user gets an apology and the bridge keeps going
@pytest.fixture
def lonely_bridge(tmp_path, request):
    """A bridge with a fake Bot API of its own, and Rasa down or slow (``request.param``)."""
    api = FakeBotApi().start()
    slow_rasa = LoopbackServer(
        Starlette(routes=[Route("/webhooks/rest/webhook", too_late, methods=["POST"])])
    ).start()
    if request.param == "down":
        rasa_url, env = f"http://127.0.0.1:{free_port()}", {}
    else:
        rasa_url, env = f"http://127.0.0.1:{slow_rasa.port}", {"RASA_TIMEOUT": "1"}
    database = f"sqlite:///{tmp_path / 'db.sqlite'}"
    process = BridgeProcess(api, rasa_url, database, tmp_path / "bridge.log", env)
    try:
        yield api, process.start()
    finally:
        process.stop()
        slow_rasa.stop()
        api.stop()


async def too_late(_request):
    """A Rasa that answers after the bridge stopped waiting."""
    await asyncio.sleep(5)
    return JSONResponse([{"text": "troppo tardi"}])


@pytest.mark.parametrize("lonely_bridge", ["down", "slow"], indirect=True)
def test_without_rasa_the_user_gets_an_apology(lonely_bridge, user):
    api, process = lonely_bridge
    api.message(user, "ciao")
    answer(api, user, APOLOGY, timeout=20)
    api.message(user, "ci sei?")
    answer(api, user, APOLOGY, since=1, timeout=20)
    assert process.alive()
    assert "ci sei" not in process.log()


# ---- webhook mode
def test_the_webhook_refuses_a_wrong_secret_token(fake, stack, tmp_path, user):
    api = FakeBotApi().start()
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/aggiornamenti"
    process = BridgeProcess(
        api,
        stack.rasa_url,
        stack.database_url,
        tmp_path / "bridge.log",
        extra_env={
            "TELEGRAM_WEBHOOK_URL": url,
            "TELEGRAM_WEBHOOK_PORT": str(port),
            "TELEGRAM_WEBHOOK_SECRET": "segreto-del-webhook",
        },
    )
    try:
        process.start(ready="webhook")
        registered = api.calls_to("setWebhook")[0].params
        assert registered["url"] == url and registered["secret_token"] == "segreto-del-webhook"
        update = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": user, "type": "private"},
                "from": {"id": user, "is_bot": False, "first_name": "Anna"},
                "text": "come faccio a registrarmi?",
            },
        }
        header = "X-Telegram-Bot-Api-Secret-Token"
        for headers in ({}, {header: "indovinato"}, {header: "segreto-del-webhoo"}):
            assert httpx.post(url, json=update, headers=headers).status_code == 403
        ok = httpx.post(url, json=update, headers={header: "segreto-del-webhook"})
        assert ok.status_code == 200
        answer(api, user, "Bastano pochi passaggi")
        assert len(api.calls_to("sendMessage", user)) == 1  # only the genuine update
    finally:
        process.stop()
        api.stop()


def fake_message(call) -> dict:
    """The message the fake returned for a sendMessage call (what Telegram would keep)."""
    return {
        "message_id": 10_000,
        "date": 0,
        "chat": {"id": int(call.params["chat_id"]), "type": "private"},
        "from": {"id": 7000001, "is_bot": True, "first_name": "Sportello"},
        "text": call.params["text"],
        "reply_markup": call.params.get("reply_markup"),
    }


# ---- rate limit per chat
def test_a_flooding_chat_is_told_once_and_the_rest_is_dropped(stack, tmp_path, user):
    """Over RATE_LIMIT_TELEGRAM_CHAT the bridge says so once (a reply to each message of a
    flood would be a flood of its own) and relays nothing more; other chats go on."""
    api = FakeBotApi().start()
    env = {"RATE_LIMIT_TELEGRAM_CHAT": "3/minute", "REDIS_URL": REDIS_URL}
    process = BridgeProcess(api, stack.rasa_url, stack.database_url, tmp_path / "b.log", env)
    try:
        process.start()
        for _ in range(7):
            api.message(user, "che browser devo usare?")
        answer(api, user, "troppi messaggi")
        other = user + 5_000_000
        api.message(other, "che browser devo usare?")
        answer(api, other, "Chrome o Firefox")
        texts = [call.params["text"] for call in api.calls_to("sendMessage", user)]
        assert sum("troppi messaggi" in text for text in texts) == 1
        assert sum("Chrome o Firefox" in text for text in texts) == 3
        assert process.alive()
    finally:
        process.stop()
        api.stop()


def test_a_flood_of_documents_is_refused_before_anything_is_stored(stack, tmp_path, uow, user):
    api = FakeBotApi().start()
    env = {"RATE_LIMIT_TELEGRAM_CHAT": "2/minute"}
    process = BridgeProcess(api, stack.rasa_url, stack.database_url, tmp_path / "b.log", env)
    with uow() as work:
        stored = len(work.documents.find())
    try:
        process.start()
        for number in range(4):
            api.upload(user, PDF, f"carta-{number}.pdf", "application/pdf")
        answer(api, user, "troppi messaggi")
        api.message(user + 5_000_000, "che browser devo usare?")  # after the 4 documents
        answer(api, user + 5_000_000, "Chrome o Firefox")

        def documents() -> int:
            with uow() as work:
                return len(work.documents.find())

        api.wait_for(lambda: documents() == stored + 2, 30)
        texts = [call.params["text"] for call in api.calls_to("sendMessage", user)]
        assert sum("troppi messaggi" in text for text in texts) == 1
    finally:
        process.stop()
        api.stop()
