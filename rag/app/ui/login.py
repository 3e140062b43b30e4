"""The chat's login (RAG_UI__AUTH): one user and password, and a limit on guessing them.

After `MAX_FAILURES` wrong logins within `WINDOW` seconds every login is refused for
`LOCKOUT` seconds, the right one too (else a guesser would learn when it found it).
Gradio asks this object for each login; it gives no client address, so the limit is
one for all clients.
"""

import hmac
import sys
import threading
import time
from collections.abc import Callable

MAX_FAILURES = 5
WINDOW = 300.0
LOCKOUT = 60.0


class LoginGuard:
    def __init__(self, user: str, password: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.user, self.password, self.clock = user.encode(), password.encode(), clock
        self.failures: list[float] = []
        self.locked_until = 0.0
        self.lock = threading.Lock()

    def __call__(self, user: str, password: str) -> bool:
        with self.lock:
            now = self.clock()
            if now < self.locked_until:
                return False
            # Both compared in constant time: the time taken tells nothing of either.
            right = hmac.compare_digest(user.encode(), self.user) & \
                hmac.compare_digest(password.encode(), self.password)
            if right:
                self.failures.clear()
                return True
            self.failures = [t for t in self.failures if now - t < WINDOW] + [now]
            if len(self.failures) >= MAX_FAILURES:
                self.locked_until, self.failures = now + LOCKOUT, []
                print(f"{MAX_FAILURES} wrong logins: logins refused for {LOCKOUT:g} s",
                      file=sys.stderr)
            return False
