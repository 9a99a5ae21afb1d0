"""The one exception tree of salesbot.

    SalesbotError                 base; `user_message` is safe to show in chat
    ├── ConfigError               bad configuration; carries every ConfigProblem
    ├── BadRequest                malformed inbound request -> HTTP 4xx with the reason
    │   ├── BadSignature          signature or token check failed -> 401
    │   ├── Forbidden             bad sign or stale timestamp on routes that answer 403
    │   └── PayloadTooLarge       body over the limit -> 413
    ├── ActionError               a card action payload that cannot be packed/unpacked
    ├── UserError                 the user asked for something we must refuse (shown as a friendly card)
    │   └── NotAllowed            the actor may not do this
    └── DeliveryError             outbound send failed
        └── TransientDeliveryError   worth retrying (timeouts, 5xx, rate limits)
            └── Throttled            the platform said "too fast": wait `retry_after` s, not an attempt
"""

from __future__ import annotations

from collections.abc import Sequence


class SalesbotError(Exception):
    """Base of every error we raise on purpose."""

    user_message = "出了点小问题，已记录，请稍后再试。"


class ConfigError(SalesbotError):
    """Configuration is invalid; `problems` lists each with file, key and fix."""

    def __init__(self, problems: Sequence[object]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in problems))


class BadRequest(SalesbotError):
    """An inbound request we reject with a 4xx and a reason."""

    status = 400

    def __init__(self, reason: str, fields: dict[str, str] | None = None) -> None:
        self.reason = reason
        self.fields = fields or {}
        super().__init__(reason)


class BadSignature(BadRequest):
    """Signature, token or timestamp check failed."""

    status = 401


class Forbidden(BadRequest):
    """The caller is refused: a signature or timestamp check failed where the platform expects 403."""

    status = 403


class NotFound(BadRequest):
    """The thing named in the path does not exist (an unknown intake channel, say)."""

    status = 404


class PayloadTooLarge(BadRequest):
    """The body is larger than the route allows."""

    status = 413


class ActionError(SalesbotError):
    """A card action could not be packed into or unpacked from a button value."""


class UserError(SalesbotError):
    """A request we refuse politely; the message is shown to the user as is, under `title`."""

    title = "这个操作做不了"

    def __init__(self, message: str) -> None:
        self.user_message = message
        super().__init__(message)


class Ambiguous(UserError):
    """The message could mean more than one thing (which customer?): ask instead of guessing."""

    title = "说的是哪个客户？"


class NotAllowed(UserError):
    """The actor lacks the role or ownership for this action."""


class DeliveryError(SalesbotError):
    """An outbound message could not be delivered."""


class TransientDeliveryError(DeliveryError):
    """A delivery failure that a later retry may fix."""


class Throttled(TransientDeliveryError):
    """The platform throttled us; retry after `retry_after` seconds without counting an attempt."""

    def __init__(self, message: str, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = max(float(retry_after), 0.0)
