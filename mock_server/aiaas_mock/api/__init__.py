"""The HTTP API: routes, the dependencies they share, and the policies every
request meets (authentication, idempotency, problem details, cursors)."""
