"""The web app on port 8000 serves the portal page and the chat's assets."""

from starlette.testclient import TestClient

from bot.web import app

client = TestClient(app)


def test_portal_page_hosts_the_chat():
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="it">' in page.text
    assert 'src="/static/chat.js"' in page.text and 'data-rasa-port="5005"' in page.text


def test_chat_assets_are_served():
    script = client.get("/static/chat.js")
    assert script.status_code == 200 and "webhooks/rest/webhook" in script.text
    assert client.get("/static/chat.css").status_code == 200


def test_chat_never_renders_messages_as_html():
    assert "innerHTML" not in client.get("/static/chat.js").text


def test_unknown_paths_are_not_found():
    assert client.get("/static/../web.py").status_code == 404
    assert client.get("/admin").status_code == 404
