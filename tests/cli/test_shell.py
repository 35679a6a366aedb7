"""What a shell user meets first: --help and --version, the lazily loaded
commands, Tab completion in bash, zsh and fish, and pipes closed early."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEEDS

BIN = str(Path(sys.executable).parent)


def _env(tmp_path: Path, library: Path | None = None) -> dict:
    env = {**os.environ, "PATH": BIN + os.pathsep + os.environ.get("PATH", ""),
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("NO_COLOR", None)
    if library is not None:
        env["PAPERTRIAGE_LIBRARY"] = str(library)
    return env


def _papertriage(tmp_path: Path, *args: str, library: Path | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "papertriage", *args], env=_env(tmp_path, library),
                          capture_output=True, text=True, **kw)


@pytest.fixture
def tagged(seeded, cli):
    """The seeds, with a small tag hierarchy."""
    cli("tag", "add", "method/kan", "e922")
    cli("tag", "add", "method/transformer,llm", "166c")
    return Path(seeded.path)


# -- help, version, lazy loading ---------------------------------------------------------


def test_version(cli):
    from importlib.metadata import version

    r = cli("--version")
    assert r.code == 0 and r.out == f"papertriage {version('papertriage')}\n"


def test_root_help_lists_every_command(cli):
    from papertriage.cli.commands import COMMANDS

    r = cli("--help")
    assert r.code == 0 and r.out.startswith("Usage: papertriage [OPTIONS] COMMAND [ARGS]...")
    for name in COMMANDS:
        assert f"\n  {name} " in r.out
    assert "--version" in r.out
    nothing = cli()
    assert nothing.code == 2 and "Commands:" in nothing.err


def test_every_command_is_in_the_table_has_help_and_is_in_the_readme():
    """The table drives --help and completion: it must list every command, with its own summary."""
    import importlib

    from papertriage.cli import app
    from papertriage.cli.commands import COMMANDS
    from papertriage.cli.lazy import root_group

    readme = (SEEDS.parent / "README.md").read_text(encoding="utf-8")
    group = root_group()
    for name, (module, summary) in COMMANDS.items():
        importlib.import_module(f"papertriage.cli.{module}")
        command = group.get_command(None, name)
        assert command is not None, f"{name}: not defined in papertriage.cli.{module}"
        assert command.help, f"{name} has no help text"
        first = " ".join(command.help.split("\n\n")[0].split())
        assert first == summary, f"COMMANDS[{name!r}] should say {first!r}"
        assert f"papertriage {name}" in readme, f"README does not show `papertriage {name}`"
    import typer.main

    registered = {info.name or typer.main.get_command_name(info.callback.__name__) for info in app.registered_commands}
    registered |= {info.name for info in app.registered_groups}
    assert registered <= set(COMMANDS), f"add {registered - set(COMMANDS)} to cli/commands.py"


def test_help_and_completion_never_import_typer(tmp_path):
    _papertriage(tmp_path, "__complete", "bash", "papertriage ")  # the first Tab reads the commands once
    code = ("import sys\nfrom papertriage.cli import _fast_path\n"
            "_fast_path(['--help']); _fast_path(['--version'])\n"
            "_fast_path(['__complete', 'bash', 'papertriage sh'])\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'click', 'rich')))")
    r = subprocess.run([sys.executable, "-c", code], env=_env(tmp_path), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "[]"


_QUICK_RUN = ("import sys\nfrom papertriage.cli import main, _run\n"
              "args = sys.argv[2:]\n"
              "if sys.argv[1] == 'typer':\n    sys.exit(_run(args))\n"
              "try:\n    main(args)\nexcept SystemExit as e:\n"
              "    print(sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'click', 'rich')), file=sys.stderr)\n"
              "    raise\n")


@pytest.mark.parametrize("args", [
    ["ingest", "--page-date", "2024-06-23", str(SEEDS)],
    ["ingest", "-q", str(SEEDS / "000_2967eebb8705e551.txt"), str(SEEDS / "nothing-here.txt")],
    ["ingest", "--page-date=23/06/2024", str(SEEDS)],
    ["ingest", "--page-date", "000_2967eebb8705e551.txt=2024-06-23", "--page-date", "2024-06-24", str(SEEDS)],
], ids=["folder", "quiet, missing file", "bad date", "a date per file"])
def test_a_plain_ingest_starts_without_typer_and_says_the_same(tmp_path, args):
    """Issue 16: a daily ingest skips Typer's start-up; its output and exit
    status are the Typer command's, word for word."""
    runs = {}
    for way in ("quick", "typer"):
        library = tmp_path / f"{way}.db"
        r = subprocess.run([sys.executable, "-c", _QUICK_RUN, way, "--library", str(library), *args],
                           env=_env(tmp_path), capture_output=True, text=True)
        runs[way] = r
    quick, typer_run = runs["quick"], runs["typer"]
    assert quick.stderr.strip().splitlines()[-1] == "[]"  # no Typer, Click or Rich imported
    assert quick.returncode == typer_run.returncode
    assert quick.stdout.replace("quick.db", "X") == typer_run.stdout.replace("typer.db", "X")
    assert quick.stderr.strip().splitlines()[:-1] == typer_run.stderr.strip().splitlines()


_ALREADY_IN_RUN = ("import sys\nfrom papertriage.cli import main, _run\n"
                   "args = sys.argv[2:]\n"
                   "try:\n    sys.exit(_run(args)) if sys.argv[1] == 'typer' else main(args)\nexcept SystemExit as e:\n"
                   "    print(sorted(m for m in ('papertriage.model', 'papertriage.dedup', 'papertriage.parse')"
                   " if m in sys.modules), file=sys.stderr)\n"
                   "    raise\n")


@pytest.mark.parametrize("names, quiet", [
    (["000_2967eebb8705e551.txt", "001_01088ffb7e7fac53.txt"], False),
    (["003_2565c5b66cf8255e.txt"], True),
    (["000_2967eebb8705e551.txt", "000_2967eebb8705e551.txt"], False),
], ids=["two files", "quiet", "one file twice"])
def test_an_ingest_of_dumps_already_in_says_so_before_loading_the_ingest_machinery(seeded, tmp_path, names, quiet):
    """Issue 16 (ingest start-up): dumps whose content the library holds are
    recognised by their hash before the parsers, dedup and the papers are
    imported; what the user reads is the Typer command's, word for word, and
    the library is unchanged."""
    before = Path(seeded.path).read_bytes()
    runs = {}
    for way in ("quick", "typer"):
        args = ["--library", seeded.path, "ingest", *(["-q"] if quiet else []), *(str(SEEDS / n) for n in names)]
        runs[way] = subprocess.run([sys.executable, "-c", _ALREADY_IN_RUN, way, *args], env=_env(tmp_path),
                                   capture_output=True, text=True)
    quick, typer_run = runs["quick"], runs["typer"]
    assert quick.returncode == typer_run.returncode == 0
    assert quick.stdout == typer_run.stdout
    assert quick.stdout.count("skipped (already ingested)") == (0 if quiet else len(names))
    assert quick.stderr.strip() == "[]"  # neither the model, dedup nor a parser was imported
    assert quick.stderr.strip().splitlines()[:-1] == typer_run.stderr.strip().splitlines()[:-1] == []
    assert Path(seeded.path).read_bytes() == before


def test_a_new_dump_among_dumps_already_in_is_ingested_as_ever(seeded, tmp_path):
    new = tmp_path / "new.txt"
    text = (SEEDS / "000_2967eebb8705e551.txt").read_text(encoding="utf-8")
    new.write_text(text.replace("Kolmogorov", "Kolmogoroff", 1), encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "papertriage", "--library", seeded.path, "ingest",
                        str(SEEDS / "000_2967eebb8705e551.txt"), str(new)],
                       env=_env(tmp_path), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].endswith("000_2967eebb8705e551.txt: skipped (already ingested)")
    assert "new.txt: " in lines[1] and "skipped" not in lines[1]
    assert lines[-1].startswith("2 files: ") and "1 skipped" in lines[-1]


@pytest.mark.parametrize("args", [
    ["ingest", "--explain", "x"], ["ingest", "--help"], ["ingest"], ["ingest", "-q", "-q", "x"],
    ["--library", "a", "--library", "b", "ingest", "x"], ["list", "ingest"], ["ingest", "--", "-x"],
])
def test_other_ingest_command_lines_go_to_typer(args):
    from papertriage.cli.quick import quick_ingest_args

    assert quick_ingest_args(args) is None


def test_a_command_loads_only_its_own_module(seeded, tmp_path):
    code = ("import sys\nfrom papertriage.cli import main\n"
            "try:\n    main(['search', 'kolmogorov', '--format', 'ids'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('papertriage.cli.')))")
    r = subprocess.run([sys.executable, "-c", code], env=_env(tmp_path, Path(seeded.path)),
                       capture_output=True, text=True)
    loaded = eval(r.stdout.strip().splitlines()[-1])
    assert "papertriage.cli.searching" in loaded  # what search does (run without Typer: its fast path)
    assert not {"papertriage.cli.tag", "papertriage.cli.export", "papertriage.cli.triage"} & set(loaded)


def test_a_plain_search_never_imports_typer(seeded, tmp_path):
    code = ("import sys\nfrom papertriage.cli import main\n"
            "try:\n    main(['search', 'kolmogorv', 'arnold', '-n', '3', '--format', 'ids', '--sort', 'date'])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'click', 'rich')))")
    r = subprocess.run([sys.executable, "-c", code], env=_env(tmp_path, Path(seeded.path)),
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.split()) == 4 and r.stdout.strip().splitlines()[-1] == "[]"


def test_mistyped_command_suggests_from_the_whole_table(cli):
    r = cli("serach", "x")
    assert r.code == 2 and "Did you mean 'search'" in r.err


def test_list_into_head_exits_0(seeded, tmp_path):
    """Only "nothing matched" is exit 1; a reader that leaves early is not an error."""
    env = _env(tmp_path, Path(seeded.path))
    for args in ("list", "list --limit 0", "search model --limit 0", "export --format json"):
        r = subprocess.run(f"{sys.executable} -m papertriage {args} | head -1; exit ${{PIPESTATUS[0]}}",
                           shell=True, executable="/bin/bash", env=env, capture_output=True, text=True)
        assert r.returncode == 0, (args, r.stderr)
        assert r.stderr == ""


# -- completion ------------------------------------------------------------------------


def complete(tmp_path: Path, library: Path, shell: str, *words: str) -> list[str]:
    args = [words[0]] if shell == "bash" else list(words)
    r = _papertriage(tmp_path, "__complete", shell, *args, library=library)
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_entry_point(tagged, tmp_path, shell):
    def values(line: str) -> list[str]:
        words = line.split(" ")
        got = complete(tmp_path, tagged, shell, *( [line] if shell == "bash" else words[1:]))
        return [g.split("\t")[0] for g in got]

    assert values("papertriage se") == ["search"]
    assert {"ingest", "list", "tag", "completion"} <= set(values("papertriage "))
    assert values("papertriage tag re") == ["remove", "rename"]
    assert values("papertriage list --so") == ["--sort"]
    assert "--reverse" in values("papertriage list --")
    assert set(values("papertriage list --format ")) >= {"table", "json", "tsv", "ids", "markdown"}
    assert values("papertriage mark ") == ["new", "keep", "skip", "read"]
    assert values("papertriage show e92") == ["e92269d6"]
    assert values("papertriage tag add method/") == ["method/kan", "method/transformer"]
    assert values("papertriage tag add llm,method/k") == ["llm,method/kan"]
    assert values("papertriage search tag:method/t") == ["tag:method/transformer"]
    assert values("papertriage search -status:sk") == ["-status:skip"]
    assert "upvotes:" in values("papertriage search up")
    assert values("papertriage ingest ") == ["__files__"]


def test_fish_descriptions_and_no_library(tmp_path):
    got = complete(tmp_path, tmp_path / "none.db", "fish", "show", "")
    assert got == []  # no library yet: nothing to offer, no error
    assert any(line.startswith("search\tFind papers") for line in complete(tmp_path, tmp_path / "x.db", "fish", "s"))


def _script(tmp_path: Path, shell: str) -> Path:
    path = tmp_path / f"papertriage.{shell}"
    path.write_text(_papertriage(tmp_path, "completion", shell).stdout)
    return path


def test_bash_completes_through_its_script(tagged, tmp_path):
    script = _script(tmp_path, "bash")
    driver = (f'source {script}\n'
              'COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}\n'
              'COMP_WORDS=(${COMP_LINE//:/ : }); [[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")\n'
              'COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n'
              '_papertriage_complete; printf "%s\\n" "${COMPREPLY[@]}"\n')

    def run(line: str) -> list[str]:
        r = subprocess.run(["bash", "-c", driver, "bash", line], env=_env(tmp_path, tagged),
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        return r.stdout.splitlines()

    assert run("papertriage sea") == ["search"]
    # bash splits `tag:me` at the colon: the replies are what follows it.
    assert run("papertriage search tag:method/k") == ["method/kan"]
    assert run("papertriage show e92") == ["e92269d6"]


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completes_through_its_script(tagged, tmp_path):
    script = _script(tmp_path, "fish")
    r = subprocess.run(["fish", "--no-config", "-c", f"source {script}; complete -C 'papertriage search tag:method/k'"],
                       env=_env(tmp_path, tagged), capture_output=True, text=True)
    assert r.stdout.splitlines() == ["tag:method/kan\t1 paper"], r.stderr


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_completes_through_its_script(tagged, tmp_path):
    script = _script(tmp_path, "zsh")
    # compadd and _files stand in for zsh's completion system: they print what they are given.
    driver = ('compadd() { local a last; for a in "$@"; do [[ $a == -* || $a == "("* ]] || last=$a; done;'
              ' print -r -- "$last" }\n_files() { print -r -- "<files>" }\ncompdef() { : }\n'
              f'source {script}\nwords=("$@"); CURRENT=$#\n_papertriage\n')
    r = subprocess.run(["zsh", "-f", "-c", driver, "zsh", "papertriage", "search", "tag:method/"],
                       env=_env(tmp_path, tagged), capture_output=True, text=True)
    assert r.stdout.splitlines() == ["tag:method/kan", "tag:method/transformer"], r.stderr
    r = subprocess.run(["zsh", "-f", "-c", driver, "zsh", "papertriage", "export", "-o", ""],
                       env=_env(tmp_path, tagged), capture_output=True, text=True)
    assert r.stdout.splitlines() == ["<files>"]
