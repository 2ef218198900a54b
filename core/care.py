"""适老模式 (长辈版): larger text, higher contrast, bigger targets, a plainer layout, remembered in a cookie.

The switch is an ordinary link (GET /care?mode=on&next=…) that sets a cookie and sends the visitor back, so it works
without JavaScript on every page. It changes nothing on the server, only how pages look to this browser; a link on
another site that switches it on can do no harm, so it needs no CSRF token. `next` only ever leads back to a path on
this site (no open redirect).
"""

from __future__ import annotations

from flask import has_request_context, request

COOKIE = "care"
ON = "on"
# A year: the choice is remembered until the visitor switches back (适老化通用设计规范: 记忆用户选择).
MAX_AGE = 365 * 24 * 3600


def care_mode() -> bool:
    """True when this visitor chose the 长辈版."""
    return has_request_context() and request.cookies.get(COOKIE) == ON
