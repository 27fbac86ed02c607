"""Satisfaction over the web app with the real servers: a finished task offers 👍 / 👎, the
vote and the comment land in the database (masked), a question at the comment is answered
and not stored, and old buttons or a vote without an offer record nothing."""

import pytest

from actions.contract import RATING_PROMPT, rating_buttons
from tests.support.chat import said

pytestmark = pytest.mark.e2e

THUMBS_UP, THUMBS_DOWN = (button["payload"] for button in rating_buttons())
COMMENT_QUESTION = "Vuoi aggiungere un commento?"


def ratings_of(uow, sender: str) -> list:
    with uow() as work:
        return work.ratings.find(sender_id=sender)


def finish_a_callback(chat) -> list[dict]:
    chat("vorrei essere ricontattato")
    chat("non riesco ad accedere")
    chat("Carla Neri")
    chat("06 2222 3333")
    return chat("domani mattina")


def test_a_finished_task_offers_a_rating_before_what_comes_next(chat, uow):
    replies = finish_a_callback(chat)
    texts = [reply.get("text") for reply in replies]
    assert texts[-2:] == [RATING_PROMPT, "Posso aiutarti in altro?"]
    assert replies[-2]["buttons"] == rating_buttons()
    assert 2 <= len(replies[-1]["buttons"]) <= 3
    assert ratings_of(uow, chat.sender) == []  # offered, not yet given


def test_a_vote_and_its_comment_are_stored_and_a_question_is_answered_instead(chat, uow):
    finish_a_callback(chat)
    replies = chat(THUMBS_DOWN)
    assert "Grazie per la tua valutazione" in said(replies)
    assert replies[-1]["text"].startswith(COMMENT_QUESTION)
    assert [b["title"] for b in replies[-1]["buttons"]] == ["No, grazie"]
    [rating] = ratings_of(uow, chat.sender)
    assert (rating.subject, rating.channel, rating.score, rating.comment) == (
        "assistente",
        "web",
        -1,
        None,
    )
    reply = said(chat("come faccio a revocare una delega?"))
    assert "revoca" in reply.lower() and COMMENT_QUESTION in reply  # answered, then asked again
    assert ratings_of(uow, chat.sender)[0].comment is None
    reply = said(chat("troppi passaggi, scrivetemi pure a carla.neri@example.it"))
    assert "ho registrato il tuo commento" in reply
    [rating] = ratings_of(uow, chat.sender)
    assert rating.comment == "troppi passaggi, scrivetemi pure a c****i@e****.it"
    reply = said(chat(THUMBS_UP))  # the old button, after the offer closed
    assert "non c'è nulla da valutare" in reply
    assert [(r.score, r.comment is not None) for r in ratings_of(uow, chat.sender)] == [(-1, True)]


def test_the_other_button_changes_the_vote_and_no_thanks_ends(chat, uow):
    finish_a_callback(chat)
    chat(THUMBS_UP)
    assert "Ho aggiornato la tua valutazione" in said(chat(THUMBS_DOWN))
    assert "Va bene, grazie ancora" in said(chat("No, grazie"))
    [rating] = ratings_of(uow, chat.sender)
    assert (rating.score, rating.comment) == (-1, None)
    assert "Per quale motivo" in said(chat("vorrei essere ricontattato"))  # the chat goes on


def test_a_vote_without_an_offer_records_nothing(chat, uow):
    assert "non c'è nulla da valutare" in said(chat(THUMBS_UP))
    assert "non c'è nulla da valutare" in said(chat("pollice su"))
    assert ratings_of(uow, chat.sender) == []
    assert "Per quale motivo" in said(chat("vorrei essere ricontattato"))
