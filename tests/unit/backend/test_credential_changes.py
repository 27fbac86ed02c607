"""Password reset and username change as the chat runs them: code first (it leaves a grant
bound to the conversation), the new password or e-mail after; username recovery."""

import pytest
from test_accounts import (
    CF,
    EMAIL,
    MOBILE,
    PASSWORD,
    SOLE_VERDE_REPRESENTATIVE,
    VAT,
    register,
    register_company,
    register_giulia,
)

from backend import accounts, credentials
from backend.errors import CodeRejected, Conflict, InvalidInput, NotAllowed, NotFound, Throttled

NEW_EMAIL = "mario.nuovo@libero.it"


def reset(uow, new_password: str, conversation: str = "chat-1") -> None:
    credentials.request_password_reset(uow, EMAIL)
    credentials.verify_password_reset_code(uow, EMAIL, uow.last_code(EMAIL), conversation)
    credentials.reset_password_with_grant(uow, EMAIL, conversation, new_password)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


# --- password reset ----------------------------------------------------------------------


def test_reset_in_two_steps_code_then_password_for_the_same_conversation(uow, clock):
    account_id = register(uow, clock)
    credentials.request_password_reset(uow, EMAIL)
    credentials.verify_password_reset_code(uow, EMAIL, uow.last_code(EMAIL), "chat-1")
    with pytest.raises(CodeRejected, match="troppo tempo"):  # another conversation
        credentials.reset_password_with_grant(uow, EMAIL, "chat-2", "Nuova#Password2")
    with pytest.raises(InvalidInput, match="maiuscolo"):  # a weak password keeps the grant
        credentials.reset_password_with_grant(uow, EMAIL, "chat-1", "debole1!")
    credentials.reset_password_with_grant(uow, EMAIL, "chat-1", "Nuova#Password2")
    assert accounts.login(uow, EMAIL, "Nuova#Password2") == account_id
    assert uow.messages_to(EMAIL)[-1].subject == "Password modificata"
    with pytest.raises(CodeRejected, match="troppo tempo"):  # a grant is used once
        credentials.reset_password_with_grant(uow, EMAIL, "chat-1", "Altra#Password3")


def test_password_reset_answers_alike_for_unknown_addresses(uow, clock):
    register(uow, clock)
    assert credentials.request_password_reset(uow, "nobody@gmail.com") is None
    assert credentials.request_password_reset(uow, EMAIL) is None
    assert uow.messages_to("nobody@gmail.com") == []
    requests = uow.audit.find(event="password_reset_requested")
    assert [e.account_id for e in requests] == [None, uow.accounts.first(email=EMAIL).id]
    code = wrong(uow.last_code(EMAIL))
    with pytest.raises(CodeRejected) as unknown:
        credentials.verify_password_reset_code(uow, "nobody@gmail.com", code, "chat-1")
    with pytest.raises(CodeRejected) as known:
        credentials.verify_password_reset_code(uow, EMAIL, code, "chat-1")
    assert unknown.value.message_it == known.value.message_it == "Il codice non è corretto."
    assert [e.event for e in uow.audit.find()][-2:] == ["code_failed", "code_failed"]
    with pytest.raises(CodeRejected, match="troppo tempo"):
        credentials.reset_password_with_grant(uow, "nobody@gmail.com", "chat-1", "Nuova#Pass2")


def test_password_reset_requests_too_close_are_silently_dropped(uow, clock):
    register(uow, clock)
    credentials.request_password_reset(uow, EMAIL)
    assert credentials.request_password_reset(uow, EMAIL) is None
    assert [m.subject for m in uow.messages_to(EMAIL)].count("Recupero password") == 1
    assert [e.event for e in uow.audit.find()][-1] == "password_reset_throttled"


def test_the_24_hour_rule_is_told_at_the_code_step_and_keeps_the_code(uow, clock):
    register(uow, clock)
    reset(uow, "Nuova#Password2")
    clock.advance(hours=23, minutes=59)
    credentials.request_password_reset(uow, EMAIL)
    code = uow.last_code(EMAIL)
    with pytest.raises(NotAllowed, match="una volta ogni 24 ore"):
        credentials.verify_password_reset_code(uow, EMAIL, code, "chat-1")
    clock.advance(minutes=1)
    # The refused step rolled back: the same code works once the 24 hours are over.
    credentials.verify_password_reset_code(uow, EMAIL, code, "chat-1")
    credentials.reset_password_with_grant(uow, EMAIL, "chat-1", "Altra#Password3")
    assert accounts.login(uow, EMAIL, "Altra#Password3")


def test_a_reset_grant_lasts_a_few_minutes(uow, clock):
    register(uow, clock)
    credentials.request_password_reset(uow, EMAIL)
    credentials.verify_password_reset_code(uow, EMAIL, uow.last_code(EMAIL), "chat-1")
    clock.advance(minutes=16)
    with pytest.raises(CodeRejected, match="troppo tempo"):
        credentials.reset_password_with_grant(uow, EMAIL, "chat-1", "Nuova#Password2")


# --- username recovery and change --------------------------------------------------------


def test_username_recovery_shows_the_masked_email(uow, clock):
    register(uow, clock)
    assert credentials.recover_username(uow, CF.lower()) == "m****i@g****.com"


def test_username_recovery_says_plainly_when_no_account_has_the_data(uow, clock):
    register(uow, clock)
    for unknown in ("BNCGLI90A41H501E", "01114601006"):
        with pytest.raises(NotFound) as none:
            credentials.recover_username(uow, unknown)
        assert none.value.message_it == "Non risulta nessuna utenza registrata con questi dati."
    with pytest.raises(NotFound):  # nor is a code sent for them
        credentials.request_username_change(uow, "BNCGLI90A41H501E", client="cliente-1")
    assert uow.messages_to(MOBILE)[-1].subject == ""  # only the registration SMS went out
    assert len(uow.messages_to(MOBILE)) == 1


def test_a_company_s_username_is_found_with_its_representative(uow, clock):
    register_company(uow, clock, SOLE_VERDE_REPRESENTATIVE)
    register_company(uow, clock, "BNCGLI90A41H501E", email="nuova.legale@gmail.com")
    assert credentials.recover_username(uow, VAT, SOLE_VERDE_REPRESENTATIVE) == "i****o@s****.it"
    assert credentials.recover_username(uow, VAT, "BNCGLI90A41H501E") == "n****e@g****.com"
    with pytest.raises(NotFound):
        credentials.recover_username(uow, VAT, CF)


def test_username_change_in_two_steps_code_then_email(uow, clock):
    account_id = register(uow, clock)
    assert credentials.request_username_change(uow, CF, client="cliente-1") == "**********67"
    credentials.verify_username_change_code(uow, CF, "", uow.last_code(MOBILE), "chat-1")
    with pytest.raises(CodeRejected, match="troppo tempo"):
        credentials.change_username_with_grant(uow, CF, "", "chat-2", NEW_EMAIL)
    credentials.change_username_with_grant(uow, CF, "", "chat-1", NEW_EMAIL)
    assert accounts.login(uow, NEW_EMAIL, PASSWORD) == account_id
    assert uow.messages_to(EMAIL)[-1].subject == "Username modificata"
    assert uow.messages_to(NEW_EMAIL)[-1].subject == "Username modificata"
    with pytest.raises(CodeRejected, match="troppo tempo"):
        credentials.change_username_with_grant(uow, CF, "", "chat-1", "mario.altro@libero.it")


def test_an_address_in_use_keeps_the_grant_for_another_try(uow, clock):
    register(uow, clock)
    register_giulia(uow, clock, mobile="347 1234568")
    credentials.request_username_change(uow, CF, client="cliente-1")
    credentials.verify_username_change_code(uow, CF, "", uow.last_code(MOBILE), "chat-1")
    with pytest.raises(Conflict, match="già usata"):
        credentials.change_username_with_grant(uow, CF, "", "chat-1", "giulia@gmail.com")
    credentials.change_username_with_grant(uow, CF, "", "chat-1", NEW_EMAIL)


def test_username_change_without_validated_mobile_points_to_help_online(uow, clock):
    account_id = register(uow, clock)
    uow.accounts.get(account_id).mobile_verified_at = None  # e.g. an account from the old portal
    with pytest.raises(NotAllowed, match="803.500"):
        credentials.request_username_change(uow, CF, client="cliente-1")


def test_username_change_requests_too_close_are_refused_with_the_wait(uow, clock):
    register(uow, clock)
    credentials.request_username_change(uow, CF, client="cliente-1")
    with pytest.raises(Throttled, match="attendi 60 secondi"):
        credentials.request_username_change(uow, CF, client="cliente-1")
    assert len([m for m in uow.messages_to(MOBILE) if "username" in m.body]) == 1
    clock.advance(seconds=60)
    credentials.request_username_change(uow, CF, client="cliente-1")
    assert len([m for m in uow.messages_to(MOBILE) if "username" in m.body]) == 2
