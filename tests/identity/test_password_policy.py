"""The password policy: the strength estimator with the person's own data as context, the 100k list."""

from __future__ import annotations

import threading

import pytest

from clinic.identity import passwords
from clinic.identity.passwords import WeakPassword

CONTEXT = {
    "email": "pa.lopez@example.com",
    "full_name": "Pablo López",
    "clinic_names": ["Clínica Central", "Centro Médico Norte"],
}


def reason(password: str, **context) -> str | None:
    try:
        passwords.validate(password, **{**CONTEXT, **context})
    except WeakPassword as err:
        assert err.fields == {"password": err.reason} and err.code == "weak_password"
        return err.reason
    return None


@pytest.mark.parametrize("password", ["qwerty12", "aaaaaaaa", "987654321", "iloveyou2"])
def test_the_probe_s_weak_passwords_are_refused(password):
    assert reason(password) in ("too_common", "too_weak")


@pytest.mark.parametrize(
    "password",
    [
        "pa.lopez@example.com",
        "PA.LOPEZ@EXAMPLE.COM",
        "Clínica Central",
        "clinicacentral",
        "CentroMedicoNorte1",
        "pablolopez1985",
    ],
)
def test_the_account_s_own_data_and_the_clinics_names_are_refused(password):
    assert reason(password) == "too_personal"


def test_the_same_password_is_fine_for_someone_else():
    assert reason("CentroMedicoNorte1", clinic_names=[]) is None


def test_the_clinic_names_can_come_from_the_database(db):
    from clinic.scheduling.models import Clinic

    db.add(Clinic(name="Policlínica Aurora Boreal", timezone="Europe/Madrid"))
    db.flush()
    with pytest.raises(WeakPassword) as err:
        passwords.validate("PoliclinicaAurora", email="x@example.com", full_name="X", session=db)
    assert err.value.reason == "too_personal"


def test_every_entry_of_the_large_list_is_refused_even_those_past_zxcvbn_s_own():
    listed = passwords._common_list()
    assert len(listed) == 100_000
    for candidate in (listed[0], listed[50_000], listed[-1]):
        if len(candidate) >= passwords.MIN_LENGTH:
            assert reason(candidate) == "too_common", candidate


def test_length_limits_and_strong_passwords():
    assert reason("Ab1!xyz") == "too_short"
    assert reason("ñ" * 37) == "too_long"
    for strong in ("Correct-Horse-9", "mi perro se llama toby", "Sevilla2027!", "Demo-Clinic-2026"):
        assert reason(strong) is None, strong


def test_each_refusal_has_a_spanish_and_an_english_message():
    for code in passwords.REASONS:
        assert set(passwords.MESSAGES[code]) == {"es", "en"}
    assert WeakPassword("too_weak").message_in("es").startswith("La contraseña")


def test_concurrent_checks_never_see_each_other_s_personal_words():
    """zxcvbn() keeps user inputs in a shared module dict; the policy must not."""
    results: list[str | None] = []

    def check(i: int) -> None:
        own = f"zorrilla{i}@example.com"
        for _ in range(30):
            results.append(reason(f"Zorrilla{i}Zorrilla{i}", email=own, full_name="Ana", clinic_names=[]))
            reason("Tranquilo-Pez-42", email=f"otro{i}@example.com", full_name="Otro", clinic_names=[])

    threads = [threading.Thread(target=check, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results and set(results) == {"too_personal"}
