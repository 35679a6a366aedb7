"""The fault campaign (issue 17): what papertriage survives, rerunnable by anyone.

    python bench/campaign.py            # every area: 8 minutes on 2 cores at load 11 (budget 10)
    python bench/campaign.py --quick    # fewer cases of each, about 2 minutes
    python bench/campaign.py --areas crash,hostile
    python bench/campaign.py --big      # the hostile area also ingests a 200k-record dump whole

Runs the real `papertriage` command (``python -m papertriage``) against
libraries in a temporary folder, and prints one table: area, cases,
failures, nothing lost. Areas:

- crash: SIGKILL at random moments of large ingests (several rounds, the
  bulk path included), of `tag add` from a pipe, `mark --query`, `merge`
  and `export -o`; after each kill the library opens, PRAGMA
  integrity_check is ok, every dump is whole or absent, every decision made
  before is there, each run is all or nothing; the final export equals a
  clean run's and `papertriage check` passes.
- full: a library on a small tmpfs (1-24 MB; mounting one needs root, which
  this area needs: without it the area reports itself skipped, as a failure)
  filled during ingest, tagging and export; /dev/full as export target; a read-only library file and a
  read-only folder (as an unprivileged user): one line, exit 3 (library)
  or 2 (output), nothing half-written, usable again with space.
- bad-libraries: a folder, zero bytes, random bytes, text, another
  program's SQLite database, a newer schema, pages overwritten: never a
  traceback, never a write to a file that is not a papertriage library.
- writers: 3 ingesters, 8 taggers, 2 markers, 2 note writers, 2 searchers
  for a minute; no lock error reaches a user, every tag/status/note counted.
- hostile: 520 mutated dumps and API responses and 1,000 odd queries
  (in-process, each under a time limit): exit 0/1/2, never a traceback or
  a hang, a refused file changes nothing; a 20k-record API response goes
  in and a 200k-record one with a broken last record is refused whole
  (--big: a 200k-record one goes in, minutes more).
- output: hostile titles and notes through every listing command on a
  pseudo-terminal: no raw ESC/C1/bidi byte from the data; --split never
  writes outside its folder.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import pty
import random
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

PY = [sys.executable, "-m", "papertriage"]
BIG = False  # --big


@dataclass
class Area:
    name: str
    cases: int = 0
    failures: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def fail(self, what: str) -> None:
        self.failures.append(what)

    def check(self, ok: bool, what: str) -> None:
        self.cases += 1
        if not ok:
            self.fail(what)


def env_for(library: Path) -> dict[str, str]:
    return {**os.environ, "PAPERTRIAGE_LIBRARY": str(library), "PYTHONPATH": str(ROOT / "src"),
            "XDG_CONFIG_HOME": str(library.parent / "config")}


def run(library: Path, *args: str, input: bytes | None = None, stdout=subprocess.PIPE,
        timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*PY, *args], input=input, stdout=stdout, stderr=subprocess.PIPE,
                          env=env_for(library), timeout=timeout)


def one_line_error(proc: subprocess.CompletedProcess) -> bool:
    err = proc.stderr.decode("utf-8", "replace")
    return "Traceback" not in err and len([ln for ln in err.splitlines() if ln.startswith("papertriage:")]) <= 1


def integrity(library: Path) -> str:
    db = sqlite3.connect(library)  # read-write: a WAL library read-only needs its -shm
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


def query(library: Path, sql: str, params: tuple = ()) -> list:
    db = sqlite3.connect(library)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def dumps_whole(library: Path) -> bool:
    if not query(library, "SELECT 1 FROM sqlite_master WHERE name = 'dumps'"):
        return True  # killed before the library was made: nothing to be half of
    rows = query(library, "SELECT d.records, (SELECT count(*) FROM sightings s WHERE s.dump = d.id) FROM dumps d")
    return all(a == b for a, b in rows)


orphans: list[str] = []  # commands whose processes outlived a SIGKILL


def kill_at(library: Path, args: list[str], delay: float, input: bytes | None = None) -> int | None:
    """Start ``papertriage ARGS``, SIGKILL it after ``delay`` s; its exit status if it ended first."""
    proc = subprocess.Popen([*PY, *args], stdin=subprocess.PIPE if input else subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env_for(library),
                            start_new_session=True)
    if input:
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.write(input)
            proc.stdin.close()
    try:
        return proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)  # the command only: its helper must die with it
        proc.wait()
        living = survivors(proc.pid)
        if living:
            orphans.append(f"{args[0]}: {living[0]}")  # something of the killed command lives on
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        return None


def lasts(library: Path, args: list[str], input: bytes | None = None) -> float:
    """How long ``papertriage ARGS`` runs to its end here and now: kills are aimed
    inside that span (a fixed delay missed most short commands: a first run
    killed 5 of 23 decision commands, the others had finished)."""
    t0 = time.perf_counter()
    subprocess.run([*PY, *args], input=input, capture_output=True, env=env_for(library))
    return time.perf_counter() - t0


def survivors(group: int, wait: float = 0.5) -> list[str]:
    """Processes of process group ``group`` still running ``wait`` s after its leader
    was killed. A zombie is dead: killed children are reparented to PID 1, which may
    reap them only seconds later (a first campaign run counted those as orphans)."""
    deadline = time.time() + wait
    while True:
        living = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()  # state ppid pgrp ...
            if int(fields[2]) == group and fields[0] not in "ZX":
                living.append(f"pid {entry} {stat[:stat.rindex(')') + 1]} state {fields[0]}")
        if not living or time.time() >= deadline:
            return living
        time.sleep(0.05)


def make_corpus(folder: Path, papers: int, seed: int) -> Path:
    from corpus import generate_corpus

    generate_corpus(folder, papers, seed=seed)
    meta = folder.parent / (folder.name + "-meta")
    meta.mkdir(exist_ok=True)
    for name in ("truth.jsonl", "pages.jsonl"):
        if (folder / name).exists():
            shutil.move(str(folder / name), str(meta / name))
    return folder


def export_json(library: Path) -> bytes:
    return run(library, "export", "--format", "json").stdout


# -- crash -------------------------------------------------------------------------

def area_crash(work: Path, scale: float, rng: random.Random) -> Area:
    area = Area("crash safety (SIGKILL)")
    # 2,500 papers: an ingest lasts a few seconds even on a quiet machine, so kills land
    # inside it, and the area stays a third of the 10-minute budget at load 10.
    corpus = make_corpus(work / "crash-corpus", int(2500 * scale), seed=11)
    clean = work / "clean.db"
    span = lasts(clean, ["ingest", "-q", str(corpus)])  # kills are aimed inside a whole ingest's time
    reference = export_json(clean)
    # Rounds until 55 ingests were killed (--quick: 15): each killed ingest keeps the
    # batches it committed, so a round ends after a few kills, when one ingest finishes.
    wanted, kills_per_round = max(15, int(55 * scale)), 11
    ingest_kills = 0
    for r in range(20):
        if ingest_kills >= wanted:
            break
        library = work / f"crash{r}.db"
        for k in range(kills_per_round):
            finished = kill_at(library, ["ingest", "-q", str(corpus)], rng.uniform(0.1, 0.95) * span) is not None
            ingest_kills += not finished
            if not library.exists():
                continue
            area.check(integrity(library) == "ok", f"ingest round {r} kill {k}: integrity")
            area.check(dumps_whole(library), f"ingest round {r} kill {k}: a dump is partly in")
            if finished:
                break
        done = run(library, "ingest", "-q", str(corpus))
        area.check(done.returncode == 0, f"round {r}: the rerun failed: {done.stderr[-200:]!r}")
        same = export_json(library) == reference
        area.check(same, f"round {r}: the final export differs from a clean run's")
        if not same:
            area.lost.append(f"ingest round {r}")
        area.check(run(library, "check").returncode == 0, f"round {r}: check fails after the kills")

    # Decisions: tag add from a pipe, mark --query, merge; each run all or nothing.
    library = work / "crash0.db"
    kills: dict[str, int] = {}

    def killed(what: str, exit_status: int | None) -> None:
        kills[what] = kills.get(what, 0) + (exit_status is None)

    ids = [i for i in run(library, "list", "--format", "ids", "--limit", "0").stdout.decode().split()]
    span = lasts(library, ["tag", "add", "probe", "-", "-q"], input="\n".join(ids).encode())
    for k in range(max(3, int(6 * scale))):
        tag = f"kill{k}"
        chunk = ids[: 2000 + 300 * k]
        killed("tag add", kill_at(library, ["tag", "add", tag, "-", "-q"], rng.uniform(0.3, 0.95) * span,
                                  input="\n".join(chunk).encode()))
        n = query(library, "SELECT count(*) FROM tags WHERE tag = ?", (tag,))[0][0]
        area.check(n in (0, len(chunk)), f"tag add kill {k}: {n} of {len(chunk)} tagged")
        area.check(integrity(library) == "ok", f"tag add kill {k}: integrity")
    before_tags = query(library, "SELECT count(*) FROM tags")[0][0]
    span = lasts(library, ["mark", "new", "--query", "learning", "--yes", "-q"])
    for k in range(max(3, int(6 * scale))):
        status = ("keep", "skip", "read")[k % 3]
        q = ("learning", "model", "data", "language", "vision")[k % 5]
        want = run(library, "list", q, "--format", "ids", "--limit", "0").stdout.decode().split()[:900]
        having = "SELECT count(*) FROM papers WHERE status = ? AND id IN (%s)" % ",".join("?" * len(want))
        already = query(library, having, (status, *want))[0][0]  # marked so by an earlier run
        killed("mark --query", kill_at(library, ["mark", status, "--query", q, "--yes", "-q"],
                                       rng.uniform(0.3, 0.95) * span))
        got = query(library, having, (status, *want))[0][0]
        area.check(got in (already, len(want)), f"mark kill {k}: {got} of {len(want)} ({already} before)")
        area.check(integrity(library) == "ok", f"mark kill {k}: integrity")
    after_tags = query(library, "SELECT count(*) FROM tags")[0][0]
    area.check(after_tags == before_tags, "tags lost while marking")
    if after_tags != before_tags:
        area.lost.append("tags")
    sightings = query(library, "SELECT count(*) FROM sightings")[0][0]
    span = lasts(library, ["merge", ids[90], ids[91]])
    for k in range(max(3, int(5 * scale))):
        a, b = ids[100 + 2 * k], ids[101 + 2 * k]
        papers = query(library, "SELECT count(*) FROM papers")[0][0]
        killed("merge", kill_at(library, ["merge", a, b], rng.uniform(0.3, 0.95) * span))
        area.check(integrity(library) == "ok", f"merge kill {k}: integrity")
        now = query(library, "SELECT count(*) FROM sightings")[0][0]
        area.check(now == sightings, f"merge kill {k}: sightings {sightings} -> {now}")
        after = query(library, "SELECT count(*) FROM papers")[0][0]
        area.check(after in (papers, papers - 1), f"merge kill {k}: papers {papers} -> {after}")
        if now != sightings:
            area.lost.append("sightings in merge")
    # split: the second sighting of a merged paper goes to a new paper, or nothing happens.
    span = lasts(library, ["split", ids[90], "2"])
    for k in range(max(3, int(5 * scale))):
        a = ids[150 + 2 * k]
        run(library, "merge", a, ids[151 + 2 * k])
        papers = query(library, "SELECT count(*) FROM papers")[0][0]
        killed("split", kill_at(library, ["split", a, "2"], rng.uniform(0.3, 0.95) * span))
        area.check(integrity(library) == "ok", f"split kill {k}: integrity")
        now = query(library, "SELECT count(*) FROM sightings")[0][0]
        after = query(library, "SELECT count(*) FROM papers")[0][0]
        area.check(now == sightings and after in (papers, papers + 1),
                   f"split kill {k}: sightings {sightings} -> {now}, papers {papers} -> {after}")
        if now != sightings:
            area.lost.append("sightings in split")
    # export -o: the target is the old file or the complete new one.
    out = work / "exports"
    out.mkdir(exist_ok=True)
    target = out / "all.json"
    span = lasts(library, ["export", "--format", "json", "-o", str(target)])
    complete = {hashlib.sha256(target.read_bytes()).hexdigest()}
    for k in range(max(3, int(6 * scale))):
        killed("export -o", kill_at(library, ["export", "--format", "json", "-o", str(target)],
                                    rng.uniform(0.3, 0.95) * span))
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        area.check(digest in complete, f"export -o kill {k}: a half-written target")
    run(library, "export", "--format", "json", "-o", str(target))
    leftovers = [p.name for p in out.iterdir() if p.name.endswith(".part")]
    area.check(not leftovers, f"stale temporary files left: {leftovers}")
    area.check(not orphans, f"processes outlived a killed command: {orphans[:3]}")
    area.extra = (  # type: ignore[attr-defined]
        f"kills: {ingest_kills} of ingest, " + ", ".join(f"{n} of {what}" for what, n in kills.items()))
    return area


# -- full disk, read-only -----------------------------------------------------------

@contextlib.contextmanager
def tmpfs(where: Path, size: str):
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    if done.returncode:
        raise RuntimeError(done.stderr.decode())
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(folder: Path) -> Path:
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as f:
        for block in (1 << 16, 512):
            with contextlib.suppress(OSError):
                while True:
                    f.write(b"\0" * block)
    return filler


def area_full(work: Path, scale: float, rng: random.Random) -> Area:
    area = Area("disk full, read-only")
    corpus = make_corpus(work / "full-corpus", 2000, seed=12)
    if os.geteuid() != 0:
        area.fail("not root: no tmpfs, no unprivileged user (skipped)")
        return area
    for size in ("1m", "2m", "4m", "8m"):
        with tmpfs(work / f"fs-{size}", size) as fs:
            library = fs / "library.db"
            proc = run(library, "ingest", str(corpus))
            ok = proc.returncode in (0, 3) and one_line_error(proc)
            area.check(ok, f"ingest on a {size} disk: exit {proc.returncode} {proc.stderr[-300:]!r}")
            if proc.returncode == 3:
                # Either the summary names what was not ingested, or the library could not even be
                # created (its schema did not fit): then nothing was read and the one line says so.
                said = b"NOT ingested" in proc.stdout or (not proc.stdout.strip() and b"disk full" in proc.stderr)
                area.check(said, f"ingest on {size}: the summary does not say what failed")
            if library.exists():
                area.check(integrity(library) == "ok" and dumps_whole(library), f"{size}: library damaged")
    with tmpfs(work / "fs-tags", "24m") as fs:
        library = fs / "library.db"
        run(library, "ingest", "-q", str(corpus))
        before = export_json(library)
        filler = fill(fs)
        for command in (["tag", "add", "full-" + "x" * 30, "--query", "learning", "-q"],
                        ["mark", "keep", "--query", "model", "--yes", "-q"],
                        ["note", run(library, "list", "--format", "ids", "--limit", "1").stdout.decode().strip() or "x",
                         "a note " * 2000],
                        ["export", "--format", "json", "-o", str(fs / "out.json")]):
            proc = run(library, *command)
            area.check(proc.returncode in (2, 3) and one_line_error(proc),
                       f"{command[0]} on a full disk: exit {proc.returncode} {proc.stderr[-200:]!r}")
        area.check(not (fs / "out.json").exists(), "a half export on a full disk")
        filler.unlink()
        after = export_json(library)
        area.check(after == before, "a failed write on a full disk changed the library")
        if after != before:
            area.lost.append("full disk")
        proc = run(library, "tag", "add", "after-space", "--query", "learning", "-q")
        area.check(proc.returncode == 0, "not usable again once there is space")
    # A library with papers in it: on an empty one `search` finds nothing and rightly
    # exits 1 before it writes a byte (a run of this area alone counted that).
    seeded = work / "full.db"
    run(seeded, "ingest", "-q", str(ROOT / "seeds"))
    with open("/dev/full", "wb") as full:
        for command in (["list"], ["export"], ["stats"], ["search", "learning"], ["tag", "export"]):
            proc = run(seeded, *command, stdout=full)
            area.check(proc.returncode == 2 and one_line_error(proc), f"{command[0]} > /dev/full: {proc.returncode}")
    proc = run(work / "full.db", "export", "-o", "/dev/full")
    area.check(proc.returncode == 2 and one_line_error(proc), "export -o /dev/full")
    # Read-only file and read-only folder, as an unprivileged user (root ignores permissions).
    ro = work / "ro"
    ro.mkdir(exist_ok=True)
    library = ro / "library.db"
    run(library, "ingest", "-q", str(ROOT / "seeds"))
    os.chmod(ro, 0o777)
    # The work folder is mkdtemp's 0700: the unprivileged user must be able to reach
    # the library's folder, or every command only says it cannot (a first run did).
    os.chmod(work, 0o755)
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    if shutil.which("setpriv"):
        for mode_file, mode_dir, what in ((0o444, 0o777, "file"), (0o666, 0o555, "folder")):
            os.chmod(library, mode_file)
            for extra in (library.with_name("library.db-wal"), library.with_name("library.db-shm")):
                if extra.exists():
                    extra.unlink()
            os.chmod(ro, mode_dir)
            # A new dump (examples/dumps: not in the seeds), so ingest has something to
            # write; a folder of non-dumps would print one line per bad file first.
            for command in (["stats"], ["tag", "add", "x", "--query", "kan"],
                            ["ingest", str(ROOT / "examples" / "dumps")]):
                proc = subprocess.run([*nobody, *PY, *command], capture_output=True, env=env_for(library),
                                      timeout=60)
                err = proc.stderr.decode()
                if command == ["stats"] and what == "file":
                    # Reading a read-only library is fine: stats must work (exit 0).
                    area.check(proc.returncode == 0 and b"papers" in proc.stdout and not err,
                               f"read-only file, stats: exit {proc.returncode} {err[-200:]!r}")
                    continue
                area.check(proc.returncode == 3 and "read-only" in err and one_line_error(proc),
                           f"read-only {what}, {command[0]}: exit {proc.returncode} {err[-200:]!r}")
            os.chmod(ro, 0o777)
    return area


# -- bad libraries ------------------------------------------------------------------

def area_bad(work: Path, scale: float, rng: random.Random) -> Area:
    area = Area("bad libraries")
    commands = [["stats"], ["list"], ["search", "learning"], ["tag", "add", "x", "--query", "kan"],
                ["ingest", str(ROOT / "seeds" / "000_2967eebb8705e551.txt")], ["export"], ["check"],
                ["backup", str(work / "bad-backup.db")]]
    cases: dict[str, bytes | None] = {"zero bytes": b"", "random bytes": os.urandom(65536),
                                      "text": b"this is not a database\n" * 500}
    for name, data in cases.items():
        path = work / f"bad-{name.replace(' ', '-')}.db"
        for command in commands:
            path.write_bytes(data)
            proc = run(path, *command)
            code_ok = proc.returncode in ((0, 1, 2) if name == "zero bytes" else (3,))
            area.check(code_ok and one_line_error(proc), f"{name}, {command[0]}: exit {proc.returncode}")
            if name != "zero bytes":
                area.check(path.read_bytes() == data, f"{name}, {command[0]}: the file was written")
    folder = work / "bad-folder.db"
    folder.mkdir(exist_ok=True)
    for command in commands[:4]:
        proc = run(folder, *command)
        area.check(proc.returncode == 3 and one_line_error(proc), f"folder, {command[0]}: exit {proc.returncode}")
    other = work / "other-program.db"
    for tables in ("CREATE TABLE songs (t TEXT)", "CREATE TABLE papers (x); CREATE TABLE _migrations (name)"):
        if other.exists():
            other.unlink()
        db = sqlite3.connect(other)
        db.executescript(tables)
        db.close()
        data = other.read_bytes()
        for command in commands:
            proc = run(other, *command)
            area.check(proc.returncode == 3 and one_line_error(proc), f"other db, {command[0]}: {proc.returncode}")
            area.check(other.read_bytes() == data and not Path(f"{other}-wal").exists(),
                       f"other db, {command[0]}: the file was written")
    newer = work / "newer.db"
    run(newer, "ingest", "-q", str(ROOT / "seeds"))
    db = sqlite3.connect(newer)
    db.execute("INSERT INTO _migrations VALUES ('m999_from_the_future', '2030-01-01')")
    db.commit()
    db.close()
    for command in commands:
        proc = run(newer, *command)
        area.check(proc.returncode == 3 and b"newer papertriage" in proc.stderr and one_line_error(proc),
                   f"newer schema, {command[0]}: exit {proc.returncode}")
    # Pages overwritten in the middle: every page of a small library x 8 commands, sampled.
    base = work / "pages.db"
    run(base, "ingest", "-q", str(ROOT / "seeds"))
    run(base, "stats")
    original = base.read_bytes()
    pages = len(original) // 4096
    sample = sorted(rng.sample(range(1, pages), min(pages - 1, max(4, int(10 * scale)))))
    for page in sample:
        for command in commands[:6]:
            damaged = bytearray(original)
            damaged[page * 4096:(page + 1) * 4096] = rng.randbytes(4096)
            base.write_bytes(bytes(damaged))
            for extra in (Path(f"{base}-wal"), Path(f"{base}-shm")):
                if extra.exists():
                    extra.unlink()
            proc = run(base, *command)
            area.check(proc.returncode in (0, 1, 2, 3) and one_line_error(proc),
                       f"page {page}, {command[0]}: exit {proc.returncode} {proc.stderr[-200:]!r}")
    base.write_bytes(original)
    return area


# -- many writers -------------------------------------------------------------------

WRITER = r"""
import os, random, subprocess, sys, time, json
py, role, n, lib, deadline, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5]), int(sys.argv[6])
ids = open(lib + ".ids").read().split()
rng = random.Random(seed)
env = dict(os.environ, PAPERTRIAGE_LIBRARY=lib)
done, errors = [], []
files = sorted(os.listdir(lib + ".dumps"))
i = 0
while time.time() < deadline:
    if role == "ingest":
        mine = [f for f in files if hash(f) % 3 == n]
        if i >= len(mine):
            time.sleep(0.5); i += 1; continue
        args = ["ingest", "-q", os.path.join(lib + ".dumps", mine[i])]
    elif role == "tag":
        chunk = rng.sample(ids, 20)
        args = ["tag", "add", f"w{n}-{i}", *chunk, "-q"]
    elif role == "mark":
        chunk = [x for x in rng.sample(ids, 40) if int(x, 16) % 2 == n][:10]
        status = ("keep", "skip", "read")[i % 3]
        args = ["mark", status, *chunk, "-q"]
    elif role == "note":
        pid = [x for x in rng.sample(ids, 20) if int(x, 16) % 2 == n][0]
        args = ["note", pid, f"note {n}-{i}"]
    else:
        args = ["search", rng.choice(["learning", "model data", "transformer OR diffusion", "vision -language"])]
    p = subprocess.run([py, "-m", "papertriage", *args], capture_output=True, env=env)
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode not in (0, 1) or "Traceback" in err:
        errors.append([args[:2], p.returncode, err[-300:]])
    elif role in ("tag", "mark", "note"):
        done.append([args[:-1] if role == "tag" else args[:-1] if role == "mark" else args])
    i += 1
print(json.dumps({"role": role, "n": n, "runs": i, "done": done, "errors": errors}))
"""


def area_writers(work: Path, scale: float, rng: random.Random) -> Area:
    area = Area("many writers at once")
    corpus = make_corpus(work / "writers-corpus", 3000, seed=13)
    library = work / "writers.db"
    files = sorted(corpus.iterdir())
    run(library, "ingest", "-q", *map(str, files[: len(files) // 2]))
    dumps = Path(f"{library}.dumps")
    dumps.mkdir(exist_ok=True)
    for f in files[len(files) // 2:]:
        shutil.copy(f, dumps / f.name)
    Path(f"{library}.ids").write_text(run(library, "list", "--format", "ids", "--limit", "0").stdout.decode())
    script = work / "writer.py"
    script.write_text(WRITER)
    seconds = 60 * scale if scale < 1 else 60
    deadline = time.time() + seconds
    roles = [("ingest", 3), ("tag", 8), ("mark", 2), ("note", 2), ("search", 2)]
    procs = []
    for role, count in roles:
        for n in range(count):
            procs.append(subprocess.Popen([sys.executable, str(script), sys.executable, role, str(n), str(library),
                                           str(deadline), str(rng.randrange(1 << 30))],
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")}))
    results = []
    for p in procs:
        out, err = p.communicate(timeout=seconds + 300)
        try:
            results.append(json.loads(out.decode().strip().splitlines()[-1]))
        except (ValueError, IndexError):
            area.fail(f"a writer died: {err.decode()[-300:]}")
    # Count everything.
    tags = set(query(library, "SELECT tag || ' ' || p.id FROM tags JOIN papers p ON p.pk = tags.paper"))
    tags = {t[0] for t in tags}
    statuses = dict(query(library, "SELECT id, status FROM papers"))
    notes = dict(query(library, "SELECT id, note FROM papers WHERE note IS NOT NULL"))
    last_status: dict[str, str] = {}
    last_note: dict[str, str] = {}
    for r in results:
        for e in r["errors"]:
            area.check(False, f"{r['role']} {r['n']}: exit {e[1]}: {e[2]!r}")
        area.cases += r["runs"]
        for (args,) in r["done"]:
            if r["role"] == "tag":
                tag, ids = args[2], args[3:]
                for pid in ids:
                    if f"{tag} {pid}" not in tags:
                        area.lost.append(f"tag {tag} on {pid}")
            elif r["role"] == "mark":
                for pid in args[2:]:
                    last_status[pid] = args[1]
            elif r["role"] == "note":
                last_note[args[1]] = args[2]
    for pid, status in last_status.items():  # markers own disjoint papers: the last run wins
        if statuses.get(pid) != status:
            area.lost.append(f"status of {pid}")
    for pid, note in last_note.items():
        if notes.get(pid) != note:
            area.lost.append(f"note of {pid}")
    ingested = query(library, "SELECT count(*) FROM dumps")[0][0]
    area.check(dumps_whole(library) and integrity(library) == "ok", "library not sound after the writers")
    area.check(run(library, "check").returncode == 0, "check fails after the writers")
    area.extra = f"{ingested} dumps"  # type: ignore[attr-defined]
    return area


# -- hostile input --------------------------------------------------------------------

def mutations(rng: random.Random, base: list[bytes], api: bytes, count: int) -> list[tuple[str, bytes]]:
    """``count`` mutated dumps and API responses."""
    cases: list[tuple[str, bytes]] = []
    hostile = ["\x00", "\x1b]52;c;ZXZpbA==\x07", "\x1b[2J", "\u202e", "\x9b31m", "\ud800", "\ufeff", "\r", "\u2028"]
    ops = ["truncate", "flip", "insert", "utf16", "utf16-bom", "latin1", "crlf", "mixed", "longline", "json-type",
           "json-deep", "json-number", "json-nest", "invalid-utf8", "empty", "dup"]
    while len(cases) < count:
        op = ops[len(cases) % len(ops)]
        data = rng.choice(base + [api])
        text = data.decode("utf-8", "replace")
        if op == "truncate":
            out = data[: rng.randrange(1, len(data))]
        elif op == "flip":
            b = bytearray(data)
            for _ in range(rng.randrange(1, 20)):
                b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
            out = bytes(b)
        elif op == "insert":
            at = rng.randrange(len(text))
            out = (text[:at] + rng.choice(hostile) + text[at:]).encode("utf-8", "surrogatepass")
        elif op == "utf16":
            out = text.encode("utf-16-le")
        elif op == "utf16-bom":
            out = text.encode("utf-16")
        elif op == "latin1":
            out = (text + " café naïve").encode("latin-1", "replace")
        elif op == "crlf":
            out = text.replace("\n", "\r\n").encode()
        elif op == "mixed":
            out = "".join(c if c != "\n" else rng.choice(["\n", "\r\n", "\r"]) for c in text).encode()
        elif op == "longline":
            out = (text + "\n" + "word " * rng.randrange(100_000, 1_000_000) + "\n").encode()
        elif op == "json-type":
            out = json.dumps([{"paper": {"title": rng.choice([1, None, [], {}, True, "x"]),
                                         "summary": rng.choice([2.5, None, ["a"], "s"]),
                                         "upvotes": rng.choice(["many", -5, 1.5, None, [1]]),
                                         "authors": rng.choice(["x", 3, None, [{}]])}}]).encode()
        elif op == "json-deep":
            out = ("[" * rng.randrange(50, 100_000)).encode()
        elif op == "json-number":
            out = json.dumps([{"paper": {"title": "Big numbers", "summary": "An abstract of big numbers.",
                                         "upvotes": rng.choice([10**30, -(10**20), 2**63, 10**9 + 1])}}]).encode()
        elif op == "json-nest":
            out = json.dumps([{"paper": {"title": "T", "summary": {"a": [[[["deep"]]]]}}}]).encode()
        elif op == "invalid-utf8":
            b = bytearray(data)
            b[rng.randrange(len(b))] = 0xFF
            out = bytes(b)
        elif op == "empty":
            out = rng.choice([b"", b"\n\n\n", b"   ", b"[]", b"{}", b"\xef\xbb\xbf"])
        else:
            out = data + data
        cases.append((op, out))
    return cases


def odd_queries(rng: random.Random, count: int) -> list[str]:
    pieces = ["kan", "transformer*", "a*", '"graph neural"', "OR", "AND", "NOT", "-", "(", ")", "-(", "tag:x",
              "tag:", "upvotes>=", "upvotes>=99999999999999999999999", "year:9999", "date:9999-12", "date:0000-01",
              "after:2024-02-30", "before:x", "status:maybe", "title:", "abstract:\"", "\"", "“", "”", "*", "**",
              "C++", "e(3)", "x-ray", "file:", "seen<-1", "authors=1e9", "\x00", "\x1b[31m", "\u202e", "é", "日本語",
              "tga:x", "titel:y", ":", "::", "a:b:c", "\\", "%", "_", "'", "NEAR(a b)", "^", "{", "}"]
    out = []
    for i in range(count):
        kind = i % 5
        if kind == 0:
            q = " ".join(rng.choice(pieces) for _ in range(rng.randrange(1, 12)))
        elif kind == 1:
            q = "".join(chr(rng.randrange(1, 0x3000)) for _ in range(rng.randrange(1, 40)))
        elif kind == 2:
            q = "(" * rng.randrange(1, 60) + "kan" + ")" * rng.randrange(0, 60)
        elif kind == 3:
            q = " OR ".join(rng.choice(["kan", "mlp", "a", "zz", "learning"]) for _ in range(rng.randrange(1, 300)))
        else:
            q = rng.choice(pieces) * rng.randrange(1, 500)
        out.append(q)
    return out


class Timeout(Exception):
    pass


def in_process(args: list[str], limit: float, stdin: bytes = b"") -> tuple[int, str, float]:
    """Run main(ARGS) in this process: (exit code, stderr, seconds); a Python exception
    is a failure (the test of "never a traceback"), so is a run longer than ``limit``."""
    from papertriage.cli import main

    def alarm(signum, frame):
        raise Timeout()

    out, err = io.StringIO(), io.StringIO()
    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    start = time.perf_counter()
    stdin_was = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        sys.stdin = stdin_was
    return code, err.getvalue(), time.perf_counter() - start


def area_hostile(work: Path, scale: float, rng: random.Random) -> Area:
    area = Area("hostile input")
    library = work / "hostile.db"
    os.environ["PAPERTRIAGE_LIBRARY"] = str(library)
    os.environ["XDG_CONFIG_HOME"] = str(work / "config")
    in_process(["ingest", "-q", str(ROOT / "seeds")], 120)
    base = [p.read_bytes() for p in sorted((ROOT / "seeds").iterdir())]
    api = (ROOT / "tests" / "data" / "dumps" / "hf_api_2025-03-05.json").read_bytes()
    cases = mutations(rng, base, api, max(100, int(520 * scale)))
    folder = work / "mutated"
    folder.mkdir(exist_ok=True)
    for i, (op, data) in enumerate(cases):
        path = folder / f"{i:04d}-{op}.txt"
        path.write_bytes(data)
        dumps_before = query(library, "SELECT count(*), (SELECT count(*) FROM sightings) FROM dumps")[0]
        try:
            code, err, _ = in_process(["ingest", "-q", str(path)], 60)
        except Timeout:
            area.check(False, f"mutated dump {op}: a hang")
            continue
        except Exception as exc:  # noqa: BLE001 -- the thing this area looks for
            area.check(False, f"mutated dump {op}: {type(exc).__name__}: {exc}")
            continue
        area.check(code in (0, 2), f"mutated dump {op}: exit {code} {err[-200:]!r}")
        if code == 2:
            after = query(library, "SELECT count(*), (SELECT count(*) FROM sightings) FROM dumps")[0]
            if after != dumps_before:
                area.lost.append(f"a refused {op} dump changed the library")
        path.unlink()
    # Large dumps as JSON API responses: 20k records that go in, and 200k whose last
    # record is broken, so all 200k are read and the file is refused whole (a
    # refused file changes nothing). Ingesting 200k records takes minutes on a
    # loaded machine, beyond this command's 10-minute budget: --big does it (the
    # README's memory figures measure it on its own).
    def api_dump(path: Path, n: int, broken: bool) -> Path:
        with open(path, "w") as f:
            f.write("[\n")
            for i in range(n):
                paper = {"title": f"Paper number {i} on topic {i % 997}",
                         "summary": f"Abstract {i}: we study {i * 7919 % 104729} things.", "upvotes": i % 50}
                if broken and i == n - 1:
                    del paper["summary"]
                f.write(json.dumps({"paper": paper}) + (",\n" if i < n - 1 else "\n"))
            f.write("]\n")
        return path

    before = query(library, "SELECT count(*), (SELECT count(*) FROM sightings) FROM dumps")[0]
    big = BIG and scale >= 1
    n = 200_000 if big else 20_000
    proc = run(library, "ingest", "-q", str(api_dump(folder / "big.json", n, broken=False)), timeout=1800)
    area.check(proc.returncode == 0 and one_line_error(proc), f"{n}-record dump: exit {proc.returncode}")
    middle = query(library, "SELECT count(*), (SELECT count(*) FROM sightings) FROM dumps")[0]
    area.check(middle == (before[0] + 1, before[1] + n), f"{n}-record dump: {middle} after {before}")
    proc = run(library, "ingest", "-q", str(api_dump(folder / "broken.json", 200_000, broken=True)), timeout=600)
    area.check(proc.returncode == 2 and one_line_error(proc) and b"broken.json:" in proc.stderr,
               f"200k-record dump with a broken last record: exit {proc.returncode} {proc.stderr[-200:]!r}")
    if query(library, "SELECT count(*), (SELECT count(*) FROM sightings) FROM dumps")[0] != middle:
        area.lost.append("a refused 200k-record dump changed the library")
    area.extra = f"{n // 1000}k-record dump in, 200k-record one refused whole"  # type: ignore[attr-defined]
    for i, q in enumerate(odd_queries(rng, max(300, int(1000 * scale)))):
        for command in ((["search", q], ["list", q])[i % 2],):  # each query once, the two commands in turn
            try:
                code, err, seconds = in_process(command, 20)
            except Timeout:
                area.check(False, f"{command[0]} {q[:40]!r}: a hang")
                continue
            except Exception as exc:  # noqa: BLE001
                area.check(False, f"{command[0]} {q[:40]!r}: {type(exc).__name__}: {exc}")
                continue
            area.check(code in (0, 1, 2) and "Traceback" not in err, f"{command[0]} {q[:40]!r}: exit {code}")
    return area


# -- output safety ---------------------------------------------------------------------

EVIL = ["\x1b]52;c;ZXZpbCBjbGlwYm9hcmQ=\x07", "\x1b]8;;http://evil.example\x1b\\", "\x1b[2J", "\x1b[?1049h",
        "\x9b2J", "\x9d8;;x\x07", "\u202e", "\u2066"]
MARKERS = [b"\x1b]52", b"\x1b]8;;http://evil", b"\x1b[2J", b"\x1b[?1049h", "\x9b".encode(), "\x9d".encode(),
           "\u202e".encode(), "\u2066".encode()]


def pty_run(library: Path, args: list[str], input: bytes = b"") -> tuple[int, bytes]:
    master, slave = pty.openpty()
    proc = subprocess.Popen([*PY, *args], stdin=slave, stdout=slave, stderr=slave, env={**env_for(library),
                            "COLUMNS": "200", "TERM": "xterm-256color"})
    os.close(slave)
    if input:
        os.write(master, input)
    output = b""
    deadline = time.time() + 60
    while time.time() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=30)
    os.close(master)
    return proc.returncode, output


def area_output(work: Path, scale: float, rng: random.Random) -> Area:
    area = Area("output safety (pty)")
    library = work / "output.db"
    titles = [f"Title {i} {e} [bold red]PWNED[/] <script>alert({i})</script> ../../etc/passwd{e}"
              for i, e in enumerate(EVIL)]
    api = [{"paper": {"title": t, "summary": f"Abstract {t} with words learning model.", "upvotes": 3,
                      "publishedAt": "2025-01-0%dT00:00:00Z" % (i % 9 + 1)}} for i, t in enumerate(titles)]
    dump = work / "evil.json"
    dump.write_text(json.dumps(api))
    run(library, "ingest", "-q", str(dump))
    text_dump = work / "evil.txt"
    text_dump.write_text("Get trending papers in your email inbox once a day!\nGet trending papers in your email "
                         "inbox!\nSubscribe" + "\n".join(f"{t}\nAn abstract {t}" for t in titles) + "\n")
    run(library, "ingest", "-q", str(text_dump))
    ids = run(library, "list", "--format", "ids", "--limit", "0").stdout.decode().split()
    run(library, "note", ids[0], "note " + "".join(EVIL))
    run(library, "tag", "add", "evil", *ids, "-q")
    commands = [["list"], ["list", "--format", "tsv"], ["list", "--format", "json"], ["search", "title"],
                ["search", "learning", "--format", "json"], ["show", ids[0]], ["show", ids[1], "--format", "json"],
                ["similar", ids[0]], ["history"], ["history", ids[0]], ["tag", "list"], ["tag", "export"],
                ["dupes"], ["stats"]]
    commands += [["export", "--format", f] for f in ("markdown", "csv", "tsv", "json", "jsonl", "yaml", "bibtex",
                                                     "csl-json", "ris", "table")]
    for command in commands:
        code, out = pty_run(library, command)
        bad = [m for m in MARKERS if m in out]
        area.check(code in (0, 1) and not bad and b"Traceback" not in out,
                   f"{' '.join(command)} on a terminal: exit {code}, raw {bad}")
    # The triage screen is full-screen: it switches to the alternate screen itself
    # (ESC[?1049h), so a marker counts only beyond what the same screen prints for
    # harmless titles (a first run took the screen's own switch for the data's).
    plain = work / "plain.db"
    run(plain, "ingest", "-q", str(ROOT / "seeds"))
    _, own = pty_run(plain, ["triage"], input=b"q")
    code, out = pty_run(library, ["triage"], input=b"q")
    bad = [m for m in MARKERS if out.count(m) > own.count(m)]
    area.check(not bad and b"Traceback" not in out, f"triage: raw escapes {bad} ({code})")
    split = work / "split" / "notes"
    split.mkdir(parents=True, exist_ok=True)
    before = set(p for p in (work / "split").rglob("*"))
    proc = run(library, "export", "--split", str(split))
    after = set(p for p in (work / "split").rglob("*"))
    outside = [p for p in after - before if split not in p.parents and p != split]
    area.check(proc.returncode == 0 and not outside, f"--split wrote outside its folder: {outside[:3]}")
    area.check(len(list(split.glob("*.md"))) == len(ids), "--split did not write one file per paper")
    return area


AREAS = {"crash": area_crash, "full": area_full, "bad-libraries": area_bad, "writers": area_writers,
         "hostile": area_hostile, "output": area_output}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer cases of each kind (about 2 minutes)")
    parser.add_argument("--areas", default=",".join(AREAS), help=f"comma-separated, of: {', '.join(AREAS)}")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--big", action="store_true",
                        help="also ingest a 200k-record dump whole (minutes more; the default refuses one)")
    args = parser.parse_args()
    global BIG
    BIG = args.big
    scale = 0.3 if args.quick else 1.0
    work = Path(tempfile.mkdtemp(prefix="papertriage-campaign-"))
    results = []
    started = time.time()
    try:
        for name in args.areas.split(","):
            rng = random.Random(f"{args.seed}-{name}")
            t0 = time.time()
            try:
                area = AREAS[name](work, scale, rng)
            except Exception as exc:  # noqa: BLE001 -- a campaign bug is a failure of the area, not a crash
                area = Area(name)
                area.fail(f"the campaign itself failed: {type(exc).__name__}: {exc}")
            area.seconds = time.time() - t0
            results.append(area)
            print(f"  {area.name}: {area.cases} cases, {len(area.failures)} failures ({area.seconds:.0f} s)",
                  file=sys.stderr, flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(f"| area | cases | failures | nothing lost | seconds |")
    print(f"|---|---|---|---|---|")
    for a in results:
        extra = f" ({a.extra})" if getattr(a, "extra", None) else ""
        print(f"| {a.name}{extra} | {a.cases:,} | {len(a.failures)} | {'yes' if not a.lost else 'NO'} | "
              f"{a.seconds:.0f} |")
    print(f"\ntotal {time.time() - started:.0f} s; {sum(a.cases for a in results):,} cases, "
          f"{sum(len(a.failures) for a in results)} failures")
    for a in results:
        for f in a.failures[:10]:
            print(f"FAIL {a.name}: {f}")
        for lost in a.lost[:10]:
            print(f"LOST {a.name}: {lost}")
    return 1 if any(a.failures or a.lost for a in results) else 0


if __name__ == "__main__":
    sys.exit(main())
