"""Ray from the command line: ``submit``, ``status``, ``logs``, ``result`` (and the hidden
``job-run``, what a submitted job runs), plus the conquer's progress display.

Progress (``progress_display``): on a terminal, a rich line on stderr (cubes closed/total,
refuted, re-split, retried, workers alive, elapsed) while cubes are being conquered;
in a pipe nothing, unless ``solve --progress`` asks for plain lines (every 5 s, and a last
one); ``--quiet`` turns both off.  The conquer only calls a callback; this module draws.

Exit codes of ``result``: 0 the job's output printed (then the job's own solve exit code
if it was not 0: 1 bad input, 2 internal error), 4 the job has not finished, 5 the job
ended without a result (failed, stopped); ``status``/``logs``: 0, or 5 if the Jobs
endpoint cannot be reached or refuses the token.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
import time
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional, TextIO

import click

if TYPE_CHECKING:  # the conquer layer loads only when a display is needed
    from ..cluster import Progress
from ..config import Config

EXIT_NOT_FINISHED, EXIT_NO_RESULT = 4, 5


def solve_config(config: Config) -> Config:
    """``--ray`` implies cube-and-conquer: ``--cubes none`` becomes ``auto``."""
    if config.ray is not None and config.cubes == "none":
        try:
            return dataclasses.replace(config, cubes="auto")
        except ValueError as e:
            raise click.UsageError(f"--ray: {e}") from None
    return config


# -- progress ----------------------------------------------------------------------------

def _line(p: Progress) -> str:
    return (f"{p.closed}/{p.cubes} cubes closed: refuted {p.refuted}, re-split {p.resplit}, "
            f"retried {p.retried}; running {p.running}, pending {p.pending}; "
            f"workers {p.workers}; {p.elapsed:.1f} s")


class PlainProgress:
    """A line on ``stream`` every ``every`` seconds of a conquer, and its last state."""

    def __init__(self, stream: TextIO, every: float = 5.0):
        self.stream = stream
        self.every = every
        self.next = every

    def __call__(self, p: Progress) -> None:
        if p.final or p.elapsed >= self.next:
            self.stream.write(f"progress: {_line(p)}\n")
            self.stream.flush()
            self.next = p.elapsed + self.every
        if p.final:
            self.next = self.every  # the next check-sat starts over

    def close(self) -> None:
        pass


class RichProgress:
    """A transient rich progress bar on stderr, started by the first snapshot."""

    def __init__(self, console: Any = None):
        from rich.console import Console

        self.console = console or Console(stderr=True)
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, p: Progress) -> None:
        from rich.progress import BarColumn, Progress as Bar, TextColumn, TimeElapsedColumn

        if self.bar is None:
            self.bar = Bar(TextColumn("conquer"), BarColumn(), TextColumn("{task.fields[info]}"),
                           TimeElapsedColumn(), console=self.console, transient=True)
            self.bar.start()
        if self.task is None:
            self.task = self.bar.add_task("conquer", total=p.cubes, info="")
        info = (f"{p.closed}/{p.cubes} cubes · refuted {p.refuted} · re-split {p.resplit} · "
                f"retried {p.retried} · workers {p.workers}")
        self.bar.update(self.task, total=p.cubes, completed=p.closed, info=info)
        if p.final:
            self.bar.remove_task(self.task)
            self.task = None

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


@contextlib.contextmanager
def progress_display(config: Config, *, force: bool = False,
                     stream: Optional[TextIO] = None) -> Iterator[Optional[Callable]]:
    """Conquers inside the block report to a display chosen as in the module doc."""
    stream = stream or sys.stderr
    display: Any = None
    if not config.quiet:
        if stream.isatty():
            display = RichProgress()
        elif force:
            display = PlainProgress(stream)
    if display is None:
        yield None
        return
    from ..cluster import reporting

    try:
        with reporting(display):
            yield display
    finally:
        display.close()


# -- commands ----------------------------------------------------------------------------

def _address_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option("--token", default=None, metavar="TOKEN",
                      help="Ray auth token (default: RAY_AUTH_TOKEN, the file "
                           "RAY_AUTH_TOKEN_PATH, ~/.ray/auth_token).")(fn)
    return click.option("--address", default=None, metavar="URL",
                        help="Jobs endpoint (default: RAY_API_SERVER_ADDRESS, RAY_ADDRESS if "
                             "a URL, http://127.0.0.1:8265).")(fn)


def _print_result(r: Any) -> None:
    for line in r.output:
        click.echo(line)
    if r.error:
        click.echo(f"error: {r.error}", err=True)


def _cluster_errors(fn: Callable[[], Any]) -> Any:
    import logging

    from ..cluster.jobs import JobError

    logging.getLogger("ray").setLevel(logging.WARNING)  # not Ray's "Uploading package ..."
    try:
        return fn()
    except JobError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(EXIT_NOT_FINISHED if "no result yet" in str(e) else EXIT_NO_RESULT)
    except Exception as e:  # noqa: BLE001 - Ray's client raises its own kinds (AuthenticationError)
        click.echo(f"error: {type(e).__name__}: {e}", err=True)
        sys.exit(EXIT_NO_RESULT)


def add_commands(group: click.Group, config_options: Callable[..., Any],
                 make_config: Callable[[dict[str, Any]], Config]) -> None:
    """Register the cluster commands on the ``eagersmt`` group (called by ``cli.main``)."""

    @group.command("submit")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @config_options
    @_address_option
    @click.option("--python", "python", default="python", show_default=True,
                  help="Python of the cluster (with eagersmt installed) that runs the job.")
    @click.option("--wait/--no-wait", default=False,
                  help="Wait for the job and print its result like solve.")
    def submit_cmd(file: str, address: Optional[str], token: Optional[str], python: str,
                   wait: bool, **kwargs: Any) -> None:
        """Submit the solve of FILE as a Ray Job; prints the job id.

        The file travels in the job's working_dir; the job runs 'eagersmt solve'
        with these options (and --ray auto unless --ray is given: the cluster
        conquers the cubes).  Follow it with status / logs / result JOB_ID.
        """
        from ..cluster import jobs

        config = make_config(kwargs)
        job_id = _cluster_errors(lambda: jobs.submit(file, config, address=address,
                                                     token=token, python=python))
        click.echo(job_id)
        if wait:
            _cluster_errors(lambda: jobs.wait(job_id, address=address, token=token))
            r = _cluster_errors(lambda: jobs.result(job_id, address=address, token=token))
            _print_result(r)
            if r.exit_code:
                sys.exit(r.exit_code)

    @group.command("status")
    @click.argument("job_id")
    @_address_option
    def status_cmd(job_id: str, address: Optional[str], token: Optional[str]) -> None:
        """Print the status of a submitted job (PENDING, RUNNING, SUCCEEDED, FAILED, STOPPED)."""
        from ..cluster import jobs

        i = _cluster_errors(lambda: jobs.info(job_id, address=address, token=token))
        click.echo(i["status"] + (f": {i['message']}" if i["message"] else ""))

    @group.command("logs")
    @click.argument("job_id")
    @_address_option
    def logs_cmd(job_id: str, address: Optional[str], token: Optional[str]) -> None:
        """Print the logs of a submitted job (its stdout and stderr so far)."""
        from ..cluster import jobs

        click.echo(_cluster_errors(lambda: jobs.logs(job_id, address=address, token=token)),
                   nl=False)

    @group.command("result")
    @click.argument("job_id")
    @_address_option
    @click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
    def result_cmd(job_id: str, address: Optional[str], token: Optional[str],
                   as_json: bool) -> None:
        """Print what the job's solve printed (answers, models), from its logs.

        \b
        Exit codes: 0 printed (or the job's solve exit code: 1 bad input,
        2 internal error); 4 not finished yet; 5 ended without a result.
        """
        import json

        from ..cluster import jobs

        r = _cluster_errors(lambda: jobs.result(job_id, address=address, token=token))
        if as_json:
            doc = dataclasses.asdict(r)
            doc["models"] = [{k: str(v) if not isinstance(v, (int, bool)) else v
                              for k, v in m.items()} for m in r.models]
            click.echo(json.dumps(doc, indent=1))
        else:
            _print_result(r)
        if r.exit_code:
            sys.exit(r.exit_code)

    @group.command("job-run", hidden=True)
    @click.argument("file", type=click.Path())
    @config_options
    def job_run_cmd(file: str, **kwargs: Any) -> None:
        """What a submitted job runs: solve FILE, then print the EAGERSMT-RESULT line."""
        from ..cluster.jobs import result_line
        from ..engine import Session
        from ..errors import EagerSmtError, InputError
        from ..smtlib.parser import parse_file

        config = solve_config(make_config(kwargs))
        output: list[str] = []
        session = None
        t0 = time.perf_counter()
        try:
            session = Session(parse_file(file), config=config)
            for line in session.run():
                click.echo(line)
                output.append(line)
        except (FileNotFoundError, InputError) as e:
            click.echo(f"error: {e}", err=True)
            click.echo(result_line(file, output, [], error=str(e), exit_code=1))
            sys.exit(1)
        except (EagerSmtError, RuntimeError, MemoryError, RecursionError) as e:
            msg = f"{type(e).__name__}: {e}"
            click.echo(f"internal error: {msg}", err=True)
            click.echo(result_line(file, output, session.results if session else [],
                                   error=msg, exit_code=2))
            sys.exit(2)
        click.echo(f"solved in {time.perf_counter() - t0:.3f} s", err=True)
        click.echo(result_line(file, output, session.results))
