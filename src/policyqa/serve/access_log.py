"""The access log without query text: a filter on uvicorn's access logger.

uvicorn logs `"GET /search?q=… HTTP/1.1" 200`; the question a user asked is theirs, so the query
string is cut off every access record before it is written (route, status and time remain).
Installed by `serve.api.create_app`, whatever starts the server. Never logs anything itself.
"""

from __future__ import annotations

import logging

ACCESS_LOGGER = "uvicorn.access"


class DropQueryString(logging.Filter):
    """Rewrite an access record's path (its third argument) to the path without `?…`."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def install() -> None:
    """Add the filter to uvicorn's access logger once (create_app may run many times)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, DropQueryString) for f in logger.filters):
        logger.addFilter(DropQueryString())
