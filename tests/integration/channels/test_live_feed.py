"""GET /api/chat/diretta over real HTTP: the web app on loopback, PostgreSQL, Redis; two
replicas sharing them for the fan-out of wake-ups."""

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from backend import bootstrap, db, live_chats
from backend.settings import Settings
from bot.channels.web.app import make_app
from bot.channels.web.identity import HEADER
from bot.channels.web.live_feed import LiveNotifier
from tests.support.live import Operator, web_conversation
from tests.support.loopback import LoopbackServer, free_port
from tests.support.services import POSTGRES_URL, REDIS_URL, in_schema, postgres_schema
from tests.support.settings import fast_settings

FEED = "/api/chat/diretta"


@pytest.fixture(scope="module")
def database_url():
    with postgres_schema("live_feed") as schema:
        url = in_schema(POSTGRES_URL, schema)
        engine = db.make_engine(url)
        db.upgrade(engine)
        engine.dispose()
        yield url


def app_settings(database_url: str, **values) -> Settings:
    defaults = dict(
        database_url=database_url,
        redis_url=REDIS_URL,
        secret_key="segreto-di-prova-" + "x" * 32,
        live_feed_wait_seconds=1.5,
        live_feed_recheck_seconds=10,  # a wake-up in these tests comes from a publish
    )
    return Settings(**(defaults | values))


class Replica:
    """One web app on loopback, and what a test does with it."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.notifier = LiveNotifier(settings.redis_url)
        self.app = make_app(settings, notifier=self.notifier)
        self.server = LoopbackServer(self.app).start()

    def publish(self, sender: str) -> None:
        """The console's notify, in the app's own event loop."""
        running = asyncio.run_coroutine_threadsafe(self.notifier.publish(sender), self.server.loop)
        running.result(5)

    def poll(self, token: str | None, after: int | str = 0, timeout: float = 30) -> httpx.Response:
        headers = {HEADER: token} if token else {}
        url = f"{self.server.url}{FEED}"
        return httpx.get(url, params={"dopo": after}, headers=headers, timeout=timeout)


@pytest.fixture(scope="module")
def replica(database_url):
    web = Replica(app_settings(database_url))
    yield web
    web.server.stop()


@pytest.fixture
def uow(database_url):
    return lambda: bootstrap.unit_of_work(fast_settings(database_url=database_url))


@pytest.fixture
def operator(uow):
    return Operator(uow)


@pytest.fixture
def conversation(replica):
    return web_conversation(replica.settings)


def test_messages_after_the_number_given_come_at_once(replica, operator, conversation):
    credential, token = conversation
    chat = operator.take(credential.sender)
    said = operator.says(chat, "Buongiorno, sono qui per aiutarla.")
    started = time.perf_counter()
    response = replica.poll(token)
    assert time.perf_counter() - started < 1
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-accel-buffering"] == "no"
    body = response.json()
    assert body["stato"] == "attiva"
    greeting, answer = body["messaggi"]
    assert greeting["operatore"] is None and "di Help OnLine" in greeting["testo"]
    assert answer == {
        "id": said,
        "testo": "Buongiorno, sono qui per aiutarla.",
        "operatore": "Anna",
        "pulsanti": [],
    }
    # What the widget already showed is never sent again.
    again = replica.poll(token, after=said)
    assert again.json() == {"stato": "attiva", "messaggi": []}


def test_a_waiting_poll_is_woken_by_publish(database_url, operator):
    web = Replica(app_settings(database_url, live_feed_wait_seconds=20))
    try:
        credential, token = web_conversation(web.settings)
        chat = operator.take(credential.sender)
        last = replica_last(web, token)
        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(web.poll, token, last)
            wait_for_waiter(web, credential.sender)
            said = operator.says(chat, "Ecco la risposta.")
            published = time.perf_counter()
            web.publish(credential.sender)
            body = waiting.result(10).json()
            woke_after = time.perf_counter() - published
        assert [m["id"] for m in body["messaggi"]] == [said] and body["stato"] == "attiva"
        assert woke_after < 1  # the publish, not the 10 s re-check nor the 20 s wait
        assert web.notifier.waiters == {}  # nothing kept once answered
    finally:
        web.server.stop()


def replica_last(web: Replica, token: str) -> int:
    """The number of the newest message the widget would have shown."""
    return max(m["id"] for m in web.poll(token).json()["messaggi"])


def wait_for_waiter(web: Replica, sender: str, present: bool = True) -> None:
    deadline = time.monotonic() + 5
    while bool(web.notifier.waiters.get(sender)) != present:
        assert time.monotonic() < deadline, "the long poll never started waiting"
        time.sleep(0.02)


def test_nothing_new_answers_empty_at_the_end_of_the_wait(replica, operator, conversation):
    credential, token = conversation
    operator.queue(credential.sender)
    started = time.perf_counter()
    body = replica.poll(token).json()
    waited = time.perf_counter() - started
    assert body == {"stato": "attesa", "messaggi": []}
    assert 1.4 <= waited < 3


def test_a_message_written_without_publish_is_found_by_the_recheck(database_url, operator):
    settings = app_settings(database_url, live_feed_wait_seconds=20, live_feed_recheck_seconds=0.5)
    web = Replica(settings)
    try:
        credential, token = web_conversation(web.settings)
        chat = operator.take(credential.sender)
        last = replica_last(web, token)
        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(web.poll, token, last)
            wait_for_waiter(web, credential.sender)
            operator.says(chat, "Scritto da un altro processo.")  # nobody publishes
            body = waiting.result(5).json()
        assert [m["testo"] for m in body["messaggi"]] == ["Scritto da un altro processo."]
    finally:
        web.server.stop()


def test_without_a_live_chat_the_answer_is_nessuna_at_once(replica, conversation):
    _, token = conversation
    started = time.perf_counter()
    assert replica.poll(token).json() == {"stato": "nessuna", "messaggi": []}
    assert time.perf_counter() - started < 1


def test_the_chat_given_back_sends_its_last_message_then_nessuna(
    replica, operator, uow, conversation
):
    credential, token = conversation
    chat = operator.take(credential.sender)
    last = replica_last(replica, token)
    live_chats.give_back(uow(), chat, operator.id)
    body = replica.poll(token, after=last).json()
    assert body["stato"] == "nessuna"
    assert "restituito la conversazione" in body["messaggi"][0]["testo"]


def test_another_conversation_s_messages_are_never_visible(replica, operator, conversation):
    credential, _ = conversation
    chat = operator.take(credential.sender)
    operator.says(chat, "Solo per il primo cliente.")
    _, other_token = web_conversation(replica.settings)
    assert replica.poll(other_token).json() == {"stato": "nessuna", "messaggi": []}


def test_no_credential_or_one_not_issued_here_is_401(replica, operator, conversation):
    credential, _ = conversation
    operator.says(operator.take(credential.sender), "Riservato.")
    forged = web_conversation(Settings(secret_key="un-altra-chiave-" + "y" * 32))[1]
    for token in (None, "non-un-token", forged):
        response = replica.poll(token)
        assert response.status_code == 401
        assert "Conversazione non riconosciuta" in response.json()["errore"]
        assert "Riservato" not in response.text
        assert HEADER not in response.headers  # no conversation is opened here


@pytest.mark.parametrize("after", ["-1", "abc", "1.5", "1e3", "9" * 19, "١٢"])
def test_a_bad_dopo_is_400_in_italian(replica, conversation, after):
    _, token = conversation
    response = replica.poll(token, after=after)
    assert response.status_code == 400
    assert "numero intero" in response.json()["errore"]


def test_a_client_asking_in_a_loop_is_limited(database_url, conversation):
    web = Replica(app_settings(database_url, rate_limit_live_conversation="3/minute"))
    try:
        _, token = web_conversation(web.settings)
        statuses = [web.poll(token).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
    finally:
        web.server.stop()


def test_a_client_going_away_ends_its_wait(database_url, operator):
    web = Replica(app_settings(database_url, live_feed_wait_seconds=20))
    try:
        credential, token = web_conversation(web.settings)
        operator.queue(credential.sender)
        with pytest.raises(httpx.ReadTimeout):
            web.poll(token, timeout=0.5)
        wait_for_waiter(web, credential.sender, present=False)
    finally:
        web.server.stop()


def test_a_publish_on_one_replica_wakes_the_poll_on_another(database_url, operator):
    """Two web apps on loopback sharing PostgreSQL and Redis: the console writes on one, the
    customer's widget waits on the other."""
    settings = app_settings(database_url, live_feed_wait_seconds=20)
    first, second = Replica(settings), Replica(settings)
    try:
        credential, token = web_conversation(settings)
        chat = operator.take(credential.sender)
        last = replica_last(second, token)
        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(second.poll, token, last)
            wait_for_waiter(second, credential.sender)
            said = operator.says(chat, "Dall'altra replica.")
            published = time.perf_counter()
            first.publish(credential.sender)
            body = waiting.result(10).json()
            woke_after = time.perf_counter() - published
        assert [m["id"] for m in body["messaggi"]] == [said]
        assert woke_after < 1  # through Redis: the re-check is 10 s away
    finally:
        first.server.stop()
        second.server.stop()


def test_a_publish_without_redis_still_wakes_this_replica(database_url, operator):
    web = Replica(app_settings(database_url, redis_url="", live_feed_wait_seconds=20))
    try:
        credential, token = web_conversation(web.settings)
        chat = operator.take(credential.sender)
        last = replica_last(web, token)
        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(web.poll, token, last)
            wait_for_waiter(web, credential.sender)
            operator.says(chat, "Senza Redis.")
            web.publish(credential.sender)
            body = waiting.result(5).json()
        assert [m["testo"] for m in body["messaggi"]] == ["Senza Redis."]
    finally:
        web.server.stop()


def test_the_database_out_of_reach_is_503_in_italian():
    unreachable = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nessuno"
    web = Replica(app_settings(unreachable))
    try:
        _, token = web_conversation(web.settings)
        response = web.poll(token)
        assert response.status_code == 503
        assert "non è raggiungibile" in response.json()["errore"]
    finally:
        web.server.stop()
