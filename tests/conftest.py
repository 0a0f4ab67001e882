"""Shared fixtures: where ../shared is, the benchmark manifest, what happens without it, and
the session's own temporary directory.

``SHARED`` is ``$EAGERSMT_SHARED`` or the ``shared`` folder next to the repository.  A test
that needs its benchmarks is marked ``@needs_shared`` (or calls ``require_shared()``, or
takes the ``bench_dir`` fixture): where they are missing it is skipped with the reason --
unless ``EAGERSMT_REQUIRE_SHARED=1`` (CI sets it in ``.ci/run``), where it fails, so a CI
run without the benchmarks cannot pass by skipping them.

Every test writes under pytest's temporary directory: the session points ``TMPDIR`` (and
``tempfile``) at a directory of its own there, inherited by the processes the tests start,
and fails if anything is left in it at the end (see ``_session_temp_dir``).
"""

from __future__ import annotations

import csv
import os
import tempfile
import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EAGERSMT_SHARED", REPO.parent / "shared"))
BENCH = SHARED / "benchmarks"
REQUIRE_SHARED = os.environ.get("EAGERSMT_REQUIRE_SHARED") == "1"
HAVE_SHARED = (BENCH / "MANIFEST.tsv").is_file()
SYSTEM_TMP = Path(tempfile.gettempdir())  # the machine's, before the session redirects it
# Ray's socket paths (RAY_TMPDIR/ray/session_<date>_<pid>/sockets/plasma_store) must stay
# within AF_UNIX's 107 bytes: a longer base leaves Ray its own /tmp/ray.
RAY_BASE_MAX = 107 - len("/ray/session_2026-12-07_03-57-23_718230_4194304/sockets/plasma_store")

needs_shared = pytest.mark.needs_shared


def require_shared() -> None:
    """Skip the running test (fail it under ``EAGERSMT_REQUIRE_SHARED=1``) when the shared
    benchmarks are missing."""
    if HAVE_SHARED:
        return
    why = f"shared benchmarks not found at {BENCH} (set EAGERSMT_SHARED)"
    if REQUIRE_SHARED:
        pytest.fail(why + "; EAGERSMT_REQUIRE_SHARED=1 makes that a failure", pytrace=False)
    pytest.skip(why)


def _private_lemma_store(d: Path) -> None:
    """The test session's own lemma store and key (never the user's): ``EAGERSMT_MEMO`` and
    ``EAGERSMT_MEMO_KEY_FILE`` in the session's directory ``d``, inherited by the processes
    the tests start.  The store is off unless ``EAGERSMT_TEST_MEMO`` says where it is ('on':
    the session's file): a test's answer must not depend on which tests ran before it, so
    the store's own tests (``test_memo_pipeline.py``) turn it on where they use it."""
    from eagersmt.memo.trust import KEY_ENV, KEY_FILE_ENV, create_key_file

    if os.environ.get("EAGERSMT_TEST_MEMO_DIR"):  # (set once per session)
        return
    os.environ["EAGERSMT_TEST_MEMO_DIR"] = str(d)
    os.environ["EAGERSMT_TEST_MEMO_FILE"] = os.path.join(d, "memo.sqlite")
    want = os.environ.get("EAGERSMT_TEST_MEMO", "off")
    os.environ["EAGERSMT_MEMO"] = os.path.join(d, "memo.sqlite") if want == "on" else want
    os.environ.pop(KEY_ENV, None)
    create_key_file(Path(d) / "memo.key")
    os.environ[KEY_FILE_ENV] = str(Path(d) / "memo.key")


def _eagersmt_entries(d: Path) -> set[str]:
    try:
        return {p.name for p in d.iterdir() if p.name.startswith("eagersmt")}
    except OSError:
        return set()


@pytest.fixture(scope="session", autouse=True)
def _session_temp_dir(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The session's temporary files under pytest's base directory: ``TMPDIR`` and
    ``tempfile.tempdir`` name ``<basetemp>/tmp`` (so what the tests and the processes they
    start make with ``tempfile`` lands there), Ray's sessions go to ``<basetemp>/ray``
    (``RAY_TMPDIR``), the lemma store and key to ``<basetemp>/memo``.  At the end the
    session fails if anything is left in ``<basetemp>/tmp`` (a temporary file someone did
    not remove), and warns of new ``eagersmt*`` entries in the machine's temporary
    directory (a path that bypasses ``TMPDIR``, or another process running meanwhile)."""
    tmp = tmp_path_factory.mktemp("tmp", numbered=False)
    base = tmp_path_factory.getbasetemp()
    before = _eagersmt_entries(SYSTEM_TMP)
    _private_lemma_store(tmp_path_factory.mktemp("memo", numbered=False))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TMPDIR", str(tmp))
        mp.setattr(tempfile, "tempdir", str(tmp))
        mp.setenv("RAY_TMPDIR", str(base) if len(str(base)) <= RAY_BASE_MAX else str(SYSTEM_TMP))
        yield
    new = sorted(_eagersmt_entries(SYSTEM_TMP) - before)
    if new:
        warnings.warn(pytest.PytestWarning(
            f"new entries in {SYSTEM_TMP} during the tests (written past TMPDIR, or by another "
            f"process meanwhile): {new}"))
    left = sorted(p.name for p in tmp.iterdir())
    if left:
        pytest.fail(f"temporary files left behind in {tmp}: {left}", pytrace=False)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "needs_shared: needs ../shared/benchmarks (skipped without it, failed "
                   "without it under EAGERSMT_REQUIRE_SHARED=1)")


def pytest_report_header(config: pytest.Config) -> str:
    state = "found" if HAVE_SHARED else "MISSING"
    return (f"shared benchmarks: {BENCH} ({state}; "
            f"{'required' if REQUIRE_SHARED else 'tests that need them skip without them'})")


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("needs_shared") is not None:
        require_shared()


def manifest() -> list[dict[str, str]]:
    path = BENCH / "MANIFEST.tsv"
    if not path.exists():
        return []
    with open(path) as f:
        return list(csv.DictReader(f, delimiter="\t"))


def z3_seconds(row: dict[str, str]) -> float:
    try:
        return float(row["z3_s"])
    except ValueError:
        return float("inf")


@pytest.fixture(scope="module")
def head():  # type: ignore[no-untyped-def]
    """A private 2-CPU Ray head for one test module's tests (``tools.ray_head.RayHead``)."""
    from eagersmt.tools.ray_head import RayHead

    try:
        h = RayHead(2, object_store_mb=100)
    except RuntimeError as e:
        pytest.fail(str(e))
    with h:
        yield h


@pytest.fixture(scope="session")
def bench_dir() -> Path:
    require_shared()
    return BENCH


# -- the lemma store's PostgreSQL server (tests/test_memo_*.py) ---------------------------
# EAGERSMT_TEST_PG_URL: a database the tests may wipe (.ci/run starts one); else they start
# a private server from the installed Debian package (tests/pgserver.py).  Without either
# the tests that need it are skipped, unless EAGERSMT_REQUIRE_MEMO_SERVER is set (CI): then
# they fail.
REQUIRE_MEMO_SERVER = "EAGERSMT_REQUIRE_MEMO_SERVER"


def _no_memo_server(why: str) -> None:
    if os.environ.get(REQUIRE_MEMO_SERVER):
        pytest.fail(f"PostgreSQL for the lemma store is required ({REQUIRE_MEMO_SERVER}) but {why}")
    pytest.skip(f"no PostgreSQL for the lemma store: {why}")


@pytest.fixture(scope="session")
def memo_pg_url():  # type: ignore[no-untyped-def]
    import shutil

    url = os.environ.get("EAGERSMT_TEST_PG_URL")
    server = None
    if not url:
        from .pgserver import PgServer, bindir

        if bindir() is None:
            _no_memo_server("PostgreSQL is not installed and EAGERSMT_TEST_PG_URL is not set")
        # in the machine's temporary directory (removed below): the user postgres cannot
        # enter pytest's (mode 0700)
        server = PgServer(tempfile.mkdtemp(prefix="eagersmt-pg-", dir=SYSTEM_TMP))
        try:
            url = server.start()
        except Exception as e:  # noqa: BLE001 - any failure to start is reported as such
            try:
                server.stop()
            except Exception:  # noqa: BLE001
                pass
            _no_memo_server(f"the private server did not start: {e}")
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=10):
            pass
    except Exception as e:  # noqa: BLE001
        _no_memo_server(f"cannot connect: {e}")
    yield url
    if server is not None:
        server.stop()
        shutil.rmtree(server.base, ignore_errors=True)
