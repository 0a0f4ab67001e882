"""What the lemma store holds: whole answers and refuted cubes, and their byte format.

Two kinds of entry, each a small *header* (sealed by ``trust.py``) plus an optional
*attachment* (its SHA-256 and size are in the header, so it is authenticated too, but read
only when needed):

* ``AnswerEntry`` (id = the query key): ``sat`` with its model (checked again on the
  formula whenever it is used, as every model is), or ``unsat`` with its certificate: the
  attachment holds the certificate directory (``check/certificate.py``: ``formula.cnf``,
  ``proof.drat`` or the cube proofs, ``certificate.json``) and the input it was stamped
  with (``input.smt2``), so ``check-proof`` can re-check it.
* ``CubeEntry`` (id = digest of its content): ``support`` (assertion keys, each with its
  difference constraint when it is one literal, or its clause of them) and ``cube`` (SMT-level literals: difference
  atoms ``u - v <= c`` and Booleans) such that support and cube together are unsat; the
  attachment is the certificate of that, as an SMT formula (``input.smt2`` = the support
  assertions followed by one assertion per cube literal), so the existing checker verifies
  it.  ``match.py`` says when such an entry applies to a query.

Format: header = zlib(canonical JSON); attachment = zlib(8-byte index length, JSON index of
``[name, size]``, the files' bytes).  Everything read back is validated: a malformed header
or attachment is ``Refused``, never an exception from deep inside.

Cost: the header is tiny for cube entries and holds the model for sat answers; certificates
are compressed with zlib level 1 (about 100 MB/s).
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import time
import zlib
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional, Union

from ..check.lemmas import decode_fact, decode_lit, encode_fact, encode_lit, json_number, number_json
from ..check.query_keys import Fact, Literal
from ..check.stored import INPUT_FILE
from ..result import Status
from .trust import Refused

FORMAT = 1
ANSWER, CUBE = "answer", "cube"
MAX_HEADER = 64 << 20  # a header past this is refused before it is decompressed further


@dataclass(frozen=True)
class Attachment:
    """What the header says about the attachment (so it is authenticated with it)."""

    sha256: str
    size: int  # compressed bytes
    names: tuple[str, ...]


@dataclass
class AnswerEntry:
    qkey: str
    logic: str
    status: Status
    model: dict[str, object] = field(default_factory=dict)  # sat: name -> int/bool/Fraction
    created: float = 0.0
    seconds: float = 0.0  # the solve time it saves
    note: str = ""  # how it was found (back end, encoding)
    attachment: Optional[Attachment] = None  # unsat: the certificate


@dataclass
class CubeEntry:
    id: str
    logic: str
    support: tuple[tuple[str, Optional[Fact]], ...]
    cube: tuple[Literal, ...]
    created: float = 0.0
    seconds: float = 0.0
    note: str = ""
    attachment: Optional[Attachment] = None


def cube_id(logic: str, support: Iterable[tuple[str, Optional[Fact]]], cube: Iterable[Literal]) -> str:
    """The id of a cube entry: a digest of its logic, support keys and literals."""
    body = json.dumps([logic, sorted(k for k, _ in support), sorted(json.dumps(encode_lit(x))
                                                                    for x in cube)])
    return hashlib.blake2b(b"c" + body.encode(), digest_size=16).hexdigest()


# -- values ------------------------------------------------------------------------------

def encode_model(model: Mapping[str, object]) -> list:
    out = []
    for name in sorted(model):
        v = model[name]
        out.append([name, "b", bool(v)] if isinstance(v, bool) else [name] + number_json(v))
    return out


def decode_model(x: Any) -> dict[str, object]:
    out: dict[str, object] = {}
    for item in x:
        name, kind, val = item
        if not isinstance(name, str) or name in out:
            raise ValueError("malformed model")
        if kind == "b":
            if not isinstance(val, bool):
                raise ValueError("malformed Boolean value")
            out[name] = val
        else:
            out[name] = json_number([kind, val])
    return out


# -- headers -----------------------------------------------------------------------------

def _attachment_json(a: Optional[Attachment]) -> Optional[dict]:
    return None if a is None else {"sha256": a.sha256, "size": a.size, "names": list(a.names)}


def _attachment_of(x: Any) -> Optional[Attachment]:
    if x is None:
        return None
    names = tuple(x["names"])
    if not all(isinstance(n, str) and _safe_name(n) for n in names):
        raise ValueError("unsafe attachment file name")
    if not isinstance(x["size"], int) or not isinstance(x["sha256"], str):
        raise ValueError("malformed attachment")
    return Attachment(x["sha256"], x["size"], names)


def _pack(obj: dict) -> bytes:
    return zlib.compress(json.dumps(obj, sort_keys=True, separators=(",", ":")).encode(), 6)


def _unpack(body: bytes) -> dict:
    d = zlib.decompressobj()
    raw = d.decompress(body, MAX_HEADER)
    if d.unconsumed_tail or not d.eof or d.unused_data:
        raise ValueError("header is not one complete zlib stream (or too large)")
    obj = json.loads(raw)
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise ValueError(f"unknown entry format {obj.get('format') if isinstance(obj, dict) else obj!r}")
    return obj


def answer_header(e: AnswerEntry) -> bytes:
    return _pack({"format": FORMAT, "kind": ANSWER, "id": e.qkey, "logic": e.logic,
                  "status": str(e.status), "model": encode_model(e.model), "created": e.created,
                  "seconds": e.seconds, "note": e.note,
                  "attachment": _attachment_json(e.attachment)})


def cube_header(e: CubeEntry) -> bytes:
    return _pack({"format": FORMAT, "kind": CUBE, "id": e.id, "logic": e.logic,
                  "support": [[k, encode_fact(a)] for k, a in e.support],
                  "cube": [encode_lit(x) for x in e.cube], "created": e.created,
                  "seconds": e.seconds, "note": e.note,
                  "attachment": _attachment_json(e.attachment)})


def _common(obj: dict, kind: str, ident: str) -> None:
    if obj.get("kind") != kind or obj.get("id") != ident:
        raise ValueError(f"the header is a {obj.get('kind')} entry {obj.get('id')}, "
                         f"not the {kind} {ident} it is stored as")
    for k in ("logic", "note"):
        if not isinstance(obj[k], str):
            raise ValueError(f"malformed {k}")
    for k in ("created", "seconds"):
        if not isinstance(obj[k], (int, float)) or isinstance(obj[k], bool):
            raise ValueError(f"malformed {k}")


def read_answer(ident: str, body: bytes) -> AnswerEntry:
    """The entry in an opened (authentic) body; ``Refused`` if it is malformed."""
    try:
        obj = _unpack(body)
        _common(obj, ANSWER, ident)
        status = Status(obj["status"])
        if status == Status.UNKNOWN:
            raise ValueError("an 'unknown' answer")
        model = decode_model(obj["model"])
        att = _attachment_of(obj["attachment"])
        if status == Status.UNSAT and (att is None or INPUT_FILE not in att.names):
            raise ValueError("an unsat answer without its certificate")
        return AnswerEntry(ident, obj["logic"], status, model, float(obj["created"]),
                           float(obj["seconds"]), obj["note"], att)
    except Refused:
        raise
    except (ValueError, KeyError, TypeError, IndexError, zlib.error) as e:
        raise Refused(f"malformed answer entry: {type(e).__name__}: {e}") from None


def read_cube(ident: str, body: bytes) -> CubeEntry:
    try:
        obj = _unpack(body)
        _common(obj, CUBE, ident)
        support = []
        for k, a in obj["support"]:
            if not isinstance(k, str):
                raise ValueError("malformed support key")
            support.append((k, decode_fact(a)))
        cube = tuple(decode_lit(x) for x in obj["cube"])
        if not support or not cube:
            raise ValueError("empty support or cube")
        att = _attachment_of(obj["attachment"])
        if att is None or INPUT_FILE not in att.names:
            raise ValueError("a cube entry without its proof")
        e = CubeEntry(ident, obj["logic"], tuple(support), cube, float(obj["created"]),
                      float(obj["seconds"]), obj["note"], att)
        if cube_id(e.logic, e.support, e.cube) != ident:
            raise ValueError("the id is not the digest of the content")
        return e
    except Refused:
        raise
    except (ValueError, KeyError, TypeError, IndexError, zlib.error) as e:
        raise Refused(f"malformed cube entry: {type(e).__name__}: {e}") from None


# -- attachments -------------------------------------------------------------------------

def _safe_name(name: str) -> bool:
    return bool(name) and "/" not in name and "\\" not in name and name not in (".", "..") \
        and "\x00" not in name


def pack_files(files: Mapping[str, Union[bytes, str]], *, level: int = 1) -> tuple[bytes, Attachment]:
    """Files (name -> content, or a path to read) as one compressed attachment."""
    names = sorted(files)
    if not all(_safe_name(n) for n in names):
        raise ValueError(f"unsafe attachment name in {names}")
    sizes = []
    for n in names:
        f = files[n]
        sizes.append(len(f) if isinstance(f, bytes) else os.path.getsize(f))
    index = json.dumps([[n, s] for n, s in zip(names, sizes)]).encode()
    z = zlib.compressobj(level)
    parts = [z.compress(struct.pack(">Q", len(index)) + index)]
    for n in names:
        f = files[n]
        if isinstance(f, bytes):
            parts.append(z.compress(f))
        else:
            with open(f, "rb") as fh:
                while True:
                    chunk = fh.read(1 << 22)
                    if not chunk:
                        break
                    parts.append(z.compress(chunk))
    parts.append(z.flush())
    blob = b"".join(parts)
    return blob, Attachment(hashlib.sha256(blob).hexdigest(), len(blob), tuple(names))


def unpack_files(blob: Optional[bytes], att: Attachment) -> dict[str, bytes]:
    """The files of an attachment, after checking it is the one the header names."""
    if blob is None:
        raise Refused("the attachment is missing")
    blob = bytes(blob)
    if len(blob) != att.size or hashlib.sha256(blob).hexdigest() != att.sha256:
        raise Refused("the attachment does not match its header (tampered or truncated)")
    try:
        raw = zlib.decompress(blob)
        (n,) = struct.unpack(">Q", raw[:8])
        index = json.loads(raw[8:8 + n])
        out: dict[str, bytes] = {}
        pos = 8 + n
        for name, size in index:
            out[name] = raw[pos:pos + size]
            pos += size
        if pos != len(raw) or tuple(sorted(out)) != att.names:
            raise ValueError("the index does not cover the attachment")
        return out
    except (ValueError, TypeError, struct.error, zlib.error) as e:
        raise Refused(f"malformed attachment: {type(e).__name__}: {e}") from None


def certificate_files(directory: str, input_text: str) -> dict[str, Union[bytes, str]]:
    """A certificate directory's files (paths) plus the input it was stamped with."""
    from ..check.certificate import COVERAGE_FILE, CNF_FILE, META_FILE, PROOF_FILE

    files: dict[str, Union[bytes, str]] = {}
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        if os.path.isfile(path) and (name in (CNF_FILE, PROOF_FILE, META_FILE, COVERAGE_FILE)
                                     or (name.startswith("cube-") and name.endswith((".cube", ".drat")))):
            files[name] = path
    if META_FILE not in files:
        raise ValueError(f"{directory}: no {META_FILE} (not a certificate)")
    files[INPUT_FILE] = input_text.encode("utf-8")
    return files


def write_files(files: Mapping[str, bytes], directory: str) -> None:
    os.makedirs(directory, exist_ok=True)
    for name, data in files.items():
        if not _safe_name(name):
            raise Refused(f"unsafe attachment name {name!r}")
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)


def now() -> float:
    return time.time()
