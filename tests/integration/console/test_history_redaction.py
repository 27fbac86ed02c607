"""`sportello redact-history`: secrets stored before the rules leave the events table, the
console's index, its transcripts and its exports; everything else stays."""

from typer.testing import CliRunner

from console import exports
from console.conversations import Filters
from console.history_redaction import cli, redact_history
from tests.support.conversations import Script

HOUR = 3600.0
GIVEN_UP_AGAIN = "Lupo.2023"
INTRODUCED = "Sole#2024"
SENTENCE = f"la mia password è {INTRODUCED} ma il sito non me la accetta"


def stored_conversations(clock) -> tuple[Script, Script]:
    """The login given up then the password typed once more; a password in a sentence."""
    login = Script("web-login", clock.now - 2 * HOUR).session()
    login.flow("recupero_password_form", 2, "given_up")
    login.user(GIVEN_UP_AGAIN, "nlu_fallback", 0.3).action("action_listen")
    login.user("RSSMRA85T10A562S", "inform", 0.5).action("action_listen")
    chat = Script("telegram-42", clock.now - HOUR, "telegram").session()
    chat.user(SENTENCE, "faq_password_dimenticata").action("action_listen")
    chat.faq("il POD IT001E12345678 non è mio", "faq_pod", "Verifica il codice fiscale.")
    return login, chat


def everything_stored(index) -> str:
    with index.engine.connect() as db:
        tables = ("events", "console_messages", "console_conversations")
        return " ".join(
            str(row) for table in tables for row in db.exec_driver_sql(f"SELECT * FROM {table}")
        )


def test_old_secrets_leave_the_store_the_index_the_transcripts_and_the_exports(index, store, clock):
    store(*stored_conversations(clock))
    index.catch_up()
    assert GIVEN_UP_AGAIN in everything_stored(index)  # before: in clear

    done = redact_history(index)

    # The login's last answer («boh») answered a secret question too.
    assert (done.senders, done.events) == (2, 3)
    stored = everything_stored(index)
    assert GIVEN_UP_AGAIN not in stored and INTRODUCED not in stored
    assert "RSSMRA85T10A562S" in stored and "IT001E12345678" in stored
    conversations = [
        (row, index.transcript(row.id)) for row in index.search(Filters(), per_page=10).items
    ]
    user_said = [t.text for _, turns in conversations for t in turns if t.kind == "user"]
    assert "[riservato]" in user_said
    assert "la mia password è [riservato] ma il sito non me la accetta" in user_said
    for download in (exports.as_csv(conversations), exports.as_json(conversations)):
        assert GIVEN_UP_AGAIN not in download and INTRODUCED not in download
        assert "RSSMRA85T10A562S" in download
    assert index.search(Filters(text="accetta")).total == 1  # the index was rebuilt


def test_running_it_again_changes_nothing(index, store, clock):
    store(*stored_conversations(clock))
    redact_history(index)
    before = everything_stored(index)
    assert redact_history(index).events == 0
    assert everything_stored(index) == before


def test_the_command_says_what_it_did(index, store, clock, tracker_url, configure):
    store(*stored_conversations(clock))
    configure(TRACKER_STORE_URL=tracker_url)
    result = CliRunner().invoke(cli, [])
    assert result.exit_code == 0, result.output
    assert "eventi corretti: 3" in result.output
    assert GIVEN_UP_AGAIN not in everything_stored(index)
