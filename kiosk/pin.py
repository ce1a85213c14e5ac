"""The organiser PIN: stored only as a salted scrypt hash, and guarded against guessing.

A hash looks like ``scrypt$16384$8$1$<salt>$<key>`` (salt and key in base64), so the cost
can be raised later without breaking PINs already set.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import PinError

PIN_MIN, PIN_MAX = 4, 12
_N, _R, _P = 2**14, 8, 1
# What a hash may ask for: the memory OpenSSL's scrypt allows a check (128 * r * (n + p + 2)
# bytes within MAX_MEMORY), and work at most MAX_WORK times ours (n * r * p), so that a PIN is
# always checked in well under a few seconds. A hash asking for more is refused when the
# settings are read, never at the PIN prompt.
MAX_MEMORY = 2**26
MAX_WORK = 16 * _N * _R * _P
FREE_TRIES = 3
FIRST_DELAY = 5.0
MAX_DELAY = 300.0


def validate_pin(pin: str) -> str:
    if not pin.isascii() or not pin.isdigit():
        raise PinError("use digits only (so it can be typed on the on-screen keypad)", field="PIN")
    if not PIN_MIN <= len(pin) <= PIN_MAX:
        raise PinError(f"{len(pin)} digit{'' if len(pin) == 1 else 's'}, use {PIN_MIN} to {PIN_MAX}", field="PIN")
    return pin


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    validate_pin(pin)
    import hashlib  # OpenSSL's scrypt: loaded to hash or check a PIN, not to read settings
    import secrets

    salt = salt or secrets.token_bytes(16)
    key = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(key)}"


def check_hash(pin_hash: str) -> str:
    """Raise PinError unless ``pin_hash`` is a hash this module wrote."""
    parts = pin_hash.split("$")
    try:
        if len(parts) != 6 or parts[0] != "scrypt":
            raise ValueError
        n, r, p = (int(x) for x in parts[1:4])
        if n < 2 or n & (n - 1) or not 1 <= r <= 64 or not 1 <= p <= 16:
            raise ValueError
        salt, key = base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5], validate=True)
        if not 8 <= len(salt) <= 64 or not 16 <= len(key) <= 64:
            raise ValueError
    except ValueError:
        raise PinError("not a PIN hash written by `kiosk set-pin`", field="pin_hash") from None
    if 128 * r * (n + p + 2) > MAX_MEMORY or n * r * p > MAX_WORK:
        raise PinError(f"asks for more work than a PIN check may take (n={n}, r={r}, p={p}):"
                       " set the PIN again with `kiosk set-pin`", field="pin_hash")
    return pin_hash


def verify_pin(pin: str, pin_hash: str) -> bool:
    """True for the right PIN. Raises PinError (never anything else) for a hash it cannot use."""
    import hashlib
    import hmac

    check_hash(pin_hash)
    _, n, r, p, salt, key = pin_hash.split("$")
    expected = base64.b64decode(key)
    try:
        got = hashlib.scrypt(
            pin.encode("utf-8", "surrogatepass"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
            dklen=len(expected), maxmem=MAX_MEMORY + 2**20,
        )
    except (ValueError, MemoryError):  # OpenSSL refused the parameters: say so without the PIN
        raise PinError("this PIN hash cannot be checked here: set the PIN again with `kiosk set-pin`",
                       field="pin_hash") from None
    return hmac.compare_digest(got, expected)


@dataclass
class PinGuard:
    """Checks PINs and throttles guessing: after FREE_TRIES wrong PINs in a row, each
    further try must wait FIRST_DELAY seconds, doubling with every wrong PIN (up to
    MAX_DELAY). A right PIN resets the count."""

    pin_hash: str
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    _not_before: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        check_hash(self.pin_hash)

    def wait(self) -> float:
        """Seconds until the next try is allowed (0 when it is allowed now)."""
        return max(0.0, self._not_before - self.clock())

    def try_pin(self, pin: str) -> bool:
        """True for the right PIN. A try made while throttled is refused without checking."""
        if self.wait() > 0:
            return False
        if verify_pin(pin, self.pin_hash):
            self.failures = 0
            self._not_before = 0.0
            return True
        self.failures += 1
        if self.failures >= FREE_TRIES:
            delay = min(MAX_DELAY, FIRST_DELAY * 2 ** (self.failures - FREE_TRIES))
            self._not_before = self.clock() + delay
        return False
