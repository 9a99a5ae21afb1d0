"""The long-connection wire format: protobuf pbbp2.Frame, hand-coded (two wire types, nine fields).

    message Header { required string key = 1; required string value = 2; }
    message Frame { required uint64 SeqID = 1; required uint64 LogID = 2; required int32 service = 3;
                    required int32 method = 4; repeated Header headers = 5; optional string payload_encoding = 6;
                    optional string payload_type = 7; optional bytes payload = 8; optional string LogIDNew = 9; }

Field numbers follow lark-oapi 1.7.5 ws/pb/pbbp2.proto; unknown fields are skipped when decoding. A payload
may be split over several frames; Parts joins them.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

CONTROL, DATA = 0, 1
_VARINT, _BYTES = 0, 2


@dataclass
class Frame:
    """One frame; `headers` keeps the order and duplicates of the wire as (key, value) pairs."""

    seq_id: int = 0
    log_id: int = 0
    service: int = 0
    method: int = DATA
    headers: list[tuple[str, str]] = field(default_factory=list)
    payload_encoding: str = ""
    payload_type: str = ""
    payload: bytes = b""
    log_id_new: str = ""

    def header(self, key: str, default: str = "") -> str:
        """Return the first value of a header."""
        return next((v for k, v in self.headers if k == key), default)


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative int32s travel as 64-bit two's complement, as protobuf does
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, value: int | bytes | str) -> bytes:
    if isinstance(value, int):
        return _varint(number << 3 | _VARINT) + _varint(value)
    data = value.encode("utf-8") if isinstance(value, str) else value
    return _varint(number << 3 | _BYTES) + _varint(len(data)) + data


def encode(frame: Frame) -> bytes:
    """Serialize a Frame."""
    out = [_field(1, frame.seq_id), _field(2, frame.log_id), _field(3, frame.service), _field(4, frame.method)]
    out += [_field(5, _field(1, k) + _field(2, v)) for k, v in frame.headers]
    for number, value in ((6, frame.payload_encoding), (7, frame.payload_type), (8, frame.payload),
                          (9, frame.log_id_new)):
        if value:
            out.append(_field(number, value))
    return b"".join(out)


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ValueError("truncated or oversized varint in a long-connection frame")
        byte = data[pos]
        result |= (byte & 0x7F) << shift
        pos, shift = pos + 1, shift + 7
        if not byte & 0x80:
            return result, pos


def _fields(data: bytes) -> list[tuple[int, int | bytes]]:
    """Split a message into (field number, int or bytes); other wire types are an error."""
    out: list[tuple[int, int | bytes]] = []
    pos = 0
    while pos < len(data):
        key, pos = _read_varint(data, pos)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == _VARINT:
            value, pos = _read_varint(data, pos)
        elif wire == _BYTES:
            size, pos = _read_varint(data, pos)
            if pos + size > len(data):
                raise ValueError("a length-delimited field runs past the end of the frame")
            value, pos = data[pos:pos + size], pos + size
        else:
            raise ValueError(f"unsupported protobuf wire type {wire} in a long-connection frame")
        out.append((number, value))
    return out


def decode(data: bytes) -> Frame:
    """Parse a Frame; raise ValueError when the bytes are not one."""
    frame = Frame()
    for number, value in _fields(data):
        if number in (1, 2, 3, 4) and isinstance(value, int):
            signed = value - (1 << 64) if number in (3, 4) and value >= 1 << 63 else value
            setattr(frame, ("seq_id", "log_id", "service", "method")[number - 1], signed)
        elif number == 5 and isinstance(value, bytes):
            parts = dict(_fields(value))
            frame.headers.append((bytes(parts.get(1, b"")).decode(), bytes(parts.get(2, b"")).decode()))
        elif number == 8 and isinstance(value, bytes):
            frame.payload = value
        elif number in (6, 7, 9) and isinstance(value, bytes):
            setattr(frame, {6: "payload_encoding", 7: "payload_type", 9: "log_id_new"}[number], value.decode())
    return frame


class Parts:
    """Payloads split over several frames (headers sum, seq and message_id), joined once every part is in."""

    def __init__(self, keep: int = 100) -> None:
        self.keep = keep  # unfinished messages kept; the oldest are dropped past this
        self._waiting: OrderedDict[str, list[bytes | None]] = OrderedDict()

    def add(self, frame: Frame) -> bytes | None:
        """Return the whole payload once this frame completes it (at once when it came in one frame)."""
        total = int(frame.header("sum", "1") or 1)
        if total <= 1:
            return frame.payload
        parts = self._waiting.setdefault(frame.header("message_id"), [None] * total)
        seq = int(frame.header("seq", "0") or 0)
        if 0 <= seq < len(parts):
            parts[seq] = frame.payload
        if any(p is None for p in parts):
            while len(self._waiting) > self.keep:
                self._waiting.popitem(last=False)
            return None
        self._waiting.pop(frame.header("message_id"), None)
        return b"".join(p or b"" for p in parts)
