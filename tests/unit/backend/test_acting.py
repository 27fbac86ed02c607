"""Acting for a delegator: who may be chosen, and the check and audit of each action."""

import pytest
from backend_fakes import add_active_account

from backend import acting, delegations
from backend.errors import DelegationEnded
from tests.support.portal_data import uploaded

MARIO, GIULIA, ANNA = "mario@gmail.com", "giulia@gmail.com", "anna@gmail.com"


@pytest.fixture
def people(uow):
    mario = add_active_account(uow, MARIO, "RSSMRA85T10A562S")
    giulia = add_active_account(uow, GIULIA, "BNCGLI90A41H501E", "Giulia Bianchi")
    anna = add_active_account(uow, ANNA, "VRDNNA80A41H501U", "Anna Verdi")
    return mario, giulia, anna


def give(uow, delegator: int, delegate: int, email: str, days: int = 30) -> int:
    delegation = delegations.request_delegation(uow, delegator, email, days, uploaded(uow))
    delegations.respond_logged_in(uow, delegate, delegation, True)
    return delegation


def test_only_active_delegations_are_offered_one_entry_per_person(uow, clock, people):
    mario, giulia, anna = people
    give(uow, mario, giulia, GIULIA, days=10)
    give(uow, mario, giulia, GIULIA, days=90)  # a second one from the same person
    delegations.request_delegation(uow, anna, GIULIA, 30, uploaded(uow))  # not accepted
    assert acting.delegators(uow, giulia) == [acting.Delegator(mario, "Mario Rossi")]
    assert acting.delegators(uow, mario) == []
    clock.advance(days=11)
    assert acting.delegators(uow, giulia) == [acting.Delegator(mario, "Mario Rossi")]
    clock.advance(days=80)
    assert acting.delegators(uow, giulia) == []


def test_acting_starts_audited_and_ends_with_the_delega(uow, people):
    mario, giulia, _ = people
    delegation = give(uow, mario, giulia, GIULIA)
    assert acting.start_acting(uow, giulia, mario) == "Mario Rossi"
    [started] = uow.audit.find(event="acted_for")
    assert started.account_id == mario
    assert started.details == {
        "delegate_id": giulia,
        "delegation_id": delegation,
        "action": "acting_started",
    }
    assert uow.messages_to(MARIO)[-1].subject != "Un'operazione del tuo delegato"
    delegations.revoke_delegation(uow, mario, delegation)
    with pytest.raises(DelegationEnded):
        acting.check(uow, giulia, mario)
    with pytest.raises(DelegationEnded):
        acting.start_acting(uow, giulia, mario)
    assert len(uow.audit.find(event="acted_for")) == 1


def test_one_s_own_account_needs_no_delega_and_leaves_no_trace(uow, people):
    mario, _, _ = people
    with uow:
        assert acting.authorise(uow, None, mario, "supplies_viewed") == "Mario Rossi"
        assert acting.authorise(uow, mario, mario, "supplies_viewed") == "Mario Rossi"
    assert uow.audit.find(event="acted_for") == []
