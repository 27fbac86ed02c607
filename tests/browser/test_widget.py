"""The chat widget as a person uses it: Chromium, the demo portal page, the real bot."""

import json
import re
import uuid

import pytest

from backend.settings import Settings
from bot.channels.rate_limits import too_fast
from tests.support.customers import Identity, new_identity
from tests.support.widget import Widget, portal_token

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
MASK = "••••••"


def test_faq_question_and_quick_reply(open_widget, stack):
    widget = open_widget()
    welcome = widget.page.locator(".sw-bot").first
    for topic in ("registrazione", "delega", "servizi online"):  # what it can do
        assert topic in welcome.inner_text()
    assert welcome.locator(".sw-choice").count() >= 3  # the main things it can do
    widget.screenshot("welcome")
    answer = widget.say("come faccio a registrarmi?")
    assert "Vuoi che ti registri io" in answer
    # The FAQ's «qui» is REGISTRATION_URL, shown as a link that opens apart from the portal.
    link = widget.page.locator(".sw-bot .sw-bubble a").last
    assert link.get_attribute("href") == Settings().registration_url
    assert (link.get_attribute("target"), link.get_attribute("rel")) == (
        "_blank",
        "noopener noreferrer",
    )
    last = widget.page.locator(".sw-msg").last
    assert re.fullmatch(r"\d\d:\d\d", last.locator("time").inner_text())
    answer = widget.press("Quali dati servono?")
    user_bubbles = widget.page.locator(".sw-user .sw-bubble").all_inner_texts()
    assert user_bubbles[-1] == "Quali dati servono?"  # the title is shown, the payload sent
    assert "/faq_dati_registrazione" not in widget.page.content()
    assert stack.user_events(widget.sender())[-1]["text"] == "/faq_dati_registrazione"
    assert answer
    # Quick replies of earlier messages are retired once answered.
    assert widget.page.locator(".sw-bot").first.locator(".sw-choice:enabled").count() == 0


def test_markup_stays_text(open_widget):
    widget = open_widget()
    widget.say("<img src=x onerror=alert(1)> <b>ciao</b>")
    assert widget.page.locator(".sw img, .sw b").count() == 0
    assert "<b>ciao</b>" in widget.page.locator(".sw-user .sw-bubble").last.inner_text()


def register_through_the_widget(widget: Widget) -> Identity:
    person = new_identity("widget")
    assert "Vuoi che ti registri io" in widget.say("come faccio a registrarmi?")
    widget.press("Registrami qui in chat")
    widget.say("sono un privato")
    widget.say("mi chiamo Anna Maria De Santis")
    widget.say(f"il mio cf è {person.fiscal_code}")
    widget.say(person.email)
    assert "termina con" in widget.say(person.mobile)
    return person


def type_secret(widget: Widget, secret: str) -> str:
    """The input is a password field with a label saying so; the secret is never shown."""
    assert widget.input.get_attribute("type") == "password"
    label = widget.page.locator("label[for=sw-input]")
    assert label.is_visible() and "nascosto" in label.inner_text()
    answer = widget.say(secret)
    assert widget.page.locator(".sw-user .sw-bubble").last.inner_text() == MASK
    return answer


def test_registration_to_the_end_with_masked_secrets(open_widget, stack, code_for):
    widget = open_widget()
    person = register_through_the_widget(widget)
    password = f"Widget#{uuid.uuid4().hex[:6]}9"
    sms_code = code_for(person.mobile)
    type_secret(widget, sms_code)
    email_code = code_for(person.email)
    assert "clausole legali" in type_secret(widget, email_code)
    assert widget.input.get_attribute("type") == "text"  # back to normal after a secret
    widget.say("accetto")
    widget.input.fill(password)
    widget.screenshot("secret")
    assert "Registrazione completata" in type_secret(widget, password)
    assert widget.input.get_attribute("type") == "text"
    widget.screenshot("registered")
    page_text = widget.page.content() + json.dumps(widget.stored())
    for secret in (password, sms_code, email_code):
        assert secret not in page_text
    widget.page.reload()
    Widget(widget.page, stack.web_url).ready()
    assert password not in widget.page.content()


def test_a_finished_task_is_rated_with_a_thumb_shown_as_the_customer_s_message(open_widget, stack):
    widget = open_widget()
    widget.say("vorrei essere ricontattato")
    widget.say("non riesco ad accedere")
    widget.say("Carla Neri")
    widget.say("06 6666 7777")
    assert "Posso aiutarti in altro?" in widget.say("domani mattina")
    thumbs = widget.page.locator(".sw-choice.sw-vote:enabled")
    assert thumbs.all_inner_texts() == ["👍", "👎"]
    assert [t.get_attribute("aria-label") for t in thumbs.all()] == [
        "Valutazione positiva",
        "Valutazione negativa",
    ]
    for box in (thumbs.nth(n).bounding_box() for n in range(2)):
        assert box["width"] >= 44 and box["height"] >= 44  # a finger's target
    widget.screenshot("rating")
    answer = widget.press("👍")
    assert "Grazie per la tua valutazione" in answer
    assert widget.page.locator(".sw-user .sw-bubble").last.inner_text() == "👍"
    assert "/valuta" not in widget.page.content()
    with stack.unit_of_work() as work:
        [rating] = work.ratings.find(sender_id=widget.sender())
    assert (rating.channel, rating.score) == ("web", 1)


def test_a_secret_typed_unasked_is_never_kept_in_local_storage(open_widget, stack):
    widget = open_widget()
    widget.say("voglio accedere")
    widget.say("nessuno.mai@example.it")
    for attempt in range(1, 4):
        answer = type_secret(widget, f"Tentativo#{attempt}x")
    assert "Non riesco a completare l'operazione qui in chat" in answer
    once_more, introduced = "Ultimo.Tentativo4", "Sole#2024"
    widget.say(once_more)  # not asked for: the flow gave up a moment ago
    widget.say(f"la mia password è {introduced} ma il sito non me la accetta")
    widget.say("grazie")
    bubbles = widget.page.locator(".sw-user .sw-bubble").all_inner_texts()
    assert bubbles[-3:-1] == [
        once_more,
        f"la mia password è {introduced} ma il sito non me la accetta",
    ]
    stored = json.dumps(widget.stored(), ensure_ascii=False)
    assert once_more not in stored and introduced not in stored
    assert "grazie" in stored
    widget.page.reload()
    Widget(widget.page, stack.web_url).ready()
    assert introduced not in widget.page.content() and once_more not in widget.page.content()
    for secret in (once_more, introduced):
        assert not stack.tracker_holds(secret)


def test_identity_document_upload(open_widget, stack):
    widget = open_widget()
    before = widget.bots()
    with widget.page.expect_file_chooser() as chooser:
        widget.page.get_by_role("button", name="Allega un documento").click()
    chooser.value.set_files(
        files=[{"name": "carta.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    widget.wait_answer(before)
    assert widget.page.locator(".sw-user .sw-bubble").last.inner_text() == (
        "Documento allegato: carta.pdf"
    )
    last_user = stack.user_events(widget.sender())[-1]
    assert last_user["text"] == "Documento allegato: carta.pdf"
    reference = last_user["metadata"]["documento"]
    assert re.fullmatch(r"\d+\.[A-Za-z0-9_-]{40,}", reference)
    assert last_user["metadata"]["canale"] == "web"
    assert PDF.decode() not in json.dumps(last_user)  # the bot gets a reference, not bytes

    with widget.page.expect_file_chooser() as chooser:
        widget.page.locator(".sw-attach").click()
    chooser.value.set_files(
        files=[{"name": "appunti.txt", "mimeType": "text/plain", "buffer": b"solo testo"}]
    )
    note = widget.page.locator(".sw-note .sw-bubble").last
    note.wait_for()
    assert note.inner_text() == "Il documento deve essere un file PDF, JPEG o PNG."
    assert stack.user_events(widget.sender())[-1]["text"] == "Documento allegato: carta.pdf"
    widget.screenshot("upload")


def test_the_conversation_survives_a_reload(open_widget, stack):
    widget = open_widget()
    widget.say("che browser devo usare?")
    widget.say("grazie")
    shown = widget.page.locator(".sw-msg").all_inner_texts()
    sender = widget.sender()
    widget.page.reload()
    Widget(widget.page, stack.web_url).ready()
    assert widget.page.locator(".sw-msg").all_inner_texts() == shown
    assert widget.sender() == sender
    answer = widget.say("come faccio a registrarmi?")  # same conversation goes on
    assert "Vuoi che ti registri io" in answer
    assert len(stack.user_events(sender)) == 4  # /greet and three questions


def test_messages_typed_offline_are_sent_once_when_back(open_widget, stack):
    widget = open_widget()
    context = widget.page.context
    before = widget.bots()
    context.set_offline(True)
    for text in ("che browser devo usare?", "cos'è il pod?"):
        widget.input.fill(text)
        widget.input.press("Enter")
    status = widget.page.locator(".sw-status")
    status.wait_for()
    assert "Connessione assente" in status.inner_text()
    widget.screenshot("offline")
    context.set_offline(False)
    widget.page.wait_for_function(
        "(n) => document.querySelectorAll('.sw-bot').length >= n + 2", arg=before
    )
    widget.wait_answer(before + 1)
    texts = [event["text"] for event in stack.user_events(widget.sender())]
    assert texts.count("che browser devo usare?") == 1 and texts.count("cos'è il pod?") == 1
    assert texts[-2:] == ["che browser devo usare?", "cos'è il pod?"]  # in order
    assert status.inner_text() == ""


def test_an_answer_lost_on_the_way_back_does_not_send_the_message_twice(open_widget, stack):
    widget = open_widget()
    lost = []

    def lose_the_first_answer(route):
        if lost:
            route.continue_()
        else:
            lost.append(route.fetch())  # the message reaches the bot…
            route.abort("connectionreset")  # …but its answer never reaches the page

    widget.page.route("**/api/chat", lose_the_first_answer)
    assert "Chrome o Firefox" in widget.say("che browser devo usare?")
    assert lost
    texts = [event["text"] for event in stack.user_events(widget.sender())]
    assert texts.count("che browser devo usare?") == 1


def test_typing_indicator_while_the_bot_answers(open_widget):
    widget = open_widget()
    held = []
    widget.page.route("**/api/chat", lambda route: held.append(route))
    widget.input.fill("grazie")
    widget.input.press("Enter")
    typing = widget.page.locator(".sw-typing")
    typing.wait_for(state="visible")
    assert "sta scrivendo" in typing.inner_text()
    while not held:
        widget.page.wait_for_timeout(50)
    held[0].continue_()
    widget.page.unroute("**/api/chat")
    typing.wait_for(state="hidden")


def test_a_360_pixel_phone_has_no_horizontal_scroll(open_widget):
    widget = open_widget(width=360, height=740)
    widget.say("come faccio a registrarmi?")
    widget.say("https://www.esempio-di-un-indirizzo-molto-lungo.it/" + "x" * 80)
    widths = widget.page.evaluate(
        """() => ({page: document.documentElement.scrollWidth, view: window.innerWidth,
                   panel: document.querySelector('.sw-panel').getBoundingClientRect().width,
                   log: document.querySelector('.sw-log').scrollWidth,
                   logBox: document.querySelector('.sw-log').clientWidth})"""
    )
    assert widths["page"] <= widths["view"] == 360
    assert widths["panel"] <= 360 and widths["log"] <= widths["logBox"]
    send = widget.page.get_by_role("button", name="Invia").bounding_box()
    assert send["x"] + send["width"] <= 360
    widget.screenshot("phone-360")


def test_keyboard_only(open_widget):
    widget = open_widget()
    page = widget.page
    focused = "() => document.activeElement.id || document.activeElement.className"
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "sw-close"
    page.keyboard.press("Enter")  # closes; focus goes back to the launcher
    assert page.locator(".sw-panel").is_hidden()
    assert page.evaluate(focused) == "sw-launcher"
    assert page.locator(".sw-launcher").get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")  # opens; focus goes to the input
    assert page.evaluate(focused) == "sw-input"
    before = widget.bots()
    page.keyboard.type("come faccio a registrarmi?")
    page.keyboard.press("Enter")
    widget.wait_answer(before)
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(focused) == "sw-attach"
    page.keyboard.press("Shift+Tab")  # the last quick reply of the last answer
    title = page.evaluate("() => document.activeElement.textContent")
    before = widget.bots()
    page.keyboard.press("Enter")
    widget.wait_answer(before)
    assert page.locator(".sw-user .sw-bubble").last.inner_text() == title
    assert page.evaluate(focused) == "sw-input"
    page.keyboard.press("Escape")
    assert page.locator(".sw-panel").is_hidden()
    log = page.locator(".sw-log")
    assert log.get_attribute("aria-live") == "polite" and log.get_attribute("role") == "log"


def embedding_page(stack, token: str) -> str:
    return (
        "<!doctype html><html lang='it'><head><title>Portale</title></head><body>"
        "<h1>Area riservata</h1>"
        f"<script src='{stack.web_url}/static/widget.js' data-server='{stack.web_url}' "
        f"data-title='Assistente' data-open='true' data-token='{token}'></script>"
        "</body></html>"
    )


@pytest.mark.parametrize("valid", [True, False], ids=["valid token", "forged token"])
def test_portal_login_hand_off_on_another_site(new_page, stack, other_site, customer, valid):
    page = new_page()
    token = portal_token(customer.email) if valid else portal_token(customer.email, "x" * 64)
    other_site.page = embedding_page(stack, token)
    page.goto(f"{other_site.url}/area-riservata")
    widget = Widget(page, stack.web_url).ready()
    widget.wait_answer(0)
    assert page.locator(".sw-head h2").inner_text() == "Assistente"
    answer = widget.say("esci")
    if valid:
        assert "Ti ho disconnesso" in answer
    else:
        assert "Non hai effettuato l'accesso" in answer


def test_too_fast_the_widget_shows_why_and_sends_when_the_wait_is_over(open_widget, stack):
    widget = open_widget()
    refused = []

    def too_fast_once(route):
        if refused:
            route.continue_()
        else:
            refused.append(route.request.post_data)
            route.fulfill(
                status=429,
                headers={"Retry-After": "1", "Content-Type": "application/json"},
                body=json.dumps({"errore": too_fast(1)}),
            )

    widget.page.route("**/api/chat", too_fast_once)
    before = widget.bots()
    widget.input.fill("che browser devo usare?")
    widget.input.press("Enter")
    status = widget.page.locator(".sw-status")
    widget.page.wait_for_function(
        "() => document.querySelector('.sw-status').textContent.includes('troppi messaggi')"
    )
    assert "riprova tra 1 secondi" in status.inner_text()
    assert "Chrome o Firefox" in widget.wait_answer(before)
    assert status.inner_text() == ""
    texts = [event["text"] for event in stack.user_events(widget.sender())]
    assert texts.count("che browser devo usare?") == 1


def test_the_credential_is_out_of_the_page_s_reach_in_the_cookie(open_widget, stack):
    widget = open_widget()
    widget.say("che browser devo usare?")
    assert "sportello_conversazione" not in widget.page.evaluate("document.cookie")  # HttpOnly
    (cookie,) = [c for c in widget.page.context.cookies() if c["name"] == "sportello_conversazione"]
    assert cookie["httpOnly"] and cookie["path"] == "/api"
    assert widget.sender().startswith("web-")
