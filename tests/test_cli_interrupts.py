"""Ctrl-C and SIGTERM wherever a user can give them: every command ends with ``unknown`` (the
optimizer: its best model so far), exit 130 / 143, no traceback, no solver process and no
temporary file left; the Python API raises ``KeyboardInterrupt``.

The signal goes to the process group, as a terminal's Ctrl-C does (the solver processes
get it too), once the command has spent a few seconds of CPU time (it is then solving, not
starting up) on a pigeonhole formula far too hard to finish.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

EAGERSMT = str(Path(sys.executable).with_name("eagersmt"))


def pigeons(n: int, *, push: bool = False, objective: bool = False) -> str:
    """n pigeons in distinct holes 1..n-1 (unsat); ``objective``: holes 1..100 and minimize
    the highest (models come at once, proving the optimum n is hopeless)."""
    top = 100 if objective else n - 1
    text = "".join(f"(declare-fun p{i} () Int)" for i in range(n))
    text += "(declare-fun m () Int)(push 1)" if objective else "(push 1)" if push else ""
    text += "".join(f"(assert (and (<= 1 p{i}) (<= p{i} {top})))" for i in range(n))
    if objective:
        text += "".join(f"(assert (<= p{i} m))" for i in range(n))
    text += "(assert (distinct " + " ".join(f"p{i}" for i in range(n)) + "))"
    return text + ("(minimize m)" if objective else "") + "(check-sat)\n"


@pytest.fixture(autouse=True)
def own_tmpdir(tmp_path, monkeypatch):
    """The commands' temporary files go to an empty directory of their own, which must be
    empty again when they have ended."""
    tmp = tmp_path / "tmpdir"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    yield
    assert not list(tmp.iterdir()), list(tmp.iterdir())


def interrupt(argv: list[str], *, stdin: str | None = None, sig: int = signal.SIGINT,
              cpu_seconds: float = 2.0) -> tuple[int, str, str, list[psutil.Process]]:
    """Run ``argv`` in its own process group, send ``sig`` to the group once it has used
    ``cpu_seconds`` of CPU (with its children); (exit code, stdout, stderr, the processes
    it had started)."""
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env=dict(os.environ))
    if stdin is not None:
        proc.stdin.write(stdin)  # type: ignore[union-attr]
        proc.stdin.flush()  # type: ignore[union-attr]
    me = psutil.Process(proc.pid)
    kids: list[psutil.Process] = []
    deadline = time.monotonic() + 90
    try:
        while time.monotonic() < deadline:
            time.sleep(0.2)
            kids = [k for k in me.children(recursive=True) if k not in kids] + kids
            t = me.cpu_times()
            used = t.user + t.system + sum(_cpu(k) for k in kids)
            if used >= cpu_seconds:
                break
        assert proc.poll() is None, proc.communicate()
        os.killpg(proc.pid, sig)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    return proc.returncode, out, err, kids


def _cpu(p: psutil.Process) -> float:
    try:
        t = p.cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return t.user + t.system


def assert_clean_exit(code: int, out: str, err: str, kids: list[psutil.Process],
                      expected: int = 130) -> None:
    assert code == expected, err
    assert "Traceback" not in err and "pysolvers" not in err, err
    assert ("interrupted" if expected == 130 else "terminated") in err
    _, alive = psutil.wait_procs(kids, timeout=10)
    assert not alive, alive


def test_solve_after_push(tmp_path):
    f = tmp_path / "push.smt2"
    f.write_text(pigeons(14, push=True))
    code, out, err, kids = interrupt([EAGERSMT, "solve", str(f), "--encoding", "sd"])
    assert_clean_exit(code, out, err, kids)
    assert out.split() == ["unknown"]


def test_solve_after_push_sigterm(tmp_path):
    f = tmp_path / "push.smt2"
    f.write_text(pigeons(14, push=True))
    code, out, err, kids = interrupt([EAGERSMT, "solve", str(f), "--encoding", "sd"],
                                     sig=signal.SIGTERM)
    assert_clean_exit(code, out, err, kids, expected=143)
    assert out.split() == ["unknown"]


def test_solve_interactive():
    code, out, err, kids = interrupt([EAGERSMT, "solve", "-in", "--encoding", "sd"],
                                     stdin="(set-option :print-success true)\n"
                                     + pigeons(14, push=True))
    assert_clean_exit(code, out, err, kids)
    lines = out.split()
    assert lines[-1] == "unknown" and set(lines[:-1]) == {"success"}, out


def test_optimize_prints_its_best_model_so_far(tmp_path):
    f = tmp_path / "opt.smt2"
    f.write_text(pigeons(14, objective=True))
    code, out, err, kids = interrupt([EAGERSMT, "optimize", str(f), "--encoding", "sd"],
                                     cpu_seconds=4.0)
    assert_clean_exit(code, out, err, kids)
    lines = out.splitlines()
    # 'unknown' until the optimizer hands over what it found (its Interrupted.partial);
    # then the best model, not proven optimal.
    if lines[0] == "sat":
        assert any(ln.startswith("; not proven optimal: best m = ") and "interrupted" in ln
                   for ln in lines), out
        assert "(define-fun m () Int" in out
    else:
        assert lines == ["unknown"], out


def test_optimize_sigterm(tmp_path):
    f = tmp_path / "opt.smt2"
    f.write_text(pigeons(14, objective=True))
    code, out, err, kids = interrupt([EAGERSMT, "optimize", str(f), "--encoding", "sd"],
                                     sig=signal.SIGTERM, cpu_seconds=4.0)
    assert_clean_exit(code, out, err, kids, expected=143)
    assert out.splitlines()[0] in ("sat", "unknown")


def test_conquer_prints_s_unknown(tmp_path):
    f = tmp_path / "ph.smt2"
    f.write_text(pigeons(14))
    cnf = tmp_path / "ph.cnf"
    p = subprocess.run([EAGERSMT, "encode", str(f), "--encoding", "sd", "-o", str(cnf)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    code, out, err, kids = interrupt([EAGERSMT, "conquer", str(cnf), "--jobs", "1"])
    assert_clean_exit(code, out, err, kids)
    assert out.split() == ["s", "UNKNOWN"]


@pytest.mark.parametrize("backend", ["cadical", "portfolio"])
def test_python_api_raises_keyboard_interrupt(tmp_path, backend):
    script = tmp_path / "api.py"
    script.write_text(textwrap.dedent(f"""
        from eagersmt import Config, Distinct, Int, Solver
        n = 14
        p = [Int(f"p{{i}}") for i in range(n)]
        s = Solver(config=Config(encoding="sd", backend="{backend}"))
        s.push()  # (the incremental path: the SAT solver in this process)
        for x in p:
            s.add(1 <= x, x <= n - 1)
        s.add(Distinct(*p))
        print(s.check())
        """))
    code, out, err, kids = interrupt([sys.executable, str(script)])
    assert code in (130, -signal.SIGINT), err
    assert err.rstrip().splitlines()[-1] == "KeyboardInterrupt", err
    assert "pysolvers" not in err
    _, alive = psutil.wait_procs(kids, timeout=10)
    assert not alive, alive


def test_solve_with_a_certificate_leaves_no_temporary_file(tmp_path):
    # (the portfolio's Kissat then reads a temporary DIMACS file, not a pipe)
    f = tmp_path / "ph.smt2"
    f.write_text(pigeons(14))
    code, out, err, kids = interrupt([EAGERSMT, "solve", str(f), "--encoding", "sd",
                                      "--backend", "portfolio", "--proof",
                                      str(tmp_path / "cert")])
    assert_clean_exit(code, out, err, kids)
    assert out.split() == ["unknown"]


@pytest.mark.parametrize("as_list", [True, False])
def test_optimize_prints_the_partial_result_it_is_handed(monkeypatch, as_list):
    """What optimize prints of an interrupted optimizer's ``partial`` (an ``Optimum`` or a
    list of them): the best model, not proven optimal, then exit 130."""
    from click.testing import CliRunner

    import eagersmt.optimize as optimize
    from eagersmt.cli.main import main
    from eagersmt.result import Status

    def interrupted(assertions, declarations, objectives, *args, **kwargs):
        best = optimize.Optimum(Status.SAT, value=12, bound=9, objective=objectives[0],
                                model={"makespan": 12})
        e = KeyboardInterrupt()
        e.partial = [best] if as_list else best  # type: ignore[attr-defined]
        raise e

    monkeypatch.setattr(optimize, "optimize_lex", interrupted)
    example = Path(__file__).resolve().parents[1] / "examples" / "jobshop_3x3_optimize.smt2"
    r = CliRunner().invoke(main, ["optimize", str(example)])
    assert r.exit_code == 130, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == "sat"
    assert "; not proven optimal: best makespan = 12, proven bound 9 (interrupted)" in lines
    assert r.stderr.strip().splitlines()[-1] == "error: interrupted"


@pytest.mark.parametrize("argv", [["solve", "x.smt2"], ["bench", "--help"]])
def test_ctrl_c_during_the_imports_ends_as_the_commands_handler_does(monkeypatch, capsys, argv):
    # a Ctrl-C before ``errors.interrupts`` is in place (the console script importing what
    # the command needs): no traceback, ``unknown`` for solve, 130
    from eagersmt.cli import main

    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(main, "_run", interrupted)
    monkeypatch.setattr(sys, "argv", ["eagersmt", *argv])
    with pytest.raises(SystemExit) as exit_:
        main.run()
    assert exit_.value.code == 130
    out, err = capsys.readouterr()
    assert out == ("unknown\n" if argv[0] == "solve" else "")
    assert err == "error: interrupted\n"
