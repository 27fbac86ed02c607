"""The tracker store reads a bounded window of a conversation but loses no state and no event."""

import asyncio

import sqlalchemy as sa
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
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
