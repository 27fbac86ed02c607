import pytest
from backend_strategies import fiscal_codes, spaced, vat_numbers
from hypothesis import assume, given
from hypothesis import strategies as st

from backend.entities import CustomerKind
from backend.errors import InvalidInput
from backend.validators import (
    PASSWORD_RULE_IT,
    classify_fiscal_id,
    is_pec,
    missing_password_requirements,
    pec_domains,
    validate_email,
    validate_fiscal_code,
    validate_holder,
    validate_mobile,
    validate_password,
    validate_phone,
    validate_pod,
    validate_vat_number,
)


@given(fiscal_codes(), st.sets(st.integers(0, 15)))
def test_valid_fiscal_codes_are_accepted_in_any_case_and_spacing(code, spaces):
    assert validate_fiscal_code(spaced(code.lower(), spaces)) == code


@given(fiscal_codes(omocodic=True))
def test_omocodic_fiscal_codes_are_accepted(code):
    assert any(c.isalpha() for c in code[6:8] + code[9:11] + code[12:15])
    assert validate_fiscal_code(code) == code


@given(fiscal_codes(), st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
def test_a_wrong_check_character_is_refused(code, check):
    assume(check != code[-1])
    with pytest.raises(InvalidInput, match="Codice Fiscale"):
        validate_fiscal_code(code[:-1] + check)


@pytest.mark.parametrize("value", ["", "RSSMRA85T10A562", "RSSMRA85T10A562SX", "12345678901"])
def test_fiscal_codes_of_the_wrong_length_are_refused(value):
    with pytest.raises(InvalidInput, match="16 caratteri"):
        validate_fiscal_code(value)


@given(vat_numbers())
def test_valid_vat_numbers_are_accepted_with_or_without_it_prefix(number):
    assert validate_vat_number(number) == number
    assert validate_vat_number(f"IT {number}") == number


@given(vat_numbers(), st.integers(0, 10), st.integers(1, 9))
def test_a_changed_vat_digit_is_detected(number, position, delta):
    digit = (int(number[position]) + delta) % 10
    changed = number[:position] + str(digit) + number[position + 1 :]
    with pytest.raises(InvalidInput, match="Partita IVA"):
        validate_vat_number(changed)


@given(fiscal_codes(), vat_numbers())
def test_person_and_company_are_told_apart_by_their_fiscal_id(code, number):
    assert classify_fiscal_id(code) == (CustomerKind.PERSON, code)
    assert classify_fiscal_id(number) == (CustomerKind.COMPANY, number)


@pytest.mark.parametrize("value", ["ABC", "1234567890", "RSSMRA85T10A562S1"])
def test_a_fiscal_id_of_neither_shape_is_refused(value):
    with pytest.raises(InvalidInput, match="16 caratteri.*11 cifre"):
        classify_fiscal_id(value)


def test_a_person_needs_name_and_surname_and_a_company_its_name():
    person = validate_holder("RSSMRA85T10A562S", first_name=" Mario ", last_name="Rossi")
    assert (person.kind, person.first_name, person.company_name) == ("person", "Mario", None)
    with pytest.raises(InvalidInput, match="nome e cognome"):
        validate_holder("RSSMRA85T10A562S", first_name="Mario")
    company = validate_holder(
        "01114601006",
        company_name="Sole Verde S.r.l.",
        representative_fiscal_code=" rssmra85t10a562s",
    )
    assert (company.kind, company.company_name, company.last_name) == (
        "company",
        "Sole Verde S.r.l.",
        None,
    )
    assert company.representative_fiscal_code == "RSSMRA85T10A562S"
    with pytest.raises(InvalidInput, match="ragione sociale"):
        validate_holder("01114601006", first_name="Mario", last_name="Rossi")
    with pytest.raises(InvalidInput, match="rappresentante legale"):
        validate_holder("01114601006", company_name="Sole Verde S.r.l.")


MOBILE_PREFIXES = ["320", "328", "333", "339", "340", "347", "349", "366", "380", "391"]


@given(st.sampled_from(MOBILE_PREFIXES), st.integers(0, 9_999_999))
def test_mobiles_in_every_common_writing_normalise_to_the_same_number(prefix, line):
    digits = f"{prefix}{line:07d}"
    expected = f"+39{digits}"
    writings = [
        digits,
        f"{prefix} {line:07d}",
        f"+39 {prefix}-{digits[3:6]}-{digits[6:]}",
        f"0039{digits}",
        f"(+39) {prefix}.{digits[3:6]}.{digits[6:]}",
    ]
    for writing in writings:
        assert validate_mobile(writing) == expected


@pytest.mark.parametrize("value", ["06 1234567", "+39 02 1234 5678"])
def test_landlines_are_phones_but_not_mobiles(value):
    assert validate_phone(value).startswith("+390")
    with pytest.raises(InvalidInput, match="non è un cellulare"):
        validate_mobile(value)


@pytest.mark.parametrize("value", ["+44 7911 123456", "+33 6 12 34 56 78", "ciao", "333", ""])
def test_foreign_or_garbage_numbers_are_refused(value):
    with pytest.raises(InvalidInput):
        validate_mobile(value)


LOCAL = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=20)
DOMAIN_LABEL = st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=12).filter(
    lambda label: label != "pec" and "legalmail" not in label
)


@given(LOCAL, DOMAIN_LABEL, st.sampled_from(["it", "com", "eu"]))
def test_ordinary_emails_are_accepted_lower_cased(local, label, tld):
    domain = f"{label}.{tld}"
    assume(not is_pec(f"x@{domain}"))
    assert validate_email(f"  {local.upper()}@{domain.upper()} ") == f"{local}@{domain}"


@given(LOCAL, st.sampled_from(sorted(pec_domains())))
def test_known_pec_providers_and_their_subdomains_are_refused(local, domain):
    for address in (f"{local}@{domain}", f"{local}@studio.{domain}"):
        with pytest.raises(InvalidInput, match="PEC"):
            validate_email(address)


@pytest.mark.parametrize(
    "address",
    [
        "a@pec.ordineavvocati.it",
        "b@comune.pec.example.it",
        "c@cgn.legalmail.it",
        "d@legalmail.example.com",
    ],
)
def test_pec_patterns_are_recognised(address):
    assert is_pec(address)


@pytest.mark.parametrize("address", ["mario@specchio.it", "mario@gmail.com", "pec@gmail.com"])
def test_pec_lookalikes_are_ordinary_mail(address):
    assert not is_pec(address)


@pytest.mark.parametrize("value", ["mario", "mario@", "@gmail.com", "ma rio@gmail.com"])
def test_malformed_emails_are_refused(value):
    with pytest.raises(InvalidInput, match="non è valido"):
        validate_email(value)


@given(st.integers(0, 999), st.integers(0, 99_999_999), st.sets(st.integers(0, 13)))
def test_pods_are_normalised(distributor, number, spaces):
    pod = f"IT{distributor:03d}E{number:08d}"
    assert validate_pod(spaced(pod.lower(), spaces)) == pod


@pytest.mark.parametrize(
    "value",
    ["IT001E1234567", "IT001E123456789", "IT01E12345678", "FR001E12345678", "IT001X12345678", ""],
)
def test_malformed_pods_are_refused(value):
    with pytest.raises(InvalidInput, match="POD"):
        validate_pod(value)


@given(st.text(max_size=40))
def test_password_requirements_are_the_faq_s_and_only_those(password):
    """FAQ 2: «almeno un carattere maiuscolo, un numero e un carattere speciale»; no length."""
    missing = missing_password_requirements(password)
    assert ("un carattere maiuscolo" in missing) == (not any(c.isupper() for c in password))
    assert ("un numero" in missing) == (not any(c.isdigit() for c in password))
    special = any(not (c.isalnum() or c.isspace()) for c in password)
    assert ("un carattere speciale" in missing) == (not special)
    assert len(missing) == 3 - sum([any(c.isupper() for c in password),
                                    any(c.isdigit() for c in password), special])  # fmt: skip


def test_the_password_error_states_the_whole_rule_then_what_is_missing():
    with pytest.raises(InvalidInput) as error:
        validate_password("password1")
    assert error.value.message_it == (
        f"La password deve contenere {PASSWORD_RULE_IT}: in quella che hai scritto mancano "
        "un carattere maiuscolo e un carattere speciale."
    )
    assert PASSWORD_RULE_IT == (
        "almeno un carattere maiuscolo, un numero e un carattere speciale "
        "(ad esempio ! @ # $ % ^ & +)"
    )
    assert validate_password("Password1!") == "Password1!"
    assert validate_password("A1+") == "A1+"  # the FAQ states no minimum length
    with pytest.raises(InvalidInput, match="al massimo 128"):
        validate_password("Aa1!" * 33)
