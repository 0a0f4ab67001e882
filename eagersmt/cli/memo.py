"""``eagersmt memo stats|gc|export|import``: the lemma store's owner at work (``memo/``).

Every subcommand takes ``--memo PATH|URL`` (default ``$EAGERSMT_MEMO``, else
``~/.cache/eagersmt/memo.sqlite``) and ``--key-file FILE`` (default: ``trust.load_key``'s
order).  Exit codes: 0 done; 1 the store or a file cannot be used (``error: ...``); 4 some
entries were refused (``import``: not authentic under the key; ``stats --scan``: refused
rows found; ``gc`` deletes them and exits 0).
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Optional

import click

EXIT_INPUT, EXIT_REFUSED = 1, 4


def _store_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option("--key-file", type=click.Path(dir_okay=False), default=None,
                      help="The owner's HMAC key (default: $EAGERSMT_MEMO_KEY, "
                           "$EAGERSMT_MEMO_KEY_FILE, ~/.config/eagersmt/memo.key).")(fn)
    return click.option("--memo", "location", default=None, metavar="PATH|URL",
                        help="The store: a SQLite file or postgresql://USER@HOST:PORT/DB "
                             "(default: $EAGERSMT_MEMO).")(fn)


def _open(location: Optional[str], key_file: Optional[str]):  # type: ignore[no-untyped-def]
    from ..memo import MemoError, open_store

    try:
        return open_store(location, key_file=key_file)
    except MemoError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(EXIT_INPUT)


def _mb(n: float) -> str:
    return f"{n / 1e6:.2f} MB"


@click.group("memo")
def memo_cmd() -> None:
    """The lemma store: answers and cube refutations that later queries reuse."""


@memo_cmd.command("stats")
@_store_options
@click.option("--scan", is_flag=True, help="Open every entry and count the refused ones.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def stats_cmd(location: Optional[str], key_file: Optional[str], scan: bool, as_json: bool) -> None:
    """Where the store is, its key, and how many entries of each kind it holds."""
    from ..memo import MemoError

    store = _open(location, key_file)
    try:
        s = store.stats(scan=scan)
    except MemoError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(EXIT_INPUT)
    finally:
        store.close()
    if as_json:
        import json

        click.echo(json.dumps(s, indent=1, default=str))
    else:
        a, c = s["answer"], s["cube"]
        click.echo(f"store: {s['location']}")
        click.echo(f"key: {s['key']} (fingerprint {s['key_fingerprint']})")
        click.echo(f"answers: {a['entries']} (sat {a.get('sat', 0)}, unsat {a.get('unsat', 0)}), "
                   f"{_mb(a['bytes'])}, {a['hits']} hits")
        click.echo(f"cube refutations: {c['entries']}, {_mb(c['bytes'])}, {c['hits']} hits")
        if scan:
            click.echo(f"refused: {s['refused']}")
            for kind, ident, why in s["refused_entries"]:  # type: ignore[attr-defined]
                click.echo(f"  {kind} {ident}: {why}")
    sys.exit(EXIT_REFUSED if scan and s["refused"] else 0)


@memo_cmd.command("gc")
@_store_options
@click.option("--max-size", type=float, default=None, show_default="none", metavar="MB",
              help="Then delete the least recently used entries until the store is this small.")
@click.option("--older-than", type=float, default=None, show_default="none", metavar="DAYS",
              help="Delete entries not used for this many days.")
@click.option("--check-proofs", is_flag=True,
              help="Re-check every stored proof (check-proof's checker; slow) and delete failures.")
@click.option("--engine", type=click.Choice(["auto", "native", "python"]), default="auto",
              show_default=True, help="DRAT checker engine for --check-proofs.")
def gc_cmd(location: Optional[str], key_file: Optional[str], max_size: Optional[float],
           older_than: Optional[float], check_proofs: bool, engine: str) -> None:
    """Delete refused entries (not authentic under the key, or malformed), then old or
    least recently used ones."""
    from ..memo import MemoError

    store = _open(location, key_file)
    try:
        counts = store.gc(max_bytes=None if max_size is None else int(max_size * 1e6),
                          older_than=None if older_than is None else older_than * 86400.0,
                          check_proofs=check_proofs, engine=engine)
    except MemoError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(EXIT_INPUT)
    finally:
        store.close()
    click.echo("deleted: " + ", ".join(f"{k} {v}" for k, v in counts.items() if k != "kept")
               + f"; kept {counts['kept']}")


@memo_cmd.command("export")
@_store_options
@click.argument("output", type=click.Path(dir_okay=False, allow_dash=True))
def export_cmd(location: Optional[str], key_file: Optional[str], output: str) -> None:
    """Write every authentic entry to OUTPUT (JSON lines; '-' for stdout).  The entries stay
    sealed with the owner's key, so an export is as trustworthy as the store."""
    from ..memo import MemoError

    store = _open(location, key_file)
    try:
        if output == "-":
            n, skipped = store.export(sys.stdout)
        else:
            with open(output, "w") as f:
                n, skipped = store.export(f)
    except (MemoError, OSError) as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(EXIT_INPUT)
    finally:
        store.close()
    click.echo(f"exported: {n} entries" + (f" ({skipped} refused left out)" if skipped else ""),
               err=True)


@memo_cmd.command("import")
@_store_options
@click.argument("input_file", metavar="INPUT", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--from-key", type=click.Path(dir_okay=False), default=None,
              help="The key INPUT was sealed with (another owner's); default: this store's key.")
def import_cmd(location: Optional[str], key_file: Optional[str], input_file: str,
               from_key: Optional[str]) -> None:
    """Add the entries of an export to the store.  Each is opened with the key it was sealed
    with (--from-key, else the store's own), its certificate checked against its header, and
    stored sealed with this store's key; a refused entry is reported and skipped (exit 4)."""
    from ..memo import MemoError, Sealer, load_key

    store = _open(location, key_file)
    try:
        src = None if from_key is None else Sealer(load_key(from_key)[0])
        if input_file == "-":
            r = store.import_(sys.stdin, from_sealer=src)
        else:
            with open(input_file) as f:
                r = store.import_(f, from_sealer=src)
    except (MemoError, OSError) as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(EXIT_INPUT)
    finally:
        store.close()
    for line, why in r["refused_lines"]:  # type: ignore[attr-defined]
        click.echo(f"refused: {input_file}:{line}: {why}", err=True)
    click.echo(f"imported: {r['accepted']} entries, refused {r['refused']}")
    sys.exit(EXIT_REFUSED if r["refused"] else 0)
