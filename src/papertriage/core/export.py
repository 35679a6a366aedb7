"""Export: which papers, and where the bytes go.

``export_papers`` selects papers with the shared query language (plus
``--tag``/``--status`` shorthands) and hands them to a renderer, which the
caller passes in, writing to one of three places:

- a stream (stdout), as the papers arrive;
- a file (``-o``), atomically: the export goes to a temporary file in the
  same folder, which is renamed over the target only once complete, so an
  interrupted or failed export leaves the old file (or none) and never half
  of one;
- a folder (``--split``), one file per paper, named by ``split_file_name``
  (title words + id; it cannot leave the folder whatever the title says).
  A manifest in the folder (``.papertriage-export.json``) records a hash of
  every file written, so a file the user edited since (or that papertriage
  never wrote) is kept unless ``force``; a file whose content would not
  change is left untouched.

Output is stable: the same library and options give the same bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator, Sequence

from .. import naming
from ..atomic import remove_stale_parts, replace_file
from ..errors import NoMatch, UserError
from ..model import TAG_NAME, Paper
from ..store import Library
from .decisions import check_status
from .select import select_papers

__all__ = ["ExportResult", "export_papers", "build_query", "split_file_name", "write_atomic",
           "format_for_path", "EXTENSIONS", "MANIFEST"]

Writer = Callable[[Iterable[Paper], IO[str]], int]

MANIFEST = ".papertriage-export.json"
# export format -> file extension (for --split, and to guess the format from -o's name)
EXTENSIONS = {
    "markdown": ".md", "csv": ".csv", "tsv": ".tsv", "json": ".json", "jsonl": ".jsonl",
    "yaml": ".yaml", "bibtex": ".bib", "csl-json": ".json", "ris": ".ris", "table": ".txt", "ids": ".txt",
}
_BY_SUFFIX = {".md": "markdown", ".markdown": "markdown", ".csv": "csv", ".tsv": "tsv", ".json": "json",
              ".jsonl": "jsonl", ".ndjson": "jsonl", ".yaml": "yaml", ".yml": "yaml", ".bib": "bibtex",
              ".ris": "ris"}


@dataclass
class ExportResult:
    """How many papers went out, and for --split what happened to each file."""

    count: int = 0
    written: int = 0
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)  # edited by the user: left alone
    renamed: list[tuple[str, str]] = field(default_factory=list)  # --rename-notes: (old file, new file)
    not_renamed: list[tuple[str, str]] = field(default_factory=list)  # the new name was taken: (old, new)


def format_for_path(path: str) -> str | None:
    """The export format a file name asks for, by its extension (``notes.md`` -> markdown)."""
    return _BY_SUFFIX.get(Path(path).suffix.lower())


def build_query(query: str | None, tags: Iterable[str] = (), status: str | None = None) -> str | None:
    """QUERY plus the --tag and --status shorthands, in the shared query language.

    >>> build_query("kan -survey", ["to-read", "method/kan"], "keep")
    'kan -survey tag:to-read tag:method/kan status:keep'
    """
    parts = [query.strip()] if query and query.strip() else []
    for tag in tags:
        tag = tag.strip()
        if not TAG_NAME.fullmatch(tag[:-1] if tag.endswith("*") else tag):  # tag:inter* is a prefix
            raise UserError(f"bad tag name {tag!r}: use letters, digits, - and _, with / between levels")
        parts.append(f"tag:{tag}")
    if status is not None:
        check_status(status)
        parts.append(f"status:{status}")
    return " ".join(parts) or None


def export_papers(library: Library, query: str | None = None, *, write: Writer,
                  tags: Iterable[str] = (), status: str | None = None, sort: str | None = None,
                  reverse: bool = False, limit: int | None = None, with_sightings: bool = False,
                  out: IO[str] | None = None, output: str | None = None,
                  split_dir: str | None = None, extension: str = ".md", force: bool = False,
                  one_per_file: bool = False, ids: Sequence[str] | None = None,
                  rename_notes: bool = False) -> ExportResult:
    """Select papers and write them with ``write(papers, stream)`` to ``out``,
    the file ``output`` or one file per paper in ``split_dir``.

    ``one_per_file``: the format makes sense only for one paper per file
    (Markdown with front matter); more than one paper without ``split_dir``
    is an error, raised before anything is written. ``ids``: only these
    papers (full ids, e.g. read from stdin), when not None. ``rename_notes``
    (with ``split_dir``): a paper whose note name, fixed at birth, no longer
    matches its title gets the name its title gives now, and its file is
    renamed (edits and all); never over another file.
    Raises NoMatch (after writing the empty export) when a selection was
    given and matched nothing.
    """
    if output is not None and split_dir is not None:
        raise UserError("-o and --split do not go together: one file, or one file per paper")
    full_query = build_query(query, tags, status)
    library.prepare_for_scan()  # an export reads the library once: memory stays flat
    if sort is None:  # the order papers came in, oldest first: appended notes grow at the end
        sort, reverse = "added", not reverse
    papers: Iterator[Paper] = iter(select_papers(library, full_query, sort=sort, limit=limit, reverse=reverse,
                                                 with_sightings=with_sightings, ids=ids))
    if one_per_file and split_dir is None:
        head = list(itertools.islice(papers, 2))
        if len(head) > 1:
            raise UserError("--front-matter makes one note per paper: add --split DIR, or select a single paper")
        papers = itertools.chain(head, papers)

    if rename_notes and split_dir is None:
        raise UserError("--rename-notes renames the files of --split DIR: add --split")
    if split_dir is not None:
        renamed: list[tuple[str, str]] = []
        try:
            result = write_split(papers, write, split_dir, extension=extension, force=force,
                                 renames=renamed if rename_notes else None)
        finally:
            if renamed:  # the files moved: the library follows, so the next export finds them
                with library.transaction():
                    library.rename_notes(renamed)
    elif output is not None and output != "-":
        result = ExportResult(count=write_atomic(output, lambda f: write(papers, f)))
    else:
        if out is None:
            raise UserError("nowhere to write: give a stream, -o FILE or --split DIR")
        result = ExportResult(count=write(papers, out))
    if result.count == 0 and (full_query or ids is not None):
        raise NoMatch("no papers match")
    return result


# -- one file, atomically --------------------------------------------------

def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: str | os.PathLike, produce: Callable[[IO[str]], int], *,
                 encoding: str = "utf-8") -> int:
    """Write a text file through a temporary file in the same folder, then
    rename it into place; on any failure (or Ctrl-C) the target is untouched
    and the temporary file removed. A symlink target is written through (the
    link stays). Returns what ``produce`` returns."""
    shown = os.fspath(path)
    target = Path(os.path.realpath(os.path.expanduser(shown)))
    if target.is_dir():
        raise UserError("is a folder; -o needs a file name", file=shown)
    if not target.parent.is_dir():
        raise UserError(f"cannot write: folder {target.parent} does not exist", file=shown)
    if target.exists() and not target.is_file():
        # A device or a named pipe (-o /dev/stdout, a FIFO): write into it;
        # renaming a file over it would replace the device node itself.
        try:
            with open(target, "w", encoding=encoding, newline="") as f:
                return produce(f)
        except OSError as exc:
            raise UserError(f"cannot write: {exc.strerror or exc}", file=shown) from None
    try:
        mode = target.stat().st_mode & 0o7777 if target.exists() else _new_file_mode()
        return replace_file(target, produce, mode=mode, encoding=encoding)
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            raise
        raise UserError(f"cannot write: {exc.strerror or exc}", file=shown) from None


def _write_bytes_atomic(target: Path, data: bytes, mode: int) -> None:
    replace_file(target, lambda f: f.write(data), mode=mode, binary=True, sync=False, clean=False)


# -- one file per paper ----------------------------------------------------

def split_file_name(title: str, paper_id: str, extension: str, stem: str | None = None) -> str:
    """A safe, stable file name for one paper: its stored note name
    (``stem``, fixed when the paper came in, see ``naming``), else title words
    then the id.

    >>> split_file_name("Bilinear MLPs: ../../etc/passwd?", "c9df0562", ".md")
    'bilinear-mlps-etc-passwd-c9df0562.md'
    >>> split_file_name("***", "c9df0562", ".md")
    'c9df0562.md'
    >>> split_file_name("KAT: Kolmogorov-Arnold Transformer", "e92269d6", ".md", "kolmogorov-arnold-e92269d6")
    'kolmogorov-arnold-e92269d6.md'
    """
    # A stored stem is re-checked: the same rules make it a safe name whatever the file says.
    safe = naming.safe_stem(stem) if stem else ""
    if not safe:
        safe = naming.note_stem(title, paper_id)
    ext = "." + (naming.slug(extension) or "txt")
    return safe + ext


class _Manifest:
    """File name -> sha256 of the bytes papertriage last wrote there.

    One entry a paper, so it is kept small (a digest as its 32 bytes, not 64
    hex characters) and written out entry by entry: building the whole JSON
    text at once took 80 MB at 100k papers (issue 17, hole 10).
    """

    def __init__(self, directory: Path, mode: int):
        self.path = directory / MANIFEST
        self.mode = mode
        self.files: dict[str, bytes] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            files = data.get("files", {}) if isinstance(data, dict) else {}
            for k, v in files.items():
                if isinstance(k, str) and isinstance(v, str) and len(v) == 64:
                    with contextlib.suppress(ValueError):
                        self.files[k] = bytes.fromhex(v)
            del data, files
        except (OSError, ValueError):
            pass  # none yet, or unreadable: every existing file counts as the user's
        self.changed = False

    def matches(self, name: str, data: bytes) -> bool:
        """Whether ``data`` is what papertriage last wrote to ``name``."""
        return self.files.get(name) == hashlib.sha256(data).digest()

    def record(self, name: str, digest: bytes) -> None:
        if self.files.get(name) != digest:
            self.files[name] = digest
            self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        about = ("files papertriage export --split wrote here, and a hash of each; "
                 "a file whose hash differs was edited and is not overwritten without --force")

        def produce(f: IO[bytes]) -> None:
            # What json.dumps(..., indent=1, ensure_ascii=False) writes, one entry at a time.
            f.write(f'{{\n "about": {json.dumps(about)},\n "files": {{'.encode("utf-8"))
            for i, name in enumerate(sorted(self.files)):
                entry = f'{"," if i else ""}\n  {json.dumps(name, ensure_ascii=False)}: "{self.files[name].hex()}"'
                f.write(entry.encode("utf-8"))
            f.write(("\n }\n}\n" if self.files else "}\n}\n").encode("utf-8"))

        replace_file(self.path, produce, mode=self.mode, binary=True, sync=False, clean=False)


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _rename_note(root: Path, paper: Paper, name: str, extension: str, manifest: "_Manifest",
                 result: ExportResult, renames: list[tuple[str, str]]) -> str:
    """--rename-notes for one paper: the file name to write it to."""
    stem = naming.note_stem(paper.title, paper.id)
    wanted = split_file_name(paper.title, paper.id, extension, stem)
    if wanted == name:
        return name
    old, new = root / name, root / wanted
    if os.path.lexists(new):
        result.not_renamed.append((name, wanted))
        return name
    if os.path.lexists(old):
        if old.is_symlink() or not old.is_file():
            result.not_renamed.append((name, wanted))
            return name
        os.rename(old, new)
        if name in manifest.files:
            manifest.record(wanted, manifest.files.pop(name))
        result.renamed.append((name, wanted))
    renames.append((paper.id, stem))
    return wanted


def write_split(papers: Iterable[Paper], write: Writer, directory: str, *, extension: str,
                force: bool = False, renames: list[tuple[str, str]] | None = None) -> ExportResult:
    """One file per paper in ``directory`` (see the module docstring).

    ``renames`` (a list to fill, `--rename-notes`): a paper whose stored note
    name differs from what its title gives now is renamed, like `git mv`: the
    old file (edited or not) moves to the new name and the manifest follows;
    when the new name is taken, nothing moves (``not_renamed``). The
    (paper id, new note name) pairs are appended for the library to record.
    """
    root = Path(os.path.expanduser(directory))
    if root.exists() and not root.is_dir():
        raise UserError("is a file; --split needs a folder", file=directory)
    try:
        root.mkdir(parents=True, exist_ok=True)
        real_root = root.resolve(strict=True)
    except OSError as exc:
        raise UserError(f"cannot create the folder: {exc.strerror}", file=directory) from None
    mode = _new_file_mode()
    remove_stale_parts(real_root)  # what killed exports left (issue 17); once, not per file
    manifest = _Manifest(real_root, mode)
    result = ExportResult()
    try:
        for paper in papers:
            result.count += 1
            name = split_file_name(paper.title, paper.id, extension, paper.note_name)
            if renames is not None:
                name = _rename_note(real_root, paper, name, extension, manifest, result, renames)
            target = real_root / name
            # Belt and braces: the name has no separators, but check anyway.
            if target.parent != real_root or name in (".", ".."):
                raise UserError(f"refusing to write outside the folder: {name}", file=directory)
            buffer = io.StringIO(newline="")
            write([paper], buffer)
            data = buffer.getvalue().encode("utf-8")
            digest = _sha256(data)
            if os.path.lexists(target):
                if target.is_symlink() or not target.is_file():
                    if not force or target.is_dir():
                        result.kept.append(name)
                        continue
                else:
                    current = target.read_bytes()
                    if current == data:
                        manifest.record(name, digest)
                        result.unchanged += 1
                        continue
                    if not force and not manifest.matches(name, current):
                        result.kept.append(name)
                        continue
            _write_bytes_atomic(target, data, mode)
            manifest.record(name, digest)
            result.written += 1
    except OSError as exc:
        raise UserError(f"cannot write: {exc.strerror or exc}", file=directory) from None
    finally:
        try:
            manifest.save()
        except OSError:
            pass
    return result
