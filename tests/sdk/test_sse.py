"""The Server-Sent Events decoder: the standard's framing, fed in any pieces."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from aiaas._sse import ServerSentEvent, SSEDecoder


def decode(*chunks: bytes) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    return [event for chunk in chunks for event in decoder.feed(chunk)]


def test_lf_crlf_and_cr_line_endings_frame_the_same_events() -> None:
    for newline in (b"\n", b"\r\n", b"\r"):
        stream = newline.join([b"data: a", b"", b"event: x", b"data: b", b"", b""])
        assert decode(stream) == [ServerSentEvent(data="a"), ServerSentEvent("x", "b")]


def test_multi_line_data_joins_with_lf_and_comments_are_keep_alives() -> None:
    events = decode(b": keep-alive\n\ndata: one\ndata:two\ndata\n\n")
    assert events == [ServerSentEvent(data="one\ntwo\n")]


def test_id_and_retry_are_read_and_the_last_id_is_kept() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"id: 7\nretry: 1500\ndata: x\n\ndata: y\n\n")
    assert events[0] == ServerSentEvent(data="x", id="7", retry=1500)
    assert events[1].id is None
    assert decoder.last_event_id == "7"


def test_an_event_without_data_is_not_dispatched_and_unknown_fields_are_ignored() -> None:
    assert decode(b"event: ping\n\nfoo: bar\ndata: z\n\n") == [ServerSentEvent(data="z")]


def test_a_stream_cut_inside_an_event_drops_it() -> None:
    assert decode(b"data: whole\n\ndata: cut") == [ServerSentEvent(data="whole")]


def test_a_byte_order_mark_at_the_start_is_skipped() -> None:
    assert decode(b"\xef\xbb\xbfdata: a\n\n") == [ServerSentEvent(data="a")]


def test_a_crlf_split_across_reads_is_one_line_end() -> None:
    assert decode(b"data: a\r", b"\n\r", b"\n") == [ServerSentEvent(data="a")]


def test_utf8_split_across_reads_decodes_whole() -> None:
    raw = "data: Lager wechseln - ölig\n\n".encode()
    cut = raw.index(b"\xc3") + 1
    assert decode(raw[:cut], raw[cut:]) == [ServerSentEvent(data="Lager wechseln - ölig")]


STREAM = (
    b'data: {"a": 1}\r\n\r\n: comment\n\nevent: error\r\ndata: {"b":\ndata: 2}\n\n'
    b"id: 3\rdata: [DONE]\r\r"
)


@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=12))
def test_any_split_into_reads_gives_the_same_events(cuts: list[int]) -> None:
    points = sorted(set(cuts))
    pieces = [STREAM[a:b] for a, b in zip([0, *points], [*points, len(STREAM)], strict=True)]
    assert decode(*pieces) == decode(STREAM)
    assert [e.data for e in decode(STREAM)] == ['{"a": 1}', '{"b":\n2}', "[DONE]"]
