"""The console's writes to Rasa's HTTP API, against a loopback server that plays Rasa."""

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from console.rasa_conversation import RasaConversation, RasaUnavailable, taken
from tests.support.loopback import LoopbackServer, free_port


@pytest.fixture(scope="module")
def rasa():
    """Records every request; refuses a wrong token as Rasa's ``--auth-token`` does."""
    received = []

    async def events(request: Request):
        if request.query_params.get("token") not in (None, "segreto"):
            return JSONResponse({"message": "unauthorized"}, status_code=401)
        received.append((request.url.path, dict(request.query_params), await request.json()))
        return JSONResponse({})

    app = Starlette(
        routes=[Route("/conversations/{sender}/tracker/events", events, methods=["POST"])]
    )
    server = LoopbackServer(app).start()
    server.received = received
    yield server
    server.stop()


def test_events_are_appended_without_rasa_sending_the_tracker_back(rasa):
    RasaConversation(rasa.url + "/").append("web-a b", taken("Ciao, sono Anna.", "anna"))
    path, params, body = rasa.received[-1]
    assert path == "/conversations/web-a b/tracker/events"
    assert params == {"include_events": "NONE"}
    assert body[0] == {"event": "pause"}
    assert body[1] == {
        "event": "bot",
        "text": "Ciao, sono Anna.",
        "metadata": {"operatore": "anna"},
    }


def test_the_api_token_goes_with_every_request(rasa):
    RasaConversation(rasa.url, token="segreto").append("web-a", [{"event": "resume"}])
    assert rasa.received[-1][1] == {"include_events": "NONE", "token": "segreto"}
    with pytest.raises(RasaUnavailable):
        RasaConversation(rasa.url, token="sbagliato").append("web-a", [{"event": "resume"}])


def test_an_unreachable_rasa_is_reported_as_such():
    with pytest.raises(RasaUnavailable):
        RasaConversation(f"http://127.0.0.1:{free_port()}", timeout=2).append("web-a", [])
