"""Ordered, named schema migrations, recorded in ``_migrations``.

Each migration runs in the same transaction as the row that records it, so a
failed migration stays pending. Never edit one that has shipped; add the next.
"""

from __future__ import annotations

import sqlite3

from . import schema

TYPE_CHECKING = False  # as typing's, without importing typing on an ingest's start-up (issue 16)
if TYPE_CHECKING:
    from typing import Callable


def m001_initial(db: sqlite3.Connection) -> None:
    _run_script(db, schema.INITIAL)


def m002_search(db: sqlite3.Connection) -> None:
    """Search support (issue 4), filled from what the library already holds:

    - ``vocab``: words of two or more papers, for typo correction and `similar`
      (kept in step by ingest, see ``store/vocab.py``; filled here by a frozen
      copy of what ``vocab.rebuild`` did when m002 shipped);
    - ``titles_fts``: titles alone, so searching titles first reads short
      doclists; new rows are written by ``PaperWriter`` (executemany: a per-row
      trigger into FTS5 costs four times as much), deletes and title changes
      by triggers.
    """
    _run_script(db, """
CREATE TABLE vocab (
    word   TEXT PRIMARY KEY,
    docs   INTEGER NOT NULL,   -- papers holding the word (title or abstract)
    bucket INTEGER NOT NULL    -- first letter, length, second letter (words.py::bucket)
) WITHOUT ROWID;
CREATE INDEX vocab_bucket ON vocab(bucket, word, docs);

CREATE VIRTUAL TABLE titles_fts USING fts5(
    title, content='papers', content_rowid='pk', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER titles_fts_delete AFTER DELETE ON papers BEGIN
    INSERT INTO titles_fts(titles_fts, rowid, title) VALUES ('delete', old.pk, old.title);
END;
CREATE TRIGGER titles_fts_update AFTER UPDATE OF title ON papers WHEN old.title IS NOT new.title BEGIN
    INSERT INTO titles_fts(titles_fts, rowid, title) VALUES ('delete', old.pk, old.title);
    INSERT INTO titles_fts(rowid, title) VALUES (new.pk, new.title);
END;
INSERT INTO titles_fts(titles_fts) VALUES ('rebuild');
""")
    _m002_fill_vocab(db)


def _m002_fill_vocab(db: sqlite3.Connection) -> None:
    """The vocabulary as m002 shipped it, frozen here (issue 10) so that the
    migration's effect never changes with the live code in ``vocab.py``:
    every word of three or more letters in ``papers_fts``, with its number of
    papers and its bucket (first letter << 27 | length (max 63) << 21 |
    second letter)."""
    db.execute("DROP TABLE IF EXISTS temp.m002_terms")
    db.execute("CREATE VIRTUAL TABLE temp.m002_terms USING fts5vocab(main, papers_fts, row)")
    try:
        rows = [(term, doc, (ord(term[0]) << 27) | (min(len(term), 63) << 21) | ord(term[1]))
                for term, doc in db.execute("SELECT term, doc FROM temp.m002_terms")
                if len(term) >= 3 and term.isalpha()]
        db.executemany("INSERT INTO vocab (word, docs, bucket) VALUES (?, ?, ?)", rows)
    finally:
        db.execute("DROP TABLE temp.m002_terms")


def m004_fixed_names(db: sqlite3.Connection) -> None:
    """Citation keys and note file names fixed for life (issue 12): stored,
    never recomputed from later sightings. Papers already in the library keep
    the key and note name they have today."""
    from .. import naming

    db.execute("ALTER TABLE papers ADD COLUMN citation_key TEXT")
    db.execute("ALTER TABLE papers ADD COLUMN note_name TEXT")
    rows = [(naming.citation_key(title, int(published[:4]) if published else None, pid),
             naming.note_stem(title, pid), pk)
            for pk, pid, title, published in db.execute("SELECT pk, id, title, published FROM papers")]
    db.executemany("UPDATE papers SET citation_key = ?, note_name = ? WHERE pk = ?", rows)


def m005_dedup_review(db: sqlite3.Connection) -> None:
    """Dedup you can see and correct (issue 11):

    - ``sightings.rule``/``scores``: the dedup rule that placed each sighting
      (``dedup.RULES``) and its scores (``dedup.Decision.encode``), written by
      ingest at no extra cost; NULL for sightings ingested before;
    - ``near_misses``: pairs of papers ingest compared and kept apart, the
      closest first (``dupes --near`` reads it instead of recomputing);
    - ``paper_aliases``: ids merged away, resolving to the paper they joined;
    - ``dedup_pins``: a sighting's text (``dedup.content_key``) -> the paper a
      user's merge or split put it in; ingest follows it for the same text
      in later dumps;
    - ``merges``: each merge, split and unmerge, with what `unmerge` needs to
      restore the papers as they were.
    """
    _run_script(db, """
ALTER TABLE sightings ADD COLUMN rule TEXT;
ALTER TABLE sightings ADD COLUMN scores TEXT;
CREATE TABLE near_misses (
    a      INTEGER NOT NULL REFERENCES papers(pk) ON DELETE CASCADE,
    b      INTEGER NOT NULL REFERENCES papers(pk) ON DELETE CASCADE,
    score  REAL NOT NULL,
    rule   TEXT NOT NULL,
    scores TEXT,
    PRIMARY KEY (a, b)
) WITHOUT ROWID;
CREATE INDEX near_misses_score ON near_misses(score DESC);
CREATE INDEX near_misses_b ON near_misses(b);
CREATE TABLE paper_aliases (
    id    TEXT PRIMARY KEY,
    paper INTEGER NOT NULL REFERENCES papers(pk) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX paper_aliases_paper ON paper_aliases(paper);
CREATE TABLE dedup_pins (
    content INTEGER PRIMARY KEY,
    paper   INTEGER NOT NULL REFERENCES papers(pk) ON DELETE CASCADE
);
CREATE INDEX dedup_pins_paper ON dedup_pins(paper);
CREATE TABLE merges (
    id       INTEGER PRIMARY KEY,
    paper    INTEGER NOT NULL REFERENCES papers(pk) ON DELETE CASCADE,
    at       TEXT NOT NULL,
    kind     TEXT NOT NULL,    -- merge, split
    state    TEXT NOT NULL,    -- JSON: what unmerge restores
    undone   TEXT              -- when unmerge undid it
);
CREATE INDEX merges_paper ON merges(paper);
""")


def m007_search_stems(db: sqlite3.Connection) -> None:
    """Stemmed search index with compound forms (issue 14, ``store/search_index.py``),
    built from the papers the library holds."""
    from . import search_index

    _run_script(db, search_index.SCHEMA)
    search_index.rebuild(db)


def m009_ingest_paths(db: sqlite3.Connection) -> None:
    """Bulk ingest (issue 16): ``index_pending`` records the derived indexes a
    bulk ingest is still to rebuild, and the titles trigger stands aside while
    titles_fts is one of them (see ``store/indexes.py``)."""
    from . import indexes

    _run_script(db, indexes.M009)


def m004_sources(db: sqlite3.Connection) -> None:
    """arXiv ids, author names and links from API responses (issue 12): on the
    paper, and per sighting in ``sighting_sources`` (keyed by dump and line, so
    the sighting rows and their writer stay as they are)."""
    _run_script(db, """
ALTER TABLE papers ADD COLUMN arxiv_id TEXT;
ALTER TABLE papers ADD COLUMN authors TEXT;   -- JSON array of names
ALTER TABLE papers ADD COLUMN links TEXT;     -- JSON object: github, project
CREATE INDEX papers_arxiv ON papers(arxiv_id) WHERE arxiv_id IS NOT NULL;
CREATE TABLE sighting_sources (
    dump     INTEGER NOT NULL REFERENCES dumps(id) ON DELETE CASCADE,
    line     INTEGER NOT NULL,
    arxiv_id TEXT,
    authors  TEXT,
    links    TEXT,
    PRIMARY KEY (dump, line)
) WITHOUT ROWID;
""")


def m009_pending_deletes(db: sqlite3.Connection) -> None:
    """Bulk ingest (issue 16): the full-text delete triggers stand aside while
    a rebuild is pending (see ``store/indexes.py``)."""
    from . import indexes

    _run_script(db, indexes.M009_DELETES)


def m010_forget(db: sqlite3.Connection) -> None:
    """Forgetting a dump (issue 12): ``forgotten`` keeps what a `forget` took
    out (the dump's row, its papers' decisions, its bytes), so that ingesting
    it again or `undo` brings it back (see ``store/forget.py``)."""
    from . import forget

    _run_script(db, forget.M010)


def m010_dump_dates(db: sqlite3.Connection) -> None:
    """Where each dump's date came from (issue 12): ``page`` (its header),
    ``name`` (a date in the file name), ``mtime``, ``option`` (--page-date),
    ``stdin``; NULL for dumps ingested before it was recorded."""
    db.execute("ALTER TABLE dumps ADD COLUMN date_from TEXT")


def _run_script(db: sqlite3.Connection, script: str) -> None:
    # executescript() would COMMIT first; run statement by statement instead
    # so the migration and its record share one transaction.
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        db.execute(statement)


def m006_triage(db: sqlite3.Connection) -> None:
    """Learned ranking and undo (issue 13).

    - ``steps``: one row per command that changed decisions; ``history`` rows
      point to their step (``undo`` reverts a step as a whole) and keep the
      value they replaced in ``before`` (a note's old text), so every row has
      an inverse.
    - ``interest_models`` / ``interest_scores``: the learned model per
      ranking (``interest`` or ``interest:TAG``), the fingerprint of the
      decisions it learned from, and each paper's cached score.
    """
    _run_script(db, """
CREATE TABLE steps (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    command   TEXT NOT NULL,          -- what made it: `mark skip --query ...`, `triage`, `ingest (rules)`
    undone_by INTEGER                 -- the undo step that reverted it
);
ALTER TABLE history ADD COLUMN step INTEGER REFERENCES steps(id);
ALTER TABLE history ADD COLUMN before TEXT;   -- the value replaced (note), for undo
ALTER TABLE history ADD COLUMN via TEXT;      -- the rule that made it, if any
CREATE INDEX history_step ON history(step);

CREATE TABLE interest_models (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,  -- 'interest' or 'interest:TAG'
    fingerprint TEXT NOT NULL,         -- of the decisions it learned from
    scored_to   INTEGER NOT NULL,      -- papers up to this pk have their score
    model       TEXT NOT NULL,         -- JSON: weights, bias, counts
    trained_at  TEXT NOT NULL
);
CREATE TABLE interest_scores (
    model  INTEGER NOT NULL REFERENCES interest_models(id) ON DELETE CASCADE,
    paper  INTEGER NOT NULL REFERENCES papers(pk) ON DELETE CASCADE,
    score  REAL NOT NULL,
    PRIMARY KEY (model, paper)
) WITHOUT ROWID;
""")


def m011_triage_resume(db: sqlite3.Connection) -> None:
    """The paper on the triage screen when the user left, per walk (query and sort), so the
    next `triage` starts there (issue 13)."""
    _run_script(db, """
CREATE TABLE triage_positions (
    walk  TEXT PRIMARY KEY,                                   -- the query and the sort
    paper INTEGER NOT NULL REFERENCES papers(pk) ON DELETE CASCADE,
    at    TEXT NOT NULL
);
""")


def m011_interest_features(db: sqlite3.Connection) -> None:
    """The learned ranking as a linear SVM over every paper's TF-IDF 1-2-grams (issue 13).

    - ``interest_chunks``: each paper's features (term ids and counts) as
      arrays, a few thousand papers a row, computed once; ``interest_stale``
      lists papers whose title or abstract changed since (the trigger), to
      be featurised again.
    - ``interest_vocab``: the term hashes in id order, and the papers per
      term and vector lengths the cached scores were computed with.
    - ``interest_models`` gains the model's weights and every paper's score
      as blobs, and the state of the features they were computed from; the
      old per-paper score rows (another method) are dropped.
    """
    _run_script(db, """
CREATE TABLE interest_chunks (
    id      INTEGER PRIMARY KEY,
    papers  INTEGER NOT NULL,
    pks     BLOB NOT NULL,     -- int64 paper pks, one per row
    indptr  BLOB NOT NULL,     -- int64 row starts (CSR)
    terms   BLOB NOT NULL,     -- int32 term ids (interest_vocab)
    counts  BLOB NOT NULL      -- uint8 term counts
);
CREATE TABLE interest_stale (paper INTEGER PRIMARY KEY);
CREATE TABLE interest_vocab (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    hashes BLOB NOT NULL,      -- uint32 term hashes; a term's id is its place
    df     BLOB,               -- int64 papers per term, as last counted
    norms  BLOB,               -- float32 length of each paper's TF-IDF vector, by pk
    state  TEXT                -- the feature state df and norms were counted at
);
CREATE TRIGGER interest_text_changed AFTER UPDATE OF title, abstract ON papers
WHEN (NEW.title IS NOT OLD.title OR NEW.abstract IS NOT OLD.abstract)
     AND EXISTS (SELECT 1 FROM interest_chunks)
BEGIN
    INSERT OR IGNORE INTO interest_stale (paper) VALUES (NEW.pk);
END;
ALTER TABLE interest_models ADD COLUMN features TEXT;
ALTER TABLE interest_models ADD COLUMN weights BLOB;
ALTER TABLE interest_models ADD COLUMN scores BLOB;
DELETE FROM interest_scores;
DELETE FROM interest_models;
""")


def m014_dedup_keys_paper(db: sqlite3.Connection) -> None:
    """Merge, split and unmerge at 100k (issue 16; issue 11's commands): the
    blocking keys by paper. Deleting a merged-away paper cascades to its keys,
    and without this index that was a scan of every key (80 ms at 100k, ten
    times that at 1M); `check --repair` and a split read them by paper too."""
    db.execute("CREATE INDEX IF NOT EXISTS dedup_keys_paper ON dedup_keys(paper)")


def m018_sighting_text(db: sqlite3.Connection) -> None:
    """A sighting's title and abstract stored once where they are the paper's (issue 16;
    ``store/sighting_text.py``): ``sightings`` rebuilt with a title that may be NULL (the
    paper's) and ``abstract_head``/``abstract_tail`` (the abstract holds only the stretch
    where it differs from the paper's), its rows written that way, and the triggers that
    give a sighting its text whole before what it leans on changes. The text every sighting
    reads back is the same as before. The space freed is reused by later ingests (the file
    shrinks only with a VACUUM)."""
    from . import sighting_text

    _run_script(db, """
CREATE TABLE sightings_m018 (
    id            INTEGER PRIMARY KEY,
    paper         INTEGER NOT NULL REFERENCES papers(pk) ON DELETE CASCADE,
    dump          INTEGER NOT NULL REFERENCES dumps(id) ON DELETE CASCADE,
    line          INTEGER NOT NULL,
    title         TEXT,                    -- NULL: the same as the paper's title
    abstract      TEXT,                    -- NULL: the same as the paper's abstract
    authors_count INTEGER,
    published     TEXT,
    published_raw TEXT,
    upvotes       INTEGER,
    rule          TEXT,
    scores        TEXT,
    abstract_head INTEGER,                 -- set: abstract holds only the stretch between the
    abstract_tail INTEGER                  -- paper's first _head and last _tail characters
);
""")

    def compact(row: tuple) -> tuple:
        *fields, p_title, p_abstract = row
        if p_title is None:  # no such paper (`check` reports it): kept as it is
            return (*fields, None, None)
        title, abstract = fields[4], fields[5]
        fields[4] = sighting_text.stored_title(title, p_title)
        fields[5], head, tail = sighting_text.stored_abstract(abstract, p_abstract)
        return (*fields, head, tail)

    rows = db.execute(
        "SELECT s.id, s.paper, s.dump, s.line, s.title, s.abstract, s.authors_count, s.published, s.published_raw,"
        " s.upvotes, s.rule, s.scores, p.title, p.abstract FROM sightings s LEFT JOIN papers p ON p.pk = s.paper"
        " ORDER BY s.id")
    db.executemany(f"INSERT INTO sightings_m018 VALUES ({', '.join('?' * 14)})", map(compact, rows))
    _run_script(db, """
DROP TABLE sightings;
ALTER TABLE sightings_m018 RENAME TO sightings;
CREATE INDEX sightings_paper ON sightings(paper);
CREATE INDEX sightings_dump ON sightings(dump);
""")
    _run_script(db, sighting_text.TRIGGERS)


def m019_interest_terms(db: sqlite3.Connection) -> None:
    """The learned ranking's features in bulk and in short transactions (issue 13).

    - ``interest_scores`` goes: nothing has read it since m011 (scores are one
      blob per model in ``interest_models``).
    - ``interest_terms`` replaces ``interest_vocab.hashes``: the term hashes in
      id order, appended a piece at a time (``first`` is the piece's first
      id), so featurising a chunk of papers adds a small row instead of
      rewriting every hash; ``interest_idf`` keeps the papers per term and
      the vector lengths as last counted (int32 and float32 blobs).
    - ``interest_chunks`` keeps a term's count only where it is above 1
      (``repeats``: nine in ten are 1), so a chunk is smaller and scoring
      reads less.
    - A 2-gram's hash is now mixed from its words' hashes
      (``papertriage.featurise``), so the features stored so far, and the
      models over their ids, are dropped: the next ranking computes them again.
    """
    _run_script(db, """
DROP TABLE interest_scores;
DELETE FROM interest_models;
DROP TABLE interest_chunks;
DELETE FROM interest_stale;
DROP TABLE interest_vocab;
CREATE TABLE interest_chunks (
    id      INTEGER PRIMARY KEY,
    papers  INTEGER NOT NULL,
    pks     BLOB NOT NULL,     -- int64 paper pks, one per row
    indptr  BLOB NOT NULL,     -- int64 row starts (CSR)
    terms   BLOB NOT NULL,     -- int32 term ids (interest_terms), each row's in rising order
    repeats BLOB NOT NULL      -- int32 places of the terms counted more than once, then their uint8 counts
);
CREATE TABLE interest_terms (
    first  INTEGER PRIMARY KEY,  -- the id of the piece's first term
    hashes BLOB NOT NULL         -- uint32 term hashes, ids first, first + 1, ...
);
CREATE TABLE interest_idf (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    df     BLOB NOT NULL,        -- int32 papers per term, as last counted
    norms  BLOB NOT NULL,        -- float32 length of each paper's TF-IDF vector, by pk
    state  TEXT NOT NULL         -- the feature state they were counted at
);
""")


def m020_vocab_pending(db: sqlite3.Connection) -> None:
    """Vocabulary changes wait in a small table of the same shape before they are
    folded into ``vocab`` (issue 16: a day's 5,000 words rewrote most pages of a
    large vocabulary and its bucket index; see ``store/vocab.py``). Empty here:
    an existing library's counts are all in ``vocab``."""
    _run_script(db, """
CREATE TABLE vocab_pending (
    word   TEXT PRIMARY KEY,
    docs   INTEGER NOT NULL,   -- papers more (or fewer, when negative) than vocab.docs says
    bucket INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX vocab_pending_bucket ON vocab_pending(bucket, word, docs);
""")


def m021_keys_pending(db: sqlite3.Connection) -> None:
    """New blocking keys wait in a small table of the same shape before they are
    folded into ``dedup_keys`` (issue 16: a day's ~1,000 new keys landed on as
    many random pages of the 1M library's key index, 961 of the 2,309 pages the
    day wrote; see ``store/blocking.py``). Empty here: an existing library's keys
    are all in ``dedup_keys``."""
    _run_script(db, """
CREATE TABLE dedup_keys_pending (
    key   INTEGER NOT NULL,
    paper INTEGER NOT NULL REFERENCES papers(pk) ON DELETE CASCADE,
    PRIMARY KEY (key, paper)
) WITHOUT ROWID;
CREATE INDEX dedup_keys_pending_paper ON dedup_keys_pending(paper);
""")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    m001_initial, m002_search, m004_fixed_names, m004_sources, m005_dedup_review, m006_triage,
    m007_search_stems, m009_ingest_paths, m009_pending_deletes, m010_forget, m010_dump_dates,
    m011_triage_resume, m011_interest_features, m014_dedup_keys_paper, m018_sighting_text,
    m019_interest_terms, m020_vocab_pending, m021_keys_pending,
]
