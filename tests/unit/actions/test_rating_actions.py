"""Satisfaction in the chat: a vote needs an offer, one vote per offer, the optional comment
(masked), and a question at the comment left to the rules."""

from rasa_sdk.events import SlotSet

from actions.ratings import ActionRate, ValidateRatingForm
from backend.entities import LiveChat, LiveChatState
from tests.unit.actions.conftest import tracker

FORM = "valutazione_form"
OFFERED = {"valutazione_offerta": "assistente"}
THUMBS_UP = '/valuta{"voto":"positivo"}'
THUMBS_DOWN = '/valuta{"voto":"negativo"}'
ENDED = [
    SlotSet("valutazione_commento", None),
    SlotSet("valutazione_id", None),
    SlotSet("valutazione_offerta", None),
    SlotSet("tentativi", 0),
    SlotSet("requested_slot", None),
]


def voted(payload: str = THUMBS_UP, slots=None, form=None):
    """The tracker after a 👍 / 👎 button (the payload's entity) or a typed rating."""
    entities = []
    if payload.startswith("/valuta"):
        value = "positivo" if "positivo" in payload else "negativo"
        entities = [{"entity": "voto", "value": value}]
    return tracker(
        payload, slots=slots, intent="valuta", confidence=1.0, entities=entities, form=form
    )


def commenting(text: str, rating_id: int, intent: str = "inform", confidence: float = 0.9):
    slots = {**OFFERED, "valutazione_id": rating_id, "requested_slot": "valutazione_commento"}
    return tracker(text, slots=slots, form=FORM, intent=intent, confidence=confidence)


def test_without_an_offer_nothing_is_recorded(run, uow):
    events, messages = run(ActionRate(), voted())
    assert (events, [m["response"] for m in messages]) == ([], ["utter_niente_da_valutare"])
    assert uow.ratings.find() == []
    events, messages = run(ValidateRatingForm(), tracker(slots={}, form=FORM))
    assert (events, messages) == (ENDED, [])  # the form ends at once, silently


def test_a_vote_on_a_completed_task_is_recorded_and_thanked(run, uow, clock):
    events, messages = run(ActionRate(), voted(slots=OFFERED))
    [rating] = uow.ratings.find()
    assert events == [SlotSet("valutazione_id", rating.id)]
    assert [m["response"] for m in messages] == ["utter_valutazione_grazie"]
    assert (rating.sender_id, rating.subject, rating.score) == ("u1", "assistente", 1)
    asking = tracker(slots={**OFFERED, "valutazione_id": rating.id}, form=FORM)
    assert run(ValidateRatingForm(), asking) == ([], [])  # the form asks for the comment


def test_a_typed_rating_reads_its_words(run, uow):
    run(ActionRate(), voted("pollice giù", slots=OFFERED))
    run(ActionRate(), voted("ottimo servizio", slots=OFFERED))
    assert [r.score for r in uow.ratings.find()] == [-1, 1]


def test_a_hand_over_of_another_conversation_is_not_rated(run, uow, clock):
    chat = LiveChat(
        sender_id="web-someone-else",
        channel="web",
        state=LiveChatState.ENDED,
        requested_at=clock(),
        last_customer_at=clock(),
    )
    offer = {"valutazione_offerta": f"operatore:{uow.live_chats.add(chat).id}"}
    events, messages = run(ActionRate(), voted(slots=offer))
    assert events == [SlotSet("valutazione_offerta", None)]
    assert [m["response"] for m in messages] == ["utter_niente_da_valutare"]
    assert uow.ratings.find() == []


def test_the_comment_is_stored_masked_and_closes_the_offer(run, uow):
    run(ActionRate(), voted(THUMBS_DOWN, slots=OFFERED))
    [rating] = uow.ratings.find()
    text = "Non trovavo il POD, scrivetemi a mario.rossi@example.it"
    events, messages = run(ValidateRatingForm(), commenting(text, rating.id))
    assert events == ENDED
    assert [m["response"] for m in messages] == ["utter_commento_registrato"]  # no «Posso…»
    assert rating.comment == "Non trovavo il POD, scrivetemi a m****i@e****.it"
    assert rating.score == -1


def test_no_thanks_ends_without_a_comment(run, uow):
    run(ActionRate(), voted(slots=OFFERED))
    [rating] = uow.ratings.find()
    for text, intent in (("No, grazie", "deny"), ("niente", "deny"), ("no", "deny")):
        events, messages = run(ValidateRatingForm(), commenting(text, rating.id, intent))
        assert events == ENDED
        assert [m["response"] for m in messages] == ["utter_commento_no"]
    assert rating.comment is None


def test_a_question_instead_of_a_comment_is_a_digression(run, uow):
    run(ActionRate(), voted(slots=OFFERED))
    [rating] = uow.ratings.find()
    for text, intent in (
        ("come revoco una delega?", "faq_delega_revocare"),
        ("voglio parlare con un operatore", "human_handoff"),
        ("che tempo fa domani?", "out_of_scope"),
        ("annulla", "annulla"),
    ):
        assert run(ValidateRatingForm(), commenting(text, rating.id, intent)) == ([], [])
    assert rating.comment is None


def test_a_remark_out_of_scope_is_a_comment(run, uow):
    run(ActionRate(), voted(slots=OFFERED))
    [rating] = uow.ratings.find()
    on = commenting("il sito è lentissimo la sera", rating.id, "out_of_scope", 0.95)
    events, _ = run(ValidateRatingForm(), on)
    assert events == ENDED
    assert rating.comment == "il sito è lentissimo la sera"


def test_the_other_button_changes_the_vote_and_the_comment_is_still_asked(run, uow):
    run(ActionRate(), voted(THUMBS_UP, slots=OFFERED))
    [rating] = uow.ratings.find()
    slots = {**OFFERED, "valutazione_id": rating.id, "requested_slot": "valutazione_commento"}
    events, messages = run(ValidateRatingForm(), voted(THUMBS_DOWN, slots=slots, form=FORM))
    assert events == [SlotSet("tentativi", 0), SlotSet("valutazione_id", rating.id)]
    assert [m["response"] for m in messages] == ["utter_valutazione_aggiornata"]
    assert [r.score for r in uow.ratings.find()] == [-1]


def test_an_emoji_is_not_a_comment(run, uow):
    run(ActionRate(), voted(slots=OFFERED))
    [rating] = uow.ratings.find()
    events, messages = run(ValidateRatingForm(), commenting("👍👍", rating.id, "nlu_fallback"))
    assert events == [SlotSet("tentativi", 1)]
    assert "a parole" in messages[0]["text"]
    assert rating.comment is None
