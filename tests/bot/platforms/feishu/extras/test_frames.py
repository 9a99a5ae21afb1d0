"""The long-connection frame codec against bytes made by the protobuf runtime from pbbp2.proto."""

from __future__ import annotations

import pytest

from bot.platforms.feishu.extras.frames import CONTROL, DATA, Frame, Parts, decode, encode

# Serialized with google.protobuf 5 from a descriptor of lark-oapi's pbbp2.Frame (proto2).
EVENT_HEX = ("0803108180c4f4cb99c48764180720012a0d0a047479706512056576656e742a130a0a6d6573736167655f696412056d73672d"
             "312a080a0373756d1201312a080a037365711201302a0e0a0874726163655f69641202747242107b22736368656d61223a22"
             "322e30227d4a056c6f672d31")
PING_HEX = "0800100018ffffffffffffffffff0120002a0c0a0474797065120470696e67"
EVENT = Frame(3, 7210000000000000001, 7, DATA, [("type", "event"), ("message_id", "msg-1"), ("sum", "1"),
                                                 ("seq", "0"), ("trace_id", "tr")],
              payload=b'{"schema":"2.0"}', log_id_new="log-1")
PING = Frame(0, 0, -1, CONTROL, [("type", "ping")])


@pytest.mark.parametrize(("frame", "golden"), [(EVENT, EVENT_HEX), (PING, PING_HEX)])
def test_frames_match_the_protobuf_runtime(frame, golden):
    assert encode(frame).hex() == golden
    assert decode(bytes.fromhex(golden)) == frame


def test_unknown_fields_are_skipped_and_garbage_refused():
    extra = bytes.fromhex(PING_HEX) + bytes.fromhex("5003")  # field 10, varint 3
    assert decode(extra) == PING
    with pytest.raises(ValueError):
        decode(b"\x42\x10abc")  # payload shorter than its length
    with pytest.raises(ValueError):
        decode(b"\x0d\x00\x00\x00\x00")  # fixed32 is not used by the protocol


def _part(message_id: str, seq: int, total: int, payload: bytes) -> Frame:
    return Frame(headers=[("message_id", message_id), ("sum", str(total)), ("seq", str(seq))], payload=payload)


def test_split_payloads_are_joined_in_seq_order_and_unfinished_ones_are_bounded():
    parts = Parts(keep=2)
    assert parts.add(EVENT) == b'{"schema":"2.0"}'  # one frame: at once
    assert parts.add(_part("a", 1, 2, b"world")) is None
    assert parts.add(_part("a", 0, 2, b"hello ")) == b"hello world"
    for name in ("b", "c", "d"):  # three unfinished messages, two kept: "b" (the oldest) is dropped
        assert parts.add(_part(name, 0, 2, b"x")) is None
    assert parts.add(_part("b", 1, 2, b"y")) is None  # its first half is gone: it starts again
    assert parts.add(_part("d", 1, 2, b"y")) == b"xy"
