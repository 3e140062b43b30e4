"""The chat's login (RAG_UI__AUTH): one user and password, and a limit on guessing them.

After `MAX_FAILURES` wrong logins within `WINDOW` seconds from one client address, that
address's logins are refused for `LOCKOUT` seconds, the right one too (else a guesser would
learn when it found it). Other addresses are not locked: with one global limit, anyone who
could reach the login page could keep the real user out by guessing badly five times a
minute. Gradio asks this object for each login without the request, so `ClientAddress`, an
ASGI middleware, hands the guard the connection's address through a context variable.

The address is the TCP peer's, never a header such as X-Forwarded-For (a guesser would send
a new one with each try). Behind a reverse proxy every client has the proxy's address, and
the limit is one for all of them again; README "Chat UI" says so.
"""

import hmac
import sys
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

MAX_FAILURES = 5
WINDOW = 300.0
LOCKOUT = 60.0
MAX_ADDRESSES = 10_000  # addresses remembered at most; the least recently failed are forgotten
UNKNOWN = "unknown"  # a login with no address (a test calling the guard directly)

CLIENT: ContextVar[str] = ContextVar("client_address", default=UNKNOWN)


class ClientAddress:
    """ASGI middleware: the peer address of each HTTP request, in `CLIENT` for the guard."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and scope.get("client"):
            token = CLIENT.set(str(scope["client"][0]))
            try:
                await self.app(scope, receive, send)
            finally:
                CLIENT.reset(token)
            return
        await self.app(scope, receive, send)


class LoginGuard:
    def __init__(self, user: str, password: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.user, self.password, self.clock = user.encode(), password.encode(), clock
        # Per address: the times of its recent wrong logins, and when its lockout ends.
        self.failures: dict[str, list[float]] = {}
        self.locked_until: dict[str, float] = {}
        self.lock = threading.Lock()

    def __call__(self, user: str, password: str) -> bool:
        address = CLIENT.get()
        with self.lock:
            now = self.clock()
            if now < self.locked_until.get(address, 0.0):
                return False
            self.locked_until.pop(address, None)
            # Both compared in constant time: the time taken tells nothing of either.
            right = hmac.compare_digest(user.encode(), self.user) & \
                hmac.compare_digest(password.encode(), self.password)
            if right:
                self.failures.pop(address, None)
                return True
            recent = [t for t in self.failures.pop(address, []) if now - t < WINDOW] + [now]
            if len(recent) >= MAX_FAILURES:
                self.locked_until[address] = now + LOCKOUT
                print(f"{MAX_FAILURES} wrong logins from {address}: its logins refused for {LOCKOUT:g} s",
                      file=sys.stderr)
            else:
                self.failures[address] = recent  # re-inserted: dicts keep the latest last
            self._forget(now)
            return False

    def _forget(self, now: float) -> None:
        """Bound memory against a guesser with many addresses: drop ended lockouts, then the
        addresses that failed longest ago."""
        for address in [a for a, until in self.locked_until.items() if until <= now]:
            del self.locked_until[address]
        while len(self.failures) > MAX_ADDRESSES:
            del self.failures[next(iter(self.failures))]
        while len(self.locked_until) > MAX_ADDRESSES:
            del self.locked_until[next(iter(self.locked_until))]
