"""The tracker store reads a bounded window of a conversation but loses no state and no event."""

import asyncio

import sqlalchemy as sa
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker


def turn(text: str) -> list:
    return [
        UserUttered(text, {"name": "greet", "confidence": 1.0}),
        ActionExecuted("utter_greet"),
        BotUttered("Ciao!"),
        ActionExecuted("action_listen"),
    ]


def stored_events(store) -> int:
    with store.engine.connect() as connection:
        return connection.execute(sa.text("SELECT count(*) FROM events")).scalar()


def converse(store, domain, events: list) -> None:
    """Appends events as Rasa does: retrieve (or create), update, save."""

    async def run():
        tracker = await store.retrieve("u1") or DialogueStateTracker("u1", domain.slots)
        for event in events:
            tracker.update(event)
        await store.save(tracker)

    asyncio.run(run())


def user_texts(tracker) -> list[str]:
    return [event.text for event in tracker.events if isinstance(event, UserUttered)]


def retrieve(store):
    return asyncio.run(store.retrieve("u1"))


def test_short_conversation_is_read_whole(store, domain):
    events = [ActionExecuted("action_listen"), *turn("ciao"), *turn("buongiorno")]
    converse(store, domain, events)
    assert len(retrieve(store).events) == len(events)


def test_long_conversation_is_read_as_a_window_with_the_state_before_it(store, domain):
    converse(
        store,
        domain,
        [
            ActionExecuted("action_listen"),
            SlotSet("email", "old@example.it"),
            SlotSet("email", "mario@example.it"),
            SlotSet("step", "uno"),
            *turn("primo"),
        ],
    )
    for number in range(20):
        converse(store, domain, turn(f"messaggio {number}"))

    tracker = retrieve(store)
    assert user_texts(tracker) == ["messaggio 17", "messaggio 18", "messaggio 19"]
    assert tracker.get_slot("email") == "mario@example.it"
    assert tracker.get_slot("step") == "uno"
    assert stored_events(store) == 4 + 4 * 21


def test_a_pause_before_the_window_still_pauses_until_a_resume(store, domain):
    """An operator took the chat long ago (console/rasa_conversation.py): the bot stays silent."""
    converse(store, domain, [ActionExecuted("action_listen"), *turn("primo"), ConversationPaused()])
    for number in range(8):
        converse(store, domain, turn(f"all'operatore {number}"))
    tracker = retrieve(store)
    assert "primo" not in user_texts(tracker)
    assert tracker.is_paused()

    converse(store, domain, [ConversationResumed()])
    for number in range(8):
        converse(store, domain, turn(f"al bot {number}"))
    assert not retrieve(store).is_paused()


def test_a_pause_of_an_earlier_session_does_not_count(store, domain):
    converse(store, domain, [ActionExecuted("action_listen"), ConversationPaused()])
    converse(store, domain, [SessionStarted(), ActionExecuted("action_listen")])
    for number in range(8):
        converse(store, domain, turn(f"messaggio {number}"))
    assert not retrieve(store).is_paused()


def test_the_window_never_starts_inside_a_loop(store, domain):
    converse(store, domain, [ActionExecuted("action_listen"), *turn("primo")])
    converse(store, domain, [*turn("voglio registrarmi"), ActiveLoop("registration_form")])
    for number in range(6):
        converse(store, domain, turn(f"dato {number}"))

    tracker = retrieve(store)
    assert user_texts(tracker)[0] == "voglio registrarmi"
    assert tracker.active_loop_name == "registration_form"

    converse(store, domain, [ActiveLoop(None), *turn("fatto")])
    for number in range(3):
        converse(store, domain, turn(f"dopo {number}"))
    tracker = retrieve(store)
    assert user_texts(tracker) == ["dopo 0", "dopo 1", "dopo 2"]
    assert tracker.active_loop_name is None


def test_saving_a_windowed_tracker_stores_only_the_new_events(store, domain):
    converse(store, domain, [ActionExecuted("action_listen")])
    for number in range(10):
        converse(store, domain, turn(f"messaggio {number}"))
    before = stored_events(store)
    converse(store, domain, turn("ultimo"))
    assert stored_events(store) == before + 4
    assert [e.text for e in retrieve(store).events if isinstance(e, UserUttered)][-1] == "ultimo"


def test_slots_reset_or_set_in_an_earlier_session_are_not_carried(store, domain):
    converse(
        store,
        domain,
        [
            ActionExecuted("action_listen"),
            SlotSet("step", "vecchio"),
            AllSlotsReset(),
            SlotSet("email", "nuova@example.it"),
            *turn("a"),
        ],
    )
    for number in range(5):
        converse(store, domain, turn(f"messaggio {number}"))
    tracker = retrieve(store)
    assert tracker.get_slot("step") is None
    assert tracker.get_slot("email") == "nuova@example.it"

    converse(store, domain, [SessionStarted(), ActionExecuted("action_listen"), *turn("nuova")])
    tracker = retrieve(store)
    assert tracker.get_slot("email") is None
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["nuova"]


def test_unknown_sender_has_no_tracker(store):
    assert retrieve(store) is None


def stored_rows(store) -> str:
    with store.engine.connect() as connection:
        return " ".join(connection.execute(sa.text("SELECT data FROM events")).scalars())


def asked(slot: str) -> list:
    return [ActionExecuted("registration_form"), SlotSet("requested_slot", slot)]


def answer(text: str, intent: str = "inform") -> list:
    return [ActionExecuted("action_listen"), UserUttered(text, {"name": intent, "confidence": 1.0})]


def test_answers_to_a_secret_question_are_stored_redacted(store, domain):
    converse(store, domain, [*asked("email"), *answer("mario@example.it")])
    converse(
        store,
        domain,
        [
            *asked("nuova_password"),
            *answer("Segreta#2024 e 123456"),
            SlotSet("nuova_password", "Segreta#2024"),
            *asked("email"),
            *answer("dopo il segreto"),
        ],
    )
    rows = stored_rows(store)
    assert "Segreta#2024" not in rows and "123456" not in rows
    assert rows.count("[riservato]") == 3  # the text, the parsed text, the slot value
    assert "mario@example.it" in rows and "dopo il segreto" in rows
    texts = user_texts(retrieve(store))
    assert texts == ["mario@example.it", "[riservato]", "dopo il segreto"]


def test_a_tracker_saved_whole_is_redacted_too(store, domain):
    """A tracker the store did not read (Rasa's first save of a new sender)."""
    converse(store, domain, [*asked("nuova_password"), *answer("Segreta#2024")])
    assert "Segreta#2024" not in stored_rows(store)


def gave_up(slot: str, at: float) -> list:
    """A flow asked for a secret three times and gave up (actions/flow.py)."""
    return [
        *asked(slot),
        BotUttered("Non riesco a completare l'operazione qui in chat.", timestamp=at),
        BotUttered(metadata={"utter_action": "utter_flusso_help_online"}, timestamp=at),
        SlotSet("requested_slot", None, timestamp=at),
        ActiveLoop(None, timestamp=at),
    ]


def said(text: str, at: float, entities: list | None = None) -> list:
    parse = {"name": "inform", "confidence": 1.0}
    return [
        ActionExecuted("action_listen", timestamp=at),
        UserUttered(text, parse, entities or [], timestamp=at),
    ]


def test_a_password_typed_again_after_the_flow_gave_up_is_stored_redacted(store, domain):
    start = 1_700_000_000.0
    converse(store, domain, [*asked("nuova_password"), *answer("Tentativo#1")])
    converse(store, domain, gave_up("nuova_password", start))
    converse(store, domain, said("Tentativo#4", start + 60))
    converse(store, domain, said("Mario1980", start + 120))  # a near miss of the rule
    converse(store, domain, said("RSSMRA85T10A562S", start + 150))  # not a secret
    converse(store, domain, said("Scaduto#9", start + 60 + 5 * 60))  # the window closed

    rows = stored_rows(store)
    assert "Tentativo#1" not in rows and "Tentativo#4" not in rows and "Mario1980" not in rows
    assert "RSSMRA85T10A562S" in rows and "Scaduto#9" in rows
    assert user_texts(retrieve(store)) == [  # the window: the last three turns
        "[riservato]",
        "RSSMRA85T10A562S",
        "Scaduto#9",
    ]


def test_a_password_introduced_in_a_sentence_is_stored_redacted_the_rest_readable(store, domain):
    text = "la mia password è Lupo.2023 ma il sito non me la accetta"
    entity = {"entity": "parola", "value": "Lupo.2023", "start": 18, "end": 27}
    email = {"entity": "email", "value": "m@example.it", "start": 0, "end": 1}
    converse(
        store,
        domain,
        [*said(text, 1_700_000_000.0, [entity, email]), SlotSet("step", text)],
    )

    rows = stored_rows(store)
    assert "Lupo.2023" not in rows
    readable = "la mia password è [riservato] ma il sito non me la accetta"
    (message,) = [e for e in retrieve(store).events if isinstance(e, UserUttered)]
    assert message.text == readable
    assert message.parse_data["text"] == readable
    assert message.entities == [email]
    assert retrieve(store).get_slot("step") == readable
