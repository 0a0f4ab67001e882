"""Binary DRAT: the one codec of CaDiCaL's proof trace format in eagersmt.

Idea: a proof is a sequence of records, ``a`` (added clause) or ``d`` (deleted clause),
then the clause's literals as little-endian base-128 varints of ``2·|lit| + (lit < 0)``
(the high bit marks a byte that is not the last), then one 0 byte.  A varint's last byte is
never 0 (the value is at least 2), so the 0 bytes are exactly the record ends and a proof
splits on them.  Users: the optimizer appends its last lemmas to
the trace it copies into a certificate (``record``, ``memo/optimum.py``); the
certificate checker reads a binary proof whole (``steps``, ``check/proof.py``).

Cost: one ``bytes.split`` and a Python loop over the bytes of the records decoded.

Reference: Wetzler, Heule, Hunt, "DRAT-trim" (SAT 2014), binary format as in drat-trim's
README and CaDiCaL's ``tracer``.
"""

from __future__ import annotations

ADD, DELETE = 0x61, 0x64  # 'a', 'd'


def _varint(u: int, out: bytearray) -> None:
    while u >= 0x80:
        out.append((u & 0x7F) | 0x80)
        u >>= 7
    out.append(u)


def record(clause: list[int], kind: str = "a") -> bytes:
    """The binary record of ``clause`` (DIMACS literals) as an addition or a deletion."""
    out = bytearray(kind.encode())
    for lit in clause:
        _varint(2 * abs(lit) + (lit < 0), out)
    out.append(0)
    return bytes(out)


def _literals(body: bytes) -> list[int]:
    clause, value, shift = [], 0, 0
    for b in body:
        value |= (b & 0x7F) << shift
        if b & 0x80:
            shift += 7
            continue
        clause.append(-(value >> 1) if value & 1 else value >> 1)
        value, shift = 0, 0
    if shift:
        raise ValueError("binary DRAT: a literal is cut off by the end of its record")
    return clause


def is_binary(data: bytes) -> bool:
    """A binary proof: it starts with ``a`` (no text proof does) or has a 0 byte early."""
    return data[:1] == b"a" or b"\0" in data[:1024]


def steps(data: bytes) -> list[tuple[str, list[int]]]:
    """Every record of a complete binary proof as ``("a" | "d", DIMACS literals)``;
    ``ValueError`` when it is malformed (a record of another kind, one cut off)."""
    records = data.split(b"\0")
    if records.pop():
        raise ValueError("binary DRAT: the proof ends inside a record")
    out: list[tuple[str, list[int]]] = []
    for r in records:
        if not r or r[0] not in (ADD, DELETE):
            raise ValueError("binary DRAT: a record is neither an addition nor a deletion")
        out.append(("a" if r[0] == ADD else "d", _literals(r[1:])))
    return out


__all__ = ["is_binary", "record", "steps"]
