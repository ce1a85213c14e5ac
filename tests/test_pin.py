"""The organiser PIN: a salted hash only, and guessing throttled."""

import pytest

from kiosk.pin import FIRST_DELAY, MAX_DELAY, PinError, PinGuard, check_hash, hash_pin, validate_pin, verify_pin
from tests.helpers.kiosk_app import FakeClock


def test_a_hash_is_salted_and_verifies_only_its_pin():
    a, b = hash_pin("2468"), hash_pin("2468")
    assert a != b and "2468" not in a
    assert verify_pin("2468", a) and verify_pin("2468", b)
    assert not verify_pin("2469", a) and not verify_pin("", a) and not verify_pin("2468 ", a)
    assert a.startswith("scrypt$16384$8$1$")


@pytest.mark.parametrize("pin, problem", [("12a4", "digits only"), ("123", "3 digits"), ("1" * 13, "13 digits"),
                                         ("١٢٣٤", "digits only")])
def test_bad_pins_are_refused(pin, problem):
    with pytest.raises(PinError, match=problem):
        validate_pin(pin)


@pytest.mark.parametrize("bad", ["", "2468", "scrypt$3$8$1$AAAA$AAAA", "md5$1$2$3$4$5", "scrypt$16384$8$1$!!$??"])
def test_hashes_not_written_by_us_are_refused(bad):
    with pytest.raises(PinError, match="pin_hash"):
        check_hash(bad)


def test_guessing_is_free_three_times_then_waits_longer_each_time():
    clock = FakeClock()
    guard = PinGuard(hash_pin("2468"), clock=clock)
    for _ in range(2):
        assert not guard.try_pin("0000") and guard.wait() == 0
    assert not guard.try_pin("0000")
    assert guard.wait() == FIRST_DELAY
    assert not guard.try_pin("2468")  # refused unchecked while waiting
    assert guard.failures == 3
    waits = []
    for _ in range(8):
        clock.advance(guard.wait())
        guard.try_pin("1111")
        waits.append(guard.wait())
    assert waits[:3] == [2 * FIRST_DELAY, 4 * FIRST_DELAY, 8 * FIRST_DELAY] and waits[-1] == MAX_DELAY
    clock.advance(guard.wait())
    assert guard.try_pin("2468") and guard.failures == 0 and guard.wait() == 0


def test_the_demo_pin_hash_is_the_demo_pin():
    from kiosk.settings import DEMO_PIN, DEMO_PIN_HASH, demo_settings

    assert verify_pin(DEMO_PIN, DEMO_PIN_HASH) and not verify_pin("2469", DEMO_PIN_HASH)
    assert demo_settings().pin_hash == DEMO_PIN_HASH
