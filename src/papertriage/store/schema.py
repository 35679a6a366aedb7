"""The current schema, as the statements of the first migration.

Later changes go in new migrations (``migrations.py``), never here once a
version has shipped.
"""

INITIAL = """
CREATE TABLE dumps (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,           -- file name as shown to the user
    path          TEXT NOT NULL,
    sha256        TEXT NOT NULL UNIQUE,    -- same content ingested twice is skipped
    layout        TEXT NOT NULL,
    page_date     TEXT,                    -- ISO date the page was saved, if known
    page_date_raw TEXT,
    seen_on       TEXT NOT NULL,           -- date used for first/last seen
    ingested_at   TEXT NOT NULL,
    records       INTEGER NOT NULL
);

CREATE TABLE papers (
    pk            INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,    -- short content hash shown to users
    title         TEXT NOT NULL,
    abstract      TEXT NOT NULL,
    authors_count INTEGER,
    published     TEXT,
    upvotes       INTEGER,
    seen          INTEGER NOT NULL DEFAULT 1,  -- distinct dumps
    sightings     INTEGER NOT NULL DEFAULT 1,
    first_seen    TEXT,
    last_seen     TEXT,
    last_dump     INTEGER,
    added         TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'keep', 'skip', 'read')),
    note          TEXT
);
CREATE INDEX papers_seen ON papers(seen);
CREATE INDEX papers_published ON papers(published);
CREATE INDEX papers_upvotes ON papers(upvotes);
CREATE INDEX papers_status ON papers(status);

CREATE TABLE sightings (
    id            INTEGER PRIMARY KEY,
    paper         INTEGER NOT NULL REFERENCES papers(pk) ON DELETE CASCADE,
    dump          INTEGER NOT NULL REFERENCES dumps(id) ON DELETE CASCADE,
    line          INTEGER NOT NULL,
    title         TEXT NOT NULL,
    abstract      TEXT,                    -- NULL: the same as the paper's abstract
    authors_count INTEGER,
    published     TEXT,
    published_raw TEXT,
    upvotes       INTEGER
);
CREATE INDEX sightings_paper ON sightings(paper);
CREATE INDEX sightings_dump ON sightings(dump);

-- Blocking keys for dedup (see dedup.py): only papers sharing a key are compared.
-- No index on paper: papers are never deleted, and each index costs a random
-- B-tree insert per key at ingest.
CREATE TABLE dedup_keys (
    key   INTEGER NOT NULL,
    paper INTEGER NOT NULL REFERENCES papers(pk) ON DELETE CASCADE,
    PRIMARY KEY (key, paper)
) WITHOUT ROWID;

CREATE TABLE tags (
    paper    INTEGER NOT NULL REFERENCES papers(pk) ON DELETE CASCADE,
    tag      TEXT NOT NULL COLLATE NOCASE,
    added_at TEXT NOT NULL,
    PRIMARY KEY (paper, tag)
) WITHOUT ROWID;
CREATE INDEX tags_tag ON tags(tag COLLATE NOCASE);

CREATE TABLE history (
    id     INTEGER PRIMARY KEY,
    paper  INTEGER NOT NULL REFERENCES papers(pk) ON DELETE CASCADE,
    at     TEXT NOT NULL,
    action TEXT NOT NULL,   -- tag+, tag-, status, note
    detail TEXT
);
CREATE INDEX history_paper ON history(paper);

-- Full text over papers, kept in step by PaperWriter (executemany is about
-- three times faster than a per-row trigger into FTS5); deletes by trigger.
CREATE VIRTUAL TABLE papers_fts USING fts5(
    title, abstract,
    content='papers', content_rowid='pk',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER papers_fts_delete AFTER DELETE ON papers BEGIN
    INSERT INTO papers_fts(papers_fts, rowid, title, abstract)
    VALUES ('delete', old.pk, old.title, old.abstract);
END;
"""
