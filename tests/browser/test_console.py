"""The staff console in headless Chromium, on conversations the real bot just had.

A customer asks for a callback through the widget; an operator finds that conversation,
sees it masked, takes the ticket and closes it, and the customer's SMS is in the outbox.
"""

import json
import random
import re
import string
import uuid

import httpx
import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text

from backend import documents
from tests.support.chat import TextChat
from tests.support.customers import Company, add_company
from tests.support.widget import REPORTS, Widget

pytestmark = pytest.mark.browser

PASSWORD = "Console#Prova2026"
AGENT, SUPERVISOR = "agente.rossi", "supervisore.bianchi"


@pytest.fixture(scope="module")
def operators(stack):
    for username, role in ((AGENT, "agent"), (SUPERVISOR, "supervisor")):
        stack.sportello("staff", "add", username, "--role", role, "--password", PASSWORD)


def callback_request(widget: Widget) -> tuple[str, str]:
    """Asks for a callback through the widget; returns (a unique word of the topic, phone)."""
    word = f"Zeta{uuid.uuid4().hex[:6]}"
    phone = f"333{uuid.uuid4().int % 10**7:07d}"
    assert "Per quale motivo vuoi la chiamata" in widget.say("vorrei essere ricontattato")
    assert "nome e cognome" in widget.say(f"informazioni sulla pratica {word}")
    assert "A quale numero" in widget.say("Mario Verdi")
    assert "Quando preferisci" in widget.say(phone)
    assert "ticket" in widget.say("domani mattina")
    return word, phone


def log_in(page: Page, stack, username: str, where: str = "/console/conversazioni") -> None:
    page.goto(stack.web_url + where)
    expect(page).to_have_url(re.compile(r"/console/accesso"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    expect(page).to_have_url(re.compile(re.escape(where)))


def screenshot(page: Page, name: str) -> None:
    REPORTS.mkdir(exist_ok=True)
    page.screenshot(path=str(REPORTS / f"console-{name}.png"), full_page=True)


def open_conversation(page: Page, word: str) -> None:
    page.get_by_label("Cerca nei messaggi").fill(word)
    page.get_by_role("button", name="Filtra").click()
    expect(page.get_by_role("status")).to_contain_text("1 conversazione")
    page.locator("table.list tbody a").click()
    expect(page.locator(".transcript")).to_contain_text(word)


def no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_an_agent_works_a_callback_from_the_chat_to_the_customers_sms(
    open_widget, new_page, stack, operators
):
    word, phone = callback_request(open_widget())
    page = new_page()
    log_in(page, stack, AGENT)
    open_conversation(page, word)
    transcript = page.locator(".transcript")
    expect(transcript).to_contain_text(f"{phone[-2:]}")
    assert phone not in transcript.inner_text()  # masked: only the last two digits
    expect(transcript.locator(".msg.user .intent").first).to_be_visible()
    expect(page.get_by_text("Mostra i dati personali")).to_have_count(0)  # agents cannot
    assert no_horizontal_scroll(page)
    screenshot(page, "trascrizione")

    page.get_by_role("link", name="Richieste").click()
    page.get_by_role("row", name=re.compile(word)).get_by_role("link").click()
    expect(page.locator(".facts")).to_contain_text(phone[-4:])  # agents call the full number
    page.get_by_role("link", name="Apri la conversazione con l'assistente").click()
    expect(page.locator(".transcript")).to_contain_text(word)
    page.go_back()

    page.get_by_role("button", name="Prendi in carico").click()
    expect(page.locator(".facts")).to_contain_text(AGENT)
    page.get_by_label("Nuova nota").fill("Richiamare dopo le 10: in riunione.")
    page.get_by_role("button", name="Aggiungi nota").click()
    expect(page.locator(".notes")).to_contain_text("in riunione")
    page.get_by_label("Contattato").check()
    page.get_by_label("Messaggio per il cliente").fill(f"Abbiamo sbloccato la pratica {word}.")
    page.get_by_role("button", name="Chiudi e avvisa il cliente").click()
    expect(page.get_by_role("status")).to_contain_text("Richiesta chiusa")
    screenshot(page, "richiesta-chiusa")
    [*_, sms] = stack.messages_to(f"+39{phone}")
    assert word in sms.body and sms.channel == "sms"


def request_transfer(chat: TextChat, stack, uow) -> tuple[Company, str]:
    """A new legal representative asks in the chat to move the company's practices."""
    company = add_company(stack.database_url)
    chat("voglio richiedere lo spostamento delle pratiche")
    chat(company.email)
    chat(company.password)
    chat(company.vat)
    chat("tutte")
    chat(
        "modulo compilato", {"documento": documents.store_upload(uow(), b"%PDF-1.7\n" + b"x" * 99)}
    )
    chat("fatto")
    return company, re.search(r"n\. (\d+) inoltrata", chat("sì")).group(1)


def test_a_transfer_approved_in_the_console_reaches_the_customer_in_the_chat(
    new_page, stack, uow, open_chat, operators
):
    chat = open_chat(TextChat)
    company, transfer = request_transfer(chat, stack, uow)
    page = new_page()
    log_in(page, stack, SUPERVISOR, f"/console/richieste/pratica/{transfer}")
    expect(page.locator("h1")).to_contain_text(f"Trasferimento pratiche n. {transfer}")
    page.get_by_role("link", name="Apri la conversazione con l'assistente").click()
    transcript = page.locator(".transcript")
    expect(transcript).to_contain_text("spostamento delle pratiche")
    assert company.vat not in transcript.inner_text()  # the P.IVA typed in the chat
    page.go_back()
    page.get_by_label("Approvata").check()
    page.get_by_label("Messaggio per il cliente").fill("Documenti in regola, grazie.")
    page.get_by_role("button", name="Chiudi e avvisa il cliente").click()
    expect(page.get_by_role("status")).to_contain_text("Richiesta chiusa")
    assert "Documenti in regola" in stack.messages_to(company.email)[-1].body
    assert "Spostamento pratiche completato" in chat("ci sono novità sulla mia richiesta?")


def test_a_supervisor_reveals_personal_data_and_the_access_is_audited(
    open_widget, new_page, stack, operators
):
    word, phone = callback_request(open_widget())
    page = new_page()
    log_in(page, stack, SUPERVISOR)
    open_conversation(page, word)
    assert phone not in page.locator(".transcript").inner_text()
    page.get_by_text("Mostra i dati personali").click()
    page.get_by_label("Motivo").fill(f"Verifica richiesta del cliente {word}")
    page.get_by_role("button", name="Mostra in chiaro").click()
    expect(page.locator(".transcript")).to_contain_text(phone)
    expect(page.get_by_role("status")).to_contain_text("accesso è stato registrato")
    with create_engine(stack.database_url).connect() as db:
        details = db.execute(
            text("SELECT details FROM audit_events WHERE event = 'transcript_revealed'")
        ).scalars()
        assert any(word in str(detail) for detail in details)


def test_a_misunderstood_message_is_marked_and_exported_for_training(
    open_widget, new_page, stack, operators
):
    widget = open_widget()
    # A marker of letters only: a token with digits after «codice» would be taken for a code
    # and redacted (actions/redaction.py), and the search would not find it.
    marker = "".join(random.choices(string.ascii_lowercase, k=10))
    question = f"scusate {marker} dove lo trovo il codice che sta sul contatore"
    widget.say(question)
    page = new_page()
    log_in(page, stack, AGENT)
    open_conversation(page, question)
    message = page.locator(".msg.user", has_text=question)
    message.get_by_text("Non compreso?").click()
    message.get_by_label("Intento corretto").select_option("info_pod")
    message.get_by_role("button", name="Segna").click()
    expect(page.get_by_role("status")).to_contain_text("segnato come non compreso")
    expect(message.locator(".marked")).to_contain_text("info_pod")
    exported = yaml.safe_load(stack.sportello("export-training"))
    examples = {item["intent"]: item["examples"] for item in exported["nlu"]}
    assert question in examples["info_pod"]


def test_exports_and_analytics_are_masked_files_and_charts(open_widget, new_page, stack, operators):
    word, phone = callback_request(open_widget())
    page = new_page(1024, 768)
    log_in(page, stack, AGENT, "/console/analisi")
    expect(page.locator(".chart svg")).to_have_count(2)
    expect(page.locator(".kpis").first).to_contain_text("conversazioni")
    sms = page.get_by_role("region", name="SMS: inviati e rifiutati dal limite di sicurezza")
    expect(sms).to_contain_text("ancora disponibili su 200 all'ora")
    assert no_horizontal_scroll(page)
    screenshot(page, "analisi")
    with page.expect_download() as download:
        page.get_by_role("link", name="Esporta CSV").click()
    assert download.value.path().read_text().startswith("giorno")

    page.goto(f"{stack.web_url}/console/conversazioni?q={word}")
    assert no_horizontal_scroll(page)
    screenshot(page, "conversazioni")
    with page.expect_download() as download:
        page.get_by_role("link", name="JSON").click()
    [conversation] = json.loads(download.value.path().read_text())
    texts = " ".join(m["testo"] for m in conversation["messaggi"])
    assert word in texts and phone not in texts and phone[-2:] in texts


def serious_violations(page: Page) -> list[str]:
    """What axe-core finds on the page that keeps someone from using it."""
    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}×)"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def test_every_console_page_passes_axe(open_widget, new_page, stack, operators):
    word, _phone = callback_request(open_widget())
    page = new_page()
    page.goto(f"{stack.web_url}/console/accesso")
    assert serious_violations(page) == []
    log_in(page, stack, SUPERVISOR)
    open_conversation(page, word)
    page.get_by_text("Mostra i dati personali").click()
    page.locator(".teach summary").first.click()
    assert serious_violations(page) == [], "transcript"
    for path in ("/conversazioni?esito=handed_over", "/richieste", "/analisi"):
        page.goto(f"{stack.web_url}/console{path}")
        assert serious_violations(page) == [], path
    page.goto(f"{stack.web_url}/console/richieste?vista=tutte")
    page.get_by_role("row", name=re.compile(word)).get_by_role("link").click()
    assert serious_violations(page) == [], "ticket"


class Console:
    """The console over plain HTTP, as a script or another site would try to use it."""

    def __init__(self, stack):
        self.url = f"{stack.web_url}/console"
        self.client = httpx.Client(base_url=self.url, follow_redirects=False, timeout=30)

    def log_in(self, username: str, password: str = PASSWORD) -> httpx.Response:
        page = self.client.get("/accesso")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        return self.client.post(
            "/accesso", data={"csrf": token, "username": username, "password": password}
        )

    def csrf(self) -> str:
        page = self.client.get("/richieste")
        return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def test_anonymous_visitors_and_customers_never_reach_the_console(stack, operators, customer):
    console = Console(stack)
    for path in ("/conversazioni", "/richieste", "/analisi", "/conversazioni/esporta"):
        response = console.client.get(path)
        assert response.status_code == 303 and "/console/accesso" in response.headers["location"]
    assert console.client.post("/richieste/richiamata/1/chiudi", data={}).status_code == 401
    refused = console.log_in(customer.email, customer.password)
    assert refused.status_code == 401 and "non corretti" in refused.text
    assert console.client.get("/conversazioni").status_code == 303


def test_posts_without_the_csrf_token_or_from_another_site_are_refused(stack, operators):
    console = Console(stack)
    assert console.log_in(AGENT).status_code == 303
    token = console.csrf()
    note = {"testo": "nota senza token"}
    assert console.client.post("/richieste/richiamata/1/nota", data=note).status_code == 403
    foreign = {"Origin": "http://evil.example"}
    response = console.client.post(
        "/richieste/richiamata/1/nota", data={**note, "csrf": token}, headers=foreign
    )
    assert response.status_code == 403
    assert console.client.post("/esci", data={}).status_code == 403  # still logged in
    assert console.client.get("/conversazioni").status_code == 200


def test_roles_logout_and_login_throttling(stack, operators):
    agent = Console(stack)
    agent.log_in(AGENT)
    reveal = agent.client.post(
        "/conversazioni/1/mostra", data={"csrf": agent.csrf(), "motivo": "x" * 20}
    )
    assert reveal.status_code == 403 and "supervisori" in reveal.text
    assert agent.client.post("/esci", data={"csrf": agent.csrf()}).status_code == 303
    assert agent.client.get("/conversazioni").status_code == 303  # the session is gone

    guesser = Console(stack)
    stack.sportello("staff", "add", "bersaglio", "--role", "agent", "--password", PASSWORD)
    for _ in range(5):
        assert guesser.log_in("bersaglio", "Sbagliata#123").status_code == 401
    locked = guesser.log_in("bersaglio")
    assert locked.status_code == 429 and "Troppi tentativi" in locked.text
    unknown = [guesser.log_in("nessuno", "Sbagliata#123").status_code for _ in range(6)]
    assert unknown == [401] * 5 + [429]  # an unknown username looks just the same
