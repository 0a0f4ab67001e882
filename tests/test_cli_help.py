"""The help texts as a user reads them: one meaning per option name across commands,
defaults shown, prose wrapped to the terminal; and the renamed spellings still accepted."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from eagersmt.cli.main import main
from eagersmt.encode import choices as encodings

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "jobshop_3x3.smt2"
EAGERSMT = str(Path(sys.executable).with_name("eagersmt"))


def commands(group: click.Group = main, prefix: tuple[str, ...] = ()):
    ctx = click.Context(group)  # (the group loads each command's module when asked for it)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if cmd.hidden:
            continue
        if isinstance(cmd, click.Group):
            yield from commands(cmd, prefix + (name,))
        else:
            yield prefix + (name,), cmd


def help_of(*words: str) -> str:
    r = CliRunner().invoke(main, [*words, "--help"], terminal_width=80)
    assert r.exit_code == 0, r.output
    return r.output


def option_help(words: tuple[str, ...], option: str) -> str:
    """The help text of ``option`` in ``words``' help (joined, spaces normalized)."""
    cmd = dict(commands())[words]
    p = next(p for p in cmd.params if option in getattr(p, "opts", ()))
    return " ".join(str(p.help).split())


@pytest.mark.parametrize("words", [w for w, _ in commands()], ids=" ".join)
def test_help_is_wrapped_and_shows_defaults(words):
    text = help_of(*words)
    assert max(len(line) for line in text.splitlines()) <= 80, text
    cmd = dict(commands())[words]
    for p in cmd.params:
        if not isinstance(p, click.Option) or p.is_flag or p.hidden or p.multiple:
            continue
        shown = p.show_default not in (None, False) or "default" in (p.help or "").lower()
        assert shown, f"{' '.join(words)} {p.opts[0]}: no default shown"


def test_timeout_has_one_meaning():
    texts = {words: option_help(words, "--timeout")
             for words in (("solve",), ("optimize",), ("conquer",), ("submit",))}
    assert len(set(texts.values())) == 1, texts
    assert "each answer" in texts[("solve",)] and "'inf'" in texts[("solve",)]
    assert "[default: (none)]" in " ".join(help_of("solve").split())
    assert "--memory-limit MB" in help_of("solve")
    assert "[default: (none)]" in " ".join(help_of("optimize").split("--memory-limit")[1].split())


def test_progress_is_one_switch_in_solve_and_optimize():
    for words in (("solve",), ("optimize",)):
        assert "--progress / --no-progress" in help_of(*words)
        assert option_help(words, "--progress").startswith("Report ")
        assert "(--no-progress: nothing; --quiet: the same)" in option_help(words, "--progress")


def test_cube_and_solve_name_the_split_level_alike():
    assert "--cube-level" in help_of("cube") and "--cube-level" in help_of("solve")
    assert "--level" not in help_of("cube").replace("--cube-level", "")
    assert "'dynamic'" in option_help(("cube",), "--cubes")
    assert "'auto'" not in option_help(("cube",), "--cubes")  # solve's auto means another thing


def test_conquer_and_solve_default_to_the_same_backend():
    def default(words: tuple[str, ...]) -> object:
        cmd = dict(commands())[words]
        return next(p.default for p in cmd.params if p.name == "backend")

    assert default(("conquer",)) == default(("solve",)) == "portfolio"


def test_encode_lists_every_encoding():
    text = help_of("encode")
    assert "[" + "|".join(encodings()) + "]" in "".join(text.split())
    assert "compact" in text


@pytest.mark.parametrize("old, new", [(["--level", "cnf"], ["--cube-level", "cnf"]),
                                      (["--cubes", "auto"], ["--cubes", "dynamic"])])
def test_cube_renames_keep_the_old_spelling(tmp_path, old, new):
    outs = []
    for args in (old, new):
        out = tmp_path / f"{args[0][2:]}-{args[1]}.icnf"
        r = CliRunner().invoke(main, ["cube", str(EXAMPLE), "-o", str(out), *args])
        assert r.exit_code == 0, r.output
        outs.append(re.sub(r"c \d+ cubes in .*", "", out.read_text()))
    assert outs[0] == outs[1] and "\na " in outs[0]


def test_a_sort_error_names_the_sort(tmp_path):
    f = tmp_path / "bv.smt2"
    f.write_text("(declare-fun x () (_ BitVec 8))\n(check-sat)\n")
    r = CliRunner().invoke(main, ["solve", str(f)])
    assert r.exit_code == 1
    assert "unsupported sort '(_ BitVec 8)'" in r.stderr


def test_fuzz_reports_its_cpu_time(tmp_path):
    p = subprocess.run([EAGERSMT, "fuzz", "--cases", "3", "--out", str(tmp_path)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    cpu = re.search(r"CPU (\d+\.\d) s", p.stdout)
    assert cpu and float(cpu.group(1)) > 0, p.stdout


@pytest.mark.parametrize("option", ["--cube-level", "--level"])
def test_a_split_level_for_dimacs_input_names_the_option_as_written(tmp_path, option):
    cnf = tmp_path / "f.cnf"
    cnf.write_text("p cnf 2 2\n1 2 0\n-1 2 0\n")
    r = CliRunner().invoke(main, ["cube", str(cnf), option, "bounds"])
    assert r.exit_code == 1
    assert r.stderr.startswith(f"error: {cnf}: {option} bounds needs an SMT-LIB input")
    assert f"cubed at {option} cnf" in r.stderr
