import pytest
from backend_strategies import fiscal_codes, vat_numbers
from hypothesis import given
from hypothesis import strategies as st

from backend.masking import mask_email, mask_personal_data, mask_phone
from backend.parsing import find_fiscal_code, find_mobile, find_vat_number


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("mario@gmail.it", "m****o@g****.it"),
        ("mario.rossi@libero.com", "m****i@l****.com"),
        ("al@x.eu", "a****@x****.eu"),
        ("a@localhost", "a****@l****"),
    ],
)
def test_emails_are_masked_like_the_portal(email, masked):
    assert mask_email(email) == masked


@given(st.text("abcdefghij.", min_size=3, max_size=30), st.sampled_from(["gmail.com", "a.b.it"]))
def test_masked_email_hides_the_middle_of_the_name(local, domain):
    masked = mask_email(f"{local}@{domain}")
    assert masked.startswith(local[0] + "****" + local[-1] + "@")
    assert masked.endswith("." + domain.rsplit(".", 1)[1])
    assert local not in masked


@given(st.text("0123456789 +-", min_size=3, max_size=20))
def test_masked_phone_shows_only_the_last_two_digits(number):
    digits = [c for c in number if c.isdigit()]
    masked = mask_phone(number)
    assert masked.endswith("".join(digits[-2:]))
    assert set(masked[: -2 or None]) <= {"*"}
    assert len(masked) == len(digits)


def test_a_mobile_is_found_in_free_text():
    assert find_mobile("il mio numero è 347 123 4567, grazie") == "+393471234567"
    assert find_mobile("chiamatemi allo 06 1234567") is None
    assert find_mobile("nessun numero qui") is None


@given(fiscal_codes())
def test_a_fiscal_code_is_found_in_free_text(code):
    assert find_fiscal_code(f"il mio codice fiscale è {code.lower()}.") == code


def test_invalid_fiscal_codes_in_text_are_ignored():
    assert find_fiscal_code("RSSMRA85T10A562X poi RSSMRA85T10A562S") == "RSSMRA85T10A562S"
    assert find_fiscal_code("niente da vedere") is None


@given(vat_numbers())
def test_a_vat_number_is_found_in_free_text(number):
    assert find_vat_number(f"P.IVA IT{number} della ditta") == number


def test_invalid_vat_numbers_in_text_are_ignored():
    assert find_vat_number("12345678901 e poi 01114601006") == "01114601006"
    assert find_vat_number("123456789012") is None


def test_codes_typed_in_groups_are_found():
    assert find_fiscal_code("il mio cf: rss mra 85t10 a562s") == "RSSMRA85T10A562S"
    assert find_fiscal_code("il mio cf è RSS MRA 85T10 A562S") == "RSSMRA85T10A562S"
    assert find_vat_number("p.iva 011.146.010.06") == "01114601006"
    assert find_vat_number("011 146 010 06") == "01114601006"


@given(fiscal_codes())
def test_personal_data_hides_any_fiscal_code(code):
    assert code not in mask_personal_data(f"il mio cf è {code}, grazie")


@given(vat_numbers())
def test_personal_data_hides_any_vat_number(number):
    assert number not in mask_personal_data(f"P.IVA {number}")


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("cf rss mra 85t10 a562s ok", "cf rs************2s ok"),
        ("scrivi a mario.rossi@gmail.it", "scrivi a m****i@g****.it"),
        ("POD IT001E12345678", "POD IT**********78"),
        ("chiamami al +39 333 123 4567", "chiamami al **********67"),
        ("oppure allo 06 1234 5678", "oppure allo ********78"),
    ],
)
def test_personal_data_in_free_text_is_masked(text, masked):
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(
    "text",
    ["chiama il numero verde 803.500", "ticket 12 del 2025", "alle 10.30, ho 45 anni", "€ 120,50"],
)
def test_what_is_not_personal_data_stays(text):
    assert mask_personal_data(text) == text
