"""Ray Jobs from the command line: ``submit``, ``status``, ``logs``, ``result`` (and the hidden
``job-run``, what a submitted job runs: ``solve`` plus a result line); ``pool status|stop``,
the warm workers ``solve --ray ADDRESS`` keeps on a cluster (``conquer.ray_actors``).

Exit codes (the table of ``cli/errors.py``) of ``result``: 0 the job's output printed (then
the job's own solve exit code if it was not 0: 1 bad input, 70 internal error), 6 the job
has not finished, 7 the job ended without a result (failed, stopped); ``status``: 0
succeeded, 6 and 7 as ``result``; every command: 8 the Jobs endpoint cannot be reached, is
not Ray's or refuses the token, 9 no job of that id; ``submit``: 1 for a FILE that does not
exist, as ``solve``.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Any, Callable, Optional

import click

from ..config import Config
from ..errors import Unreachable
from .errors import (EXIT_INPUT, EXIT_NO_JOB, EXIT_NO_RESULT, EXIT_NOT_FINISHED, EXIT_UNREACHABLE,
                     fail)


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


def _job_errors(fn: Callable[[], Any]) -> Any:
    """``fn()``, its failures as ``error:`` lines and the exit codes of the module doc."""
    import logging

    from ..ray_jobs import JobError, JobNotFinished, NoSuchJob

    logging.getLogger("ray").setLevel(logging.WARNING)  # not Ray's "Uploading package ..."
    try:
        return fn()
    except JobNotFinished as e:
        fail("error", str(e), EXIT_NOT_FINISHED)
    except NoSuchJob as e:
        fail("error", str(e), EXIT_NO_JOB)
    except JobError as e:
        fail("error", str(e), EXIT_NO_RESULT)
    except Unreachable as e:
        fail("error", str(e), EXIT_UNREACHABLE)
    except Exception as e:  # noqa: BLE001 - what else Ray's client raises (an upload failed)
        fail("error", f"the Ray Jobs request failed: {e}", EXIT_UNREACHABLE)


def add_commands(group: click.Group, config_options: Callable[..., Any],
                 make_config: Callable[[dict[str, Any]], Config]) -> None:
    """Register the Ray Jobs commands on the ``eagersmt`` group (called by ``cli.main``)."""

    @group.command("submit")
    @click.argument("file", type=click.Path(dir_okay=False))
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
        import os

        from .. import ray_jobs as jobs

        config = make_config(kwargs)
        if not os.path.isfile(file):
            fail("error", f"{file}: no such file", EXIT_INPUT)
        job_id = _job_errors(lambda: jobs.submit(file, config, address=address,
                                                     token=token, python=python))
        click.echo(job_id)
        if wait:
            _job_errors(lambda: jobs.wait(job_id, address=address, token=token))
            r = _job_errors(lambda: jobs.result(job_id, address=address, token=token))
            _print_result(r)
            if r.exit_code:
                sys.exit(r.exit_code)

    @group.command("pool")
    @click.argument("action", type=click.Choice(["status", "stop"]))
    @click.option("--ray", "address", default="auto", show_default=True, metavar="ADDRESS",
                  help="The cluster: 'auto' (RAY_ADDRESS or the one 'ray start' left here) "
                       "or HOST:PORT.")
    def pool_cmd(action: str, address: str) -> None:
        """The warm worker pool that 'solve --ray ADDRESS' keeps on a running cluster
        (unless EAGERSMT_POOL=0): show its workers (status) or end them (stop).  Idle
        workers end by themselves after EAGERSMT_POOL_IDLE seconds (default 600); until
        then each keeps one CPU of the cluster reserved."""
        import json
        import logging

        from ..conquer import ray_actors

        logging.getLogger("ray").setLevel(logging.WARNING)
        if address == "local":
            fail("error", "--ray local: a private Ray has no pool (it stops with its solve)",
                 EXIT_INPUT)
        try:
            with ray_actors.connected(address, num_cpus=1):
                if action == "stop":
                    click.echo(f"stopped {ray_actors.pool_stop()} pool workers")
                    return
                for worker in ray_actors.pool_status():
                    click.echo(json.dumps(worker))
        except Unreachable as e:
            fail("error", str(e), EXIT_UNREACHABLE)

    @group.command("status")
    @click.argument("job_id")
    @_address_option
    def status_cmd(job_id: str, address: Optional[str], token: Optional[str]) -> None:
        """Print the status of a submitted job (PENDING, RUNNING, SUCCEEDED, FAILED, STOPPED).

        \b
        Exit codes: 0 SUCCEEDED; 6 not finished (PENDING, RUNNING); 7 ended
        without a result (FAILED, STOPPED); 8 the endpoint cannot be reached or
        refuses the token; 9 no such job.
        """
        from .. import ray_jobs as jobs

        i = _job_errors(lambda: jobs.info(job_id, address=address, token=token))
        click.echo(i["status"] + (f": {i['message']}" if i["message"] else ""))
        if i["status"] not in jobs.TERMINAL:
            sys.exit(EXIT_NOT_FINISHED)
        if i["status"] != "SUCCEEDED":
            sys.exit(EXIT_NO_RESULT)

    @group.command("logs")
    @click.argument("job_id")
    @_address_option
    def logs_cmd(job_id: str, address: Optional[str], token: Optional[str]) -> None:
        """Print the logs of a submitted job (its stdout and stderr so far)."""
        from .. import ray_jobs as jobs

        click.echo(_job_errors(lambda: jobs.logs(job_id, address=address, token=token)),
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
        70 internal error); 6 not finished yet; 7 ended without a result;
        8 the endpoint cannot be reached or refuses the token; 9 no such job.
        """
        import json

        from .. import ray_jobs as jobs

        r = _job_errors(lambda: jobs.result(job_id, address=address, token=token))
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
        import time

        from ..ray_jobs import result_line
        from .errors import reported_errors
        from .script import run_script

        config = make_config(kwargs)
        output: list[str] = []
        t0 = time.perf_counter()

        def failed(message: str, code: int) -> None:
            click.echo(result_line(file, output, [], error=message, exit_code=code))

        with reported_errors(file, on_failure=failed, answer="unknown"):
            session = run_script(file, config, tee=output.append)
        click.echo(f"solved in {time.perf_counter() - t0:.3f} s", err=True)
        click.echo(result_line(file, output, session.results))
