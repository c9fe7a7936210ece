"""Server-Sent Events, decoded from bytes as they arrive: pure, no I/O.

The framing is the WHATWG HTML standard's: lines end in LF, CRLF or a lone CR
(a CR at the end of one read may be half of a CRLF split across reads); a blank
line ends an event; ``event:``, ``data:``, ``id:`` and ``retry:`` are fields,
one space after the colon is dropped, several ``data:`` lines join with LF, a
line starting with ``:`` is a comment (servers send them as keep-alives), and
an unknown field is ignored. A stream that ends inside an event drops that
event, as browsers do.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SSEDecoder", "ServerSentEvent"]

_MAX_LINE = 16 * 1024 * 1024
"""A line longer than this is a broken or hostile server, not an event."""


@dataclass(frozen=True)
class ServerSentEvent:
    event: str = "message"
    data: str = ""
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """Feed it bytes with :meth:`feed`; it returns the events they completed."""

    def __init__(self) -> None:
        self._pending = b""
        self._lines_started = False
        self._event = ""
        self._data: list[str] = []
        self._id: str | None = None
        self._retry: int | None = None
        self._skip_lf = False
        self.last_event_id: str | None = None
        """The last ``id:`` seen, kept across events (the standard's reconnect id)."""

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """The events that ``chunk`` completes, in order."""
        if self._skip_lf and chunk[:1] == b"\n":
            chunk = chunk[1:]
        self._skip_lf = False
        buffer = self._pending + chunk if self._pending else chunk
        events: list[ServerSentEvent] = []
        start = 0
        size = len(buffer)
        while start < size:
            lf = buffer.find(b"\n", start)
            cr = buffer.find(b"\r", start, lf if lf >= 0 else size)
            if cr >= 0:
                end, after = cr, cr + 1
                if after < size:
                    if buffer[after : after + 1] == b"\n":
                        after += 1
                else:
                    # A CR last in this read: a following LF belongs to it.
                    self._skip_lf = True
            elif lf >= 0:
                end, after = lf, lf + 1
            else:
                break
            event = self._line(buffer[start:end])
            if event is not None:
                events.append(event)
            start = after
        self._pending = buffer[start:]
        if len(self._pending) > _MAX_LINE:
            raise ValueError(f"an event stream line is longer than {_MAX_LINE} bytes")
        return events

    def _line(self, raw: bytes) -> ServerSentEvent | None:
        if not self._lines_started:
            self._lines_started = True
            if raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
        if not raw:
            return self._dispatch()
        line = raw.decode("utf-8", errors="replace")
        if line.startswith(":"):
            return None
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._id = value
                self.last_event_id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        # As the standard says: an event without data lines is not dispatched.
        event = None
        if self._data:
            event = ServerSentEvent(
                event=self._event or "message",
                data="\n".join(self._data),
                id=self._id,
                retry=self._retry,
            )
        self._event, self._data, self._id, self._retry = "", [], None, None
        return event
