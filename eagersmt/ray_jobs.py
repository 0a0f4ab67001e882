"""A whole solve as a Ray Job: submit, status, logs, result (Python API of ``eagersmt
submit | status | logs | result``).

``submit`` ships the input in the job's ``runtime_env`` (a ``working_dir`` holding just
that file) and runs ``python -m eagersmt.cli.main job-run FILE [solve options]`` on the
cluster, which needs eagersmt installed where the job's driver runs (the container of
``cluster/Dockerfile``).  By default the job conquers on the cluster itself
(``--ray auto``).  The job prints what ``eagersmt solve`` prints, then one line
``EAGERSMT-RESULT {json}`` (answers, SMT-LIB output, models, stats); ``result`` reads it
back from the job's logs.

Address (the Jobs endpoint, the dashboard's HTTP port): the argument, else
``RAY_API_SERVER_ADDRESS``, else ``RAY_ADDRESS`` when it is an ``http(s)://`` URL, else
``http://127.0.0.1:8265``.  Token: the argument, else what Ray would use
(``RAY_AUTH_TOKEN``, the file ``RAY_AUTH_TOKEN_PATH``, ``~/.ray/auth_token``), sent as
``Authorization: Bearer <token>`` (Ray 2.60 answers 401 without it, 403 for a wrong one).
Ray's client is imported only when a function is called.

Errors: an endpoint that cannot be reached, is not Ray's, or refuses the token is
``errors.Unreachable`` (found within ``PROBE_SECONDS``: Ray's client has no timeout); an
unknown job id ``NoSuchJob``; a job still running ``JobNotFinished``; a job that ended
without a result ``JobError``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterator, Optional

from .config import OPTIONS, Config
from .errors import Unreachable

MARKER = "EAGERSMT-RESULT "
DEFAULT_ADDRESS = "http://127.0.0.1:8265"
TERMINAL = ("SUCCEEDED", "FAILED", "STOPPED")


class JobError(RuntimeError):
    """A job that cannot give a result: it failed or stopped, or ended without the marker."""


class JobNotFinished(JobError):
    """The job is still PENDING or RUNNING."""


class NoSuchJob(JobError):
    """The Jobs endpoint knows no job of that id."""


PROBE_SECONDS = 5.0  # for the Jobs endpoint to answer an HTTP request (Ray's client waits forever)


@dataclass
class JobResult:
    """What a job printed: ``answers`` (one per check-sat), the solver output lines, the
    models (declared name -> int | bool | Fraction) and stats, or an ``error``."""

    answers: list[str] = field(default_factory=list)
    output: list[str] = field(default_factory=list)
    models: list[dict[str, Any]] = field(default_factory=list)
    stats: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    exit_code: int = 0
    file: str = ""


# -- the job side ------------------------------------------------------------------------

def _value(v: Any) -> Any:
    if isinstance(v, Fraction):
        return str(v) if v.denominator != 1 else v.numerator
    return v


def result_line(file: str, output: list[str], results: list, *, error: str = "",
                exit_code: int = 0) -> str:
    """The marker line a job prints: ``EAGERSMT-RESULT`` and one JSON object."""
    doc = {"file": file, "answers": [str(r.status) for r in results], "output": output,
           "models": [{k: _value(v) for k, v in r.model.items()} for r in results],
           "stats": [r.stats.as_dict() for r in results], "error": error,
           "exit_code": exit_code}
    return MARKER + json.dumps(doc, default=str)


def parse_result(logs: str) -> Optional[JobResult]:
    """The last marker line of ``logs`` as a ``JobResult`` (None if there is none)."""
    for line in reversed(logs.splitlines()):
        at = line.find(MARKER)
        if at < 0:
            continue
        doc = json.loads(line[at + len(MARKER):])
        models = [{k: Fraction(v) if isinstance(v, str) else v for k, v in m.items()}
                  for m in doc.get("models", [])]
        return JobResult(answers=doc.get("answers", []), output=doc.get("output", []),
                         models=models, stats=doc.get("stats", []),
                         error=doc.get("error", ""), exit_code=doc.get("exit_code", 0),
                         file=doc.get("file", ""))
    return None


def config_args(config: Config) -> list[str]:
    """``solve`` command-line options that reproduce ``config`` (non-default rows only)."""
    args: list[str] = []
    for o in OPTIONS:
        value = getattr(config, o.name)
        if value == o.default:
            continue
        flag = "--" + o.name.replace("_", "-")
        if o.type is bool:
            args.append(flag if value else "--no-" + o.name.replace("_", "-"))
        else:
            args += [flag, str(value)]
    return args


# -- the client side ---------------------------------------------------------------------

def resolve_address(address: Optional[str] = None) -> str:
    if address:
        return address
    env = os.environ.get("RAY_API_SERVER_ADDRESS")
    if env:
        return env
    env = os.environ.get("RAY_ADDRESS", "")
    return env if "://" in env else DEFAULT_ADDRESS


def find_token(token: Optional[str] = None) -> Optional[str]:
    """The token a client presents: the argument, ``RAY_AUTH_TOKEN``, the file
    ``RAY_AUTH_TOKEN_PATH``, ``~/.ray/auth_token`` (the order Ray itself uses)."""
    if token:
        return token.strip()
    if os.environ.get("RAY_AUTH_TOKEN"):
        return os.environ["RAY_AUTH_TOKEN"].strip()
    path = os.environ.get("RAY_AUTH_TOKEN_PATH") or str(Path.home() / ".ray" / "auth_token")
    try:
        text = Path(path).read_text().strip()
    except OSError:
        return None
    return text or None


@contextlib.contextmanager
def _api_address(address: str) -> Iterator[None]:
    # Ray's client prefers RAY_API_SERVER_ADDRESS / RAY_ADDRESS over its argument.
    saved = {k: os.environ.get(k) for k in ("RAY_API_SERVER_ADDRESS", "RAY_ADDRESS")}
    os.environ["RAY_API_SERVER_ADDRESS"] = address
    os.environ.pop("RAY_ADDRESS", None)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def client(address: Optional[str] = None, token: Optional[str] = None):  # type: ignore[no-untyped-def]
    """A ``ray.job_submission.JobSubmissionClient`` for the Jobs endpoint, with the token
    (``errors.Unreachable`` when there is none to talk to: the module doc)."""
    try:
        from ray.job_submission import JobSubmissionClient
    except ImportError as e:
        raise RuntimeError(f"jobs need Ray ({e}): pip install 'eagersmt[cluster]'") from None
    url = resolve_address(address)
    probe_http(url)
    tok = find_token(token)
    headers = {"Authorization": f"Bearer {tok}"} if tok else None
    with _api_address(url), _requests(url):
        return JobSubmissionClient(url, headers=headers)


def probe_http(url: str, seconds: float = PROBE_SECONDS) -> None:
    """``errors.Unreachable`` unless an HTTP server answers at ``url`` within ``seconds``
    (https: unless its port accepts a connection)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url if "://" in url else "http://" + url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise Unreachable(f"{url}: not an address of a Ray Jobs endpoint") from None
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", port),
                                      timeout=seconds) as sock:
            if parts.scheme == "https":
                return
            sock.sendall(b"HEAD / HTTP/1.0\r\n\r\n")
            reply = sock.recv(5)
    except OSError as e:
        raise Unreachable(f"cannot reach a Ray Jobs endpoint at {url} "
                          f"({e.strerror or 'no answer'})") from None
    if not reply.startswith(b"HTTP/"):
        raise Unreachable(f"{url} is open but is not a Ray Jobs endpoint (no HTTP answer)")


@contextlib.contextmanager
def _requests(url: str, job_id: Optional[str] = None) -> Iterator[None]:
    """Ray's client errors as this module's (the module doc)."""
    import requests
    from ray.exceptions import AuthenticationError

    try:
        yield
    except JobError:
        raise
    except AuthenticationError as e:
        raise Unreachable(f"the Ray Jobs endpoint at {url} refused the request: "
                          f"{e.message}") from None
    except (ConnectionError, requests.exceptions.RequestException):
        raise Unreachable(f"cannot reach a Ray Jobs endpoint at {url}") from None
    except RuntimeError as e:
        if job_id is not None and "status code 404" in str(e):
            raise NoSuchJob(f"no job {job_id} at {url}") from None
        if "Version check" in str(e):
            raise Unreachable(f"{url} is not a Ray Jobs endpoint ({e})") from None
        raise


def submit(path: str, config: Config = Config(), *, address: Optional[str] = None,
           token: Optional[str] = None, python: str = "python",
           submission_id: Optional[str] = None, extra_args: tuple[str, ...] = ()) -> str:
    """Submit a solve of the SMT-LIB file ``path``; returns the job id.

    ``config.ray`` unset means ``auto`` in the job: the cubes are conquered by actors on
    the cluster (``cubes`` then defaults to ``auto``, as for ``solve --ray``).
    """
    src = Path(path)
    if not src.is_file():
        raise FileNotFoundError(path)
    if config.ray is None:
        config = config.replace(ray="auto")
    args = config_args(config) + list(extra_args)
    c = client(address, token)
    tmp = tempfile.mkdtemp(prefix="eagersmt-job-")
    try:
        shutil.copy(src, Path(tmp) / src.name)
        entry = " ".join([python, "-m", "eagersmt.cli.main", "job-run",
                          shlex.quote(src.name)] + [shlex.quote(a) for a in args])
        with _requests(resolve_address(address)):
            job_id: str = c.submit_job(entrypoint=entry, submission_id=submission_id,
                                       runtime_env={"working_dir": tmp},
                                       metadata={"eagersmt": "solve", "file": src.name})
        return job_id
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def status(job_id: str, *, address: Optional[str] = None, token: Optional[str] = None) -> str:
    """PENDING, RUNNING, SUCCEEDED, FAILED or STOPPED."""
    c = client(address, token)
    with _requests(resolve_address(address), job_id):
        return str(c.get_job_status(job_id).value)


def info(job_id: str, *, address: Optional[str] = None,
         token: Optional[str] = None) -> dict[str, Any]:
    c = client(address, token)
    with _requests(resolve_address(address), job_id):
        i = c.get_job_info(job_id)
    return {"status": str(i.status.value), "message": i.message or "",
            "entrypoint": i.entrypoint, "start_time": i.start_time, "end_time": i.end_time}


def logs(job_id: str, *, address: Optional[str] = None, token: Optional[str] = None) -> str:
    c = client(address, token)
    with _requests(resolve_address(address), job_id):
        return c.get_job_logs(job_id)  # type: ignore[no-any-return]


def wait(job_id: str, *, address: Optional[str] = None, token: Optional[str] = None,
         timeout: Optional[float] = None, poll: float = 1.0) -> str:
    """Poll until the job ends (or ``timeout`` seconds); returns its last status."""
    c = client(address, token)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        with _requests(resolve_address(address), job_id):
            st = str(c.get_job_status(job_id).value)
        if st in TERMINAL or (deadline is not None and time.monotonic() >= deadline):
            return st
        time.sleep(poll)


def result(job_id: str, *, address: Optional[str] = None,
           token: Optional[str] = None) -> JobResult:
    """The job's result; ``JobNotFinished`` while it runs, ``JobError`` if it ended without
    one."""
    c = client(address, token)
    with _requests(resolve_address(address), job_id):
        st = str(c.get_job_status(job_id).value)
        text = c.get_job_logs(job_id)
    r = parse_result(text)
    if r is not None:
        return r
    if st not in TERMINAL:
        raise JobNotFinished(f"job {job_id} is {st}: no result yet")
    tail = "\n".join(text.splitlines()[-5:])
    raise JobError(f"job {job_id} is {st} without a result" + (f"; its log ends:\n{tail}"
                                                               if tail else ""))
