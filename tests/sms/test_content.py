"""SMS texts: GSM-7 vs UCS-2 segment counting, and reminders that fit two segments in both languages."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from clinic.sms import content
from clinic.sms.replies import keyword
from clinic.sms.segments import encoding, segments, to_gsm

LINK = "https://clinica.example.com/a/" + "Ab3dE6gH9jK2mN5pQ8sT1v"  # a 22-27 character manage token
START = datetime(2027, 3, 29, 7, 30, tzinfo=timezone.utc)  # 09:30 in Madrid (summer time)


@pytest.mark.parametrize(
    "text,count",
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),  # GSM-7: 160, then 153 a segment
        ("€" * 80, 1),
        ("€" * 81, 2),
        ("a" * 159 + "€", 2),  # extension characters take two
        ("a" * 152 + "€" + "a" * 152, 3),  # an escape pair is never split
        ("á" * 70, 1),
        ("á" * 71, 2),
        ("á" * 134, 2),
        ("á" * 135, 3),  # UCS-2: 70, then 67 a segment
        ("😀" * 35, 1),
        ("😀" * 36, 2),
        ("a" * 66 + "😀", 1),
        ("a" * 68 + "😀" + "a", 2),  # surrogate pairs
    ],
)
def test_segments_are_counted_as_carriers_bill_them(text, count):
    assert segments(text) == count


def test_spanish_letters_that_gsm_7_has_stay_and_the_others_lose_their_accent():
    assert encoding("ñÑéÉüÜ¿¡àè") == "GSM-7"
    assert to_gsm("Clínica Ñandú, ¿sí? Óscar") == "Clinica Ñandu, ¿si? Oscar"
    assert encoding(to_gsm("Clínica Ñandú")) == "GSM-7"


@pytest.mark.parametrize(
    "locale,expected",
    [
        (
            "es",
            "Clinica San José: recordatorio de tu cita el lun 29/03 a las 09:30. Responde SI para confirmar o NO "
            "para cancelar. Gestiona tu cita: " + LINK,
        ),
        (
            "en",
            "Clinica San José: reminder of your appointment on Mon 29 Mar at 09:30. Reply YES to confirm or NO to "
            "cancel. Manage it: " + LINK,
        ),
    ],
)
def test_reminders_in_each_language(locale, expected):
    text = content.reminder(locale=locale, clinic="Clínica San José", starts_at=START, zone="Europe/Madrid", link=LINK)
    assert text == expected
    assert encoding(text) == "GSM-7" and segments(text) == 2


@pytest.mark.parametrize("clinic", ["Centro Médico " * 20, "Clínica 🏥 Salud " * 6, "诊所" * 30])
def test_a_long_or_exotic_clinic_name_is_shortened_to_fit_two_segments(clinic):
    for locale in ("es", "en"):
        text = content.reminder(locale=locale, clinic=clinic, starts_at=START, zone="Europe/Madrid", link=LINK)
        assert segments(text) <= 2, (encoding(text), len(text))
        assert LINK in text and "09:30" in text and encoding(text) == "GSM-7"


@pytest.mark.parametrize(
    "body,word",
    [
        (" Sí, gracias", "SI"),
        ("yes!", "YES"),
        ("1", "1"),
        ("NO.", "NO"),
        ("cancelar cita", "CANCELAR"),
        ("Baja", "BAJA"),
        ("¿?", ""),
    ],
)
def test_the_keyword_is_the_first_word(body, word):
    assert keyword(body) == word
