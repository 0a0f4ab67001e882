"""Trust in the lemma store: entries are authenticated with a key only the owner holds.

Idea.  The store (a file, or a database server other programs can reach) is not trusted:
anyone who can write to it could plant an entry saying that a satisfiable formula is unsat.
So every entry is *sealed*: ``MAGIC | HMAC-SHA256(key, domain | kind | id | body) | body``.
``open_sealed`` refuses (``Refused``) an entry whose magic, length or tag does not match:
a tampered byte, a truncated blob, an entry moved to another id (the tag binds the id and
the kind), or one written under another key (a foreign store, an attacker without the
key).  What the tag does not stop: deleting entries (a store can lose work, not invent it)
and replaying an authentic entry under its own id (harmless: an entry states a fact about
one formula, true forever).  Behind the tag, every entry still carries its justification
(a model, checked on the formula at every use; an unsat certificate or a cube's DRAT proof,
re-checkable with ``check-proof``), so the key guards against forgery, not against the
owner's own solver being wrong.

The key: 32 random bytes, hex in a file.  Looked up in order: an explicit key file, the
environment variable ``EAGERSMT_MEMO_KEY`` (hex: for cluster nodes that get it from a secret
store), ``EAGERSMT_MEMO_KEY_FILE``, then ``$XDG_CONFIG_HOME/eagersmt/memo.key`` (default
``~/.config``), created on first use with mode 0600.  A key file that its group or others
can read or write is refused (as ssh does with private keys).

Cost: one HMAC-SHA256 over the sealed part (the entry's header: small; a certificate is not
sealed itself, its SHA-256 is in the header and is checked when it is read).

Reference: HMAC, RFC 2104 (Bellare, Canetti, Krawczyk 1996); the ``hmac`` module.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import tempfile
from pathlib import Path
from typing import Optional

from ..errors import EagerSmtError

MAGIC = b"EGMEMO\x01\x00"
TAG_BYTES = 32
DOMAIN = b"eagersmt-memo/1\x00"
KEY_ENV, KEY_FILE_ENV = "EAGERSMT_MEMO_KEY", "EAGERSMT_MEMO_KEY_FILE"
MIN_KEY_BYTES = 16


class MemoError(EagerSmtError):
    """The lemma store cannot be used (bad location, unreadable or unsafe key, server down)."""


class Refused(Exception):
    """An entry that is not authentic or not well formed; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "eagersmt"


def default_key_file() -> Path:
    return config_dir() / "memo.key"


def _read_key_file(path: Path) -> bytes:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise MemoError(f"memo key file {path}: no such file") from None
    if not stat.S_ISREG(st.st_mode):
        raise MemoError(f"memo key file {path}: not a regular file")
    if st.st_mode & 0o077:
        raise MemoError(f"memo key file {path}: readable or writable by others "
                        f"(mode {stat.S_IMODE(st.st_mode):o}); run chmod 600 {path}")
    return _parse_key(path.read_text(), str(path))


def _parse_key(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise MemoError(f"memo key from {where}: not hexadecimal") from None
    if len(key) < MIN_KEY_BYTES:
        raise MemoError(f"memo key from {where}: {len(key)} bytes, at least {MIN_KEY_BYTES} needed")
    return key


def create_key_file(path: Path) -> None:
    """Write a new random key to ``path`` (mode 0600), unless a key is already there; safe
    when several processes create it at once (the first link wins, the others read it)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".memo-key-")
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, (secrets.token_hex(32) + "\n").encode())
        os.fsync(fd)
        os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)


def load_key(key_file: Optional[str] = None, *, create: bool = True) -> tuple[bytes, str]:
    """The owner's key and where it came from (see module doc for the order)."""
    if key_file is not None:
        return _read_key_file(Path(key_file)), key_file
    if os.environ.get(KEY_ENV):
        return _parse_key(os.environ[KEY_ENV], f"${KEY_ENV}"), f"${KEY_ENV}"
    if os.environ.get(KEY_FILE_ENV):
        path = os.environ[KEY_FILE_ENV]
        return _read_key_file(Path(path)), path
    path = default_key_file()
    if not path.exists():
        if not create:
            raise MemoError(f"no memo key at {path}")
        create_key_file(path)
    return _read_key_file(path), str(path)


class Sealer:
    """Seals and opens entries with one key."""

    def __init__(self, key: bytes):
        if len(key) < MIN_KEY_BYTES:
            raise MemoError(f"memo key of {len(key)} bytes, at least {MIN_KEY_BYTES} needed")
        self._key = key
        # Names the key without revealing it (``eagersmt memo stats``).
        self.fingerprint = hashlib.sha256(b"eagersmt-memo-key\x00" + key).hexdigest()[:16]

    def _tag(self, kind: str, ident: str, body: bytes) -> bytes:
        msg = DOMAIN + kind.encode() + b"\x00" + ident.encode() + b"\x00"
        mac = hmac.new(self._key, msg, hashlib.sha256)
        mac.update(body)
        return mac.digest()

    def seal(self, kind: str, ident: str, body: bytes) -> bytes:
        return MAGIC + self._tag(kind, ident, body) + body

    def open(self, kind: str, ident: str, blob: Optional[bytes]) -> bytes:
        """The body of an authentic entry; ``Refused`` otherwise."""
        if blob is None:
            raise Refused("empty entry")
        blob = bytes(blob)
        if len(blob) < len(MAGIC) + TAG_BYTES:
            raise Refused(f"truncated entry ({len(blob)} bytes)")
        if blob[:len(MAGIC)] != MAGIC:
            raise Refused("not an eagersmt memo entry (bad magic)")
        tag, body = blob[len(MAGIC):len(MAGIC) + TAG_BYTES], blob[len(MAGIC) + TAG_BYTES:]
        if not hmac.compare_digest(tag, self._tag(kind, ident, body)):
            raise Refused("bad signature: tampered, truncated, moved, or sealed with another key")
        return body
