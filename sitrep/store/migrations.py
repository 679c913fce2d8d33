"""Named, recorded schema migrations; each is applied with its record in one transaction."""
from __future__ import annotations

MIGRATIONS: list[tuple[str, str]] = [
    ("0001_initial", """
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL UNIQUE,
    content_hash TEXT NOT NULL,
    source TEXT NOT NULL,
    url TEXT,
    outlet TEXT,
    published TEXT,
    published_from TEXT,
    title TEXT,
    byline TEXT,
    dateline_place TEXT,
    text TEXT NOT NULL,
    minhash BLOB,
    duplicate_of TEXT,
    duplicate_similarity REAL,
    ingested_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX articles_hash ON articles(content_hash);
CREATE TABLE pieces (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    source_line INTEGER,
    PRIMARY KEY (article_id, seq)
);
CREATE TABLE places (
    id INTEGER PRIMARY KEY,
    place_key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    geonameid INTEGER,
    latitude REAL,
    longitude REAL,
    country TEXT,
    country_code TEXT,
    admin1 TEXT,
    admin2 TEXT,
    feature_class TEXT,
    feature_code TEXT
);
CREATE TABLE place_mentions (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    place_id INTEGER REFERENCES places(id),
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    geo_precision INTEGER,
    role TEXT,
    recognised_by TEXT
);
CREATE INDEX place_mentions_article ON place_mentions(article_id);
CREATE TABLE actors (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    inter INTEGER,
    country TEXT
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    sub_event_type TEXT NOT NULL,
    actor1_id INTEGER REFERENCES actors(id),
    actor2_id INTEGER REFERENCES actors(id),
    actor1 TEXT,
    actor2 TEXT,
    inter1 INTEGER,
    inter2 INTEGER,
    country TEXT,
    admin1 TEXT,
    admin2 TEXT,
    location TEXT,
    location_text TEXT,
    latitude REAL,
    longitude REAL,
    geo_precision INTEGER,
    geonameid INTEGER,
    event_date TEXT,
    time_precision INTEGER,
    date_text TEXT,
    fatalities INTEGER NOT NULL DEFAULT 0,
    fatalities_text TEXT,
    trigger TEXT,
    weapon TEXT,
    confidence REAL,
    plover TEXT,
    cameo TEXT
);
CREATE INDEX events_country ON events(country, admin1);
CREATE INDEX events_date ON events(event_date);
CREATE TABLE event_sources (
    event_id TEXT NOT NULL REFERENCES events(event_id) ON DELETE CASCADE,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    doc_id TEXT NOT NULL,
    outlet TEXT,
    url TEXT,
    reported_by TEXT,
    evidence TEXT NOT NULL,
    evidence_start INTEGER NOT NULL,
    evidence_end INTEGER NOT NULL,
    PRIMARY KEY (event_id, article_id)
);
CREATE TABLE quotes (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    speaker TEXT,
    speaker_role TEXT
);
CREATE TABLE rejects (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    line INTEGER NOT NULL DEFAULT 0,
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (source, line, code)
);
"""),
    ("0002_fts", """
CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content='articles', content_rowid='id');
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
END;
"""),
    ("0003_fusion", """
ALTER TABLE events ADD COLUMN toll_update INTEGER NOT NULL DEFAULT 0;
CREATE TABLE fused_events (
    fused_id TEXT PRIMARY KEY,
    event_type TEXT NOT NULL,
    sub_event_type TEXT NOT NULL,
    actor1 TEXT,
    actor2 TEXT,
    inter1 INTEGER,
    inter2 INTEGER,
    country TEXT,
    admin1 TEXT,
    admin2 TEXT,
    location TEXT,
    location_text TEXT,
    latitude REAL,
    longitude REAL,
    geo_precision INTEGER,
    event_date TEXT,
    time_precision INTEGER,
    fatalities INTEGER NOT NULL DEFAULT 0,
    source_count INTEGER NOT NULL
);
CREATE INDEX fused_events_country ON fused_events(country, admin1);
CREATE TABLE fused_members (
    fused_id TEXT NOT NULL REFERENCES fused_events(fused_id) ON DELETE CASCADE,
    event_id TEXT NOT NULL UNIQUE REFERENCES events(event_id) ON DELETE CASCADE,
    PRIMARY KEY (fused_id, event_id)
);
"""),
    # Analysts' reviews. `reviews` is the record (append-only: who, when, what the machine said, what
    # they changed); `review_reports` ties each review to the reports (per-article events) it covers,
    # which is what keeps it attached to its event when fusion gives that event new members;
    # `reviewed_events` is derived from both after every review and every fusion (store/decisions.py):
    # the corrected reading of each reviewed fused event and of each of its reports.
    ("0004_reviews", """
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL,
    action TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    reviewed_at TEXT NOT NULL,
    changes TEXT NOT NULL DEFAULT '{}',
    machine TEXT NOT NULL DEFAULT '{}',
    note TEXT
);
CREATE INDEX reviews_event ON reviews(event_id);
CREATE TABLE review_reports (
    review_id INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    report_id TEXT NOT NULL,
    part INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (review_id, report_id)
);
CREATE INDEX review_reports_report ON review_reports(report_id);
CREATE TABLE reviewed_events (
    kind TEXT NOT NULL,
    event_id TEXT NOT NULL,
    status TEXT NOT NULL,
    reviewed_by TEXT NOT NULL,
    reviewed_at TEXT NOT NULL,
    reviews INTEGER NOT NULL,
    machine_changed INTEGER NOT NULL DEFAULT 0,
    event_type TEXT NOT NULL,
    sub_event_type TEXT NOT NULL,
    actor1 TEXT,
    actor2 TEXT,
    inter1 INTEGER,
    inter2 INTEGER,
    country TEXT,
    admin1 TEXT,
    admin2 TEXT,
    location TEXT,
    latitude REAL,
    longitude REAL,
    geo_precision INTEGER,
    geonameid INTEGER,
    event_date TEXT,
    time_precision INTEGER,
    fatalities INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, event_id)
);
"""),
    # Why each article's events were coded: the decision model's record (sitrep/decide/explain.py), as JSON.
    ("0006_explanations", """
CREATE TABLE explanations (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    body TEXT NOT NULL
);
"""),
    # The indexes GET /events reads (store/reads.py `arms`): each filter of the machine's rows, with the event date
    # after it so a page is read in order; the actor filter matches names in `actors`, then these by name.
    ("0007_query_indexes", """
CREATE INDEX events_country_day ON events(lower(country), event_date);
CREATE INDEX events_admin1_day ON events(lower(admin1), event_date);
CREATE INDEX events_type_day ON events(lower(event_type), event_date);
CREATE INDEX events_subtype_day ON events(lower(sub_event_type), event_date);
CREATE INDEX events_actor1 ON events(actor1);
CREATE INDEX events_actor2 ON events(actor2);
CREATE INDEX events_confidence ON events(confidence, event_id);
CREATE INDEX events_article ON events(article_id, event_id);
CREATE INDEX events_position ON events(longitude, latitude);
CREATE INDEX fused_events_day ON fused_events(event_date);
CREATE INDEX fused_events_country_day ON fused_events(lower(country), event_date);
CREATE INDEX fused_events_admin1_day ON fused_events(lower(admin1), event_date);
CREATE INDEX fused_events_type_day ON fused_events(lower(event_type), event_date);
CREATE INDEX fused_events_subtype_day ON fused_events(lower(sub_event_type), event_date);
CREATE INDEX fused_events_actor1 ON fused_events(actor1);
CREATE INDEX fused_events_actor2 ON fused_events(actor2);
CREATE INDEX fused_events_position ON fused_events(longitude, latitude);
"""),
    # A reject is one record, not one line: the records of a minified JSON array, a feed's entries
    # and an array's E016s all share their line and code, and `UNIQUE (source, line, code)` kept
    # only the first (issue 16, F15). The reason names the record ("record 3: ...", "feed entry 2 ...",
    # "<doc_id>: ..."), so it joins the key; a re-run gives the same reasons and adds no row.
    # SQLite cannot drop a table constraint, so the table is rebuilt, ids and rows kept, inside
    # this migration's transaction (nothing references it, and it has no index or trigger of its own).
    ("0009_reject_records", """
CREATE TABLE rejects_0009 (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    line INTEGER NOT NULL DEFAULT 0,
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (source, line, code, reason)
);
INSERT INTO rejects_0009(id, source, line, code, reason, at) SELECT id, source, line, code, reason, at FROM rejects;
DROP TABLE rejects;
ALTER TABLE rejects_0009 RENAME TO rejects;
"""),
    # A fused event's confidence (its surest report's) and its lead report (the surest, then the first by id; the
    # one whose article and evidence stand for it) were subqueries over its members in every read: GET /events
    # could not filter or order by them through an index (issue 16). They are stored here, written with each
    # fused event (store/fused.py `summarise`), and backfilled for stores fused before; so is each member's article
    # (a search finds the fused events of the matching articles by `fused_members_article`). The composite indexes
    # serve GET /events' two-filter combinations (country with event type and date, country with confidence).
    ("0010_fused_confidence", """
ALTER TABLE fused_events ADD COLUMN confidence REAL;
ALTER TABLE fused_events ADD COLUMN lead_id INTEGER;
UPDATE fused_events SET
    confidence = (SELECT MAX(c.confidence) FROM fused_members m JOIN events c ON c.event_id = m.event_id
                  WHERE m.fused_id = fused_events.fused_id),
    lead_id = (SELECT c.id FROM fused_members m JOIN events c ON c.event_id = m.event_id
               WHERE m.fused_id = fused_events.fused_id
               ORDER BY c.confidence IS NULL, c.confidence DESC, c.event_id LIMIT 1);
ALTER TABLE fused_members ADD COLUMN article_id INTEGER;
UPDATE fused_members SET article_id = (SELECT e.article_id FROM events e WHERE e.event_id = fused_members.event_id);
CREATE INDEX fused_members_article ON fused_members(article_id, fused_id);
CREATE INDEX fused_events_confidence ON fused_events(confidence, event_date);
CREATE INDEX fused_events_country_confidence ON fused_events(lower(country), confidence, event_date);
CREATE INDEX events_country_type_day ON events(lower(country), lower(event_type), event_date);
CREATE INDEX events_country_confidence ON events(lower(country), confidence, event_date);
"""),
    # A search (GET /events?q=) over a 1-million-event store spent its time on its hit list (issue 16, third pass):
    # counting the reports of 445,000 matching articles walked 894,000 index entries, and a fused listing put the
    # text ids of every fused event one of whose reports' articles matched in a temporary table (a B-tree insert
    # each). Now each article's count of events is kept (`article_event_counts`, written with its events: a
    # search's total is a sum over its articles), and a fused event has integer keys for searches: its lead
    # report's article (`lead_article`, the article that stands for it) and, on each of its members, its lead
    # report's row id (`lead_id`, one per fused event: a report is in one fused event only) and that article.
    # A search's fused events are those whose lead article matches (read by `fused_events_lead_article`), and the
    # few others, found by `fused_members_other_articles` (the members outside the lead report's article) and put
    # in the request's temporary table by their integer key. Written by store/fused.py (`summarise`, `count_events`).
    ("0011_search_keys", """
CREATE TABLE article_event_counts (
    article_id INTEGER NOT NULL PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    events INTEGER NOT NULL
);
INSERT INTO article_event_counts(article_id, events) SELECT article_id, COUNT(*) FROM events GROUP BY article_id;
ALTER TABLE fused_events ADD COLUMN lead_article INTEGER;
UPDATE fused_events SET lead_article = (SELECT c.article_id FROM events c WHERE c.id = fused_events.lead_id);
ALTER TABLE fused_members ADD COLUMN lead_id INTEGER;
ALTER TABLE fused_members ADD COLUMN lead_article INTEGER;
UPDATE fused_members SET
    lead_id = (SELECT f.lead_id FROM fused_events f WHERE f.fused_id = fused_members.fused_id),
    lead_article = (SELECT f.lead_article FROM fused_events f WHERE f.fused_id = fused_members.fused_id);
CREATE INDEX fused_events_lead ON fused_events(lead_id);
CREATE INDEX fused_events_lead_article ON fused_events(lead_article);
CREATE INDEX fused_members_other_articles ON fused_members(article_id, lead_article, lead_id)
    WHERE article_id <> lead_article;
"""),
    # A fused search's total was still an index walk per matching article (issue 16, fourth pass): the fused events
    # each article leads, counted through `fused_events_lead_article`. The count is kept with the article's count of
    # events (`leads`: the fused events its reports lead), so a fused search sums one row per matching article, as a
    # search of reports does. Written by store/fused.py `summarise` (its ARTICLE_FUSED is this backfill's SQL)
    # after every write of fused events.
    ("0012_article_fused_counts", """
ALTER TABLE article_event_counts ADD COLUMN leads INTEGER NOT NULL DEFAULT 0;
UPDATE article_event_counts SET
    leads = (SELECT COUNT(*) FROM fused_events f WHERE f.lead_article = article_event_counts.article_id);
"""),
    # A page of GET /events read in date order (a filter matching many rows) stops once it is full on the machine's
    # rows, but its reviewed arm read every reviewed row, then sorted them (issue 16, fourth pass): 4,000 seeks into
    # `events` for a page of 20 on the 1-million-event store. Reviewed rows by kind and date are read in order too.
    ("0013_reviewed_day", """
CREATE INDEX reviewed_events_day ON reviewed_events(kind, event_date);
"""),
    # A fused search still spent half its time on the fused events matched only through a report outside their lead
    # article (issue 16, after the fourth pass): a seek per matching article into `fused_members_other_articles` and
    # 80,000 lead ids for `w17`, built per request. Now fused events have a full-text index of their own: a row of
    # `fused_texts` per article of a fused event's reports (a search's words must all be in one article, as before:
    # one row for the whole event would match words spread over its reports), indexed by `fused_fts` (FTS5,
    # contentless: the words are the article's, kept by the triggers below as 0002_fts keeps `articles_fts`). A row's
    # id is the fused event's integer key (its lead report's row id, `lead_id`) times 2^20 (schema.TEXT_KEY_BITS) plus
    # the article's rank in the event, so `id >> 20` is that key and the rows of one event are adjacent: a search
    # reads its fused events and its count straight from the index. Written by store/fused.py `summarise` (its
    # FUSED_TEXTS is this backfill's SQL) after every write of fused events, and deleted with them, in the same
    # transaction. The words are the
    # article's: stored articles are never changed, so the delete trigger gives FTS5 the words that were indexed.
    # The backfill fills the index in key order before the triggers exist (one bulk insert, not a trigger a row).
    ("0014_fused_fts", """
CREATE TABLE fused_texts (
    id INTEGER PRIMARY KEY,
    fused_id TEXT NOT NULL REFERENCES fused_events(fused_id) ON DELETE CASCADE,
    article_id INTEGER NOT NULL
);
INSERT INTO fused_texts(id, fused_id, article_id)
    SELECT f.lead_id * 1048576 + ROW_NUMBER() OVER (PARTITION BY m.fused_id ORDER BY m.article_id) - 1,
           m.fused_id, m.article_id
    FROM (SELECT DISTINCT fused_id, article_id FROM fused_members) m JOIN fused_events f ON f.fused_id = m.fused_id;
CREATE INDEX fused_texts_fused ON fused_texts(fused_id);
CREATE VIRTUAL TABLE fused_fts USING fts5(title, text, content='');
INSERT INTO fused_fts(rowid, title, text)
    SELECT t.id, a.title, a.text FROM fused_texts t JOIN articles a ON a.id = t.article_id ORDER BY t.id;
CREATE TRIGGER fused_texts_insert AFTER INSERT ON fused_texts BEGIN
    INSERT INTO fused_fts(rowid, title, text) SELECT new.id, a.title, a.text FROM articles a WHERE a.id = new.article_id;
END;
CREATE TRIGGER fused_texts_delete AFTER DELETE ON fused_texts BEGIN
    INSERT INTO fused_fts(fused_fts, rowid, title, text)
        SELECT 'delete', old.id, a.title, a.text FROM articles a WHERE a.id = old.article_id;
END;
"""),
    # A search of a very common word (a word of 89% of the articles on the 1-million-event bench store) spent most of
    # its time building its hit list (issue 16, sixth pass): store/common_words.py reads such a word without one, its
    # page in date order with a test per row, stopping once full: `events_day_desc` gives GET /events' order (date
    # descending, then row id) without sorting each day's rows. Its reviewed rows are read through a small table of
    # their machine keys, `reviewed_articles` (a reviewed report's event id, row id and article: a walk of the
    # reviewed rows no longer seeks into the million rows of `events`), whose articles have a full-text index of
    # their own, `reviewed_fts` (FTS5, contentless, an article's words once, whichever of its reports are reviewed),
    # so the reviewed rows of a search are matched at once. A row is added by the trigger on `reviewed_events` (whose
    # rows store/decisions.py `refresh` rewrites), for a report that is in `events`, and leaves with its report (the
    # trigger on `events`): it holds every reviewed report, and perhaps a report no longer reviewed, which the reads'
    # join to `reviewed_events` leaves out. The words are the article's: stored articles are never changed.
    ("0015_reviewed_fts", """
CREATE INDEX events_day_desc ON events(event_date DESC, id);
CREATE TABLE reviewed_articles (
    event_id TEXT NOT NULL PRIMARY KEY,
    id INTEGER NOT NULL,
    article_id INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO reviewed_articles(event_id, id, article_id)
    SELECT x.event_id, x.id, x.article_id FROM reviewed_events r JOIN events x ON x.event_id = r.event_id
    WHERE r.kind = 'report' ORDER BY x.event_id;
CREATE INDEX reviewed_articles_article ON reviewed_articles(article_id);
CREATE VIRTUAL TABLE reviewed_fts USING fts5(title, text, content='');
INSERT INTO reviewed_fts(rowid, title, text)
    SELECT a.id, a.title, a.text FROM articles a WHERE a.id IN (SELECT article_id FROM reviewed_articles) ORDER BY a.id;
CREATE TRIGGER reviewed_articles_insert AFTER INSERT ON reviewed_articles
    WHEN NOT EXISTS (SELECT 1 FROM reviewed_articles t WHERE t.article_id = new.article_id AND t.event_id <> new.event_id)
BEGIN
    INSERT INTO reviewed_fts(rowid, title, text) SELECT a.id, a.title, a.text FROM articles a WHERE a.id = new.article_id;
END;
CREATE TRIGGER reviewed_articles_delete AFTER DELETE ON reviewed_articles
    WHEN NOT EXISTS (SELECT 1 FROM reviewed_articles t WHERE t.article_id = old.article_id)
BEGIN
    INSERT INTO reviewed_fts(reviewed_fts, rowid, title, text)
        SELECT 'delete', a.id, a.title, a.text FROM articles a WHERE a.id = old.article_id;
END;
CREATE TRIGGER reviewed_events_article AFTER INSERT ON reviewed_events WHEN new.kind = 'report' BEGIN
    INSERT INTO reviewed_articles(event_id, id, article_id)
        SELECT x.event_id, x.id, x.article_id FROM events x WHERE x.event_id = new.event_id
        AND NOT EXISTS (SELECT 1 FROM reviewed_articles t WHERE t.event_id = new.event_id);
END;
CREATE TRIGGER events_reviewed_article AFTER DELETE ON events BEGIN
    DELETE FROM reviewed_articles WHERE event_id = old.event_id;
END;
"""),
]

# PostgreSQL runs the same migrations, translated by `dialect.to_postgres` (types, defaults).
# A migration that cannot be translated mechanically gives its PostgreSQL text here, by name.
POSTGRES_OVERRIDES: dict[str, str] = {
    # FTS5 and its triggers become a generated tsvector column with a GIN index. The 'simple'
    # configuration lowercases without stemming, as FTS5's default tokenizer does.
    "0002_fts": """
ALTER TABLE articles ADD COLUMN fts tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', coalesce(title, '') || ' ' || text)) STORED;
CREATE INDEX articles_fts ON articles USING GIN (fts);
""",
    # PostgreSQL changes the constraint in place. A B-tree entry holds at most about 2.7 kB, and a
    # reason (an E016 names the article's id, which may be long) or a source may be longer, so the
    # key holds their md5 digests: equal texts, equal digests. `ON CONFLICT DO NOTHING` (no target)
    # honours a unique index as it does a constraint. The constraint's name is PostgreSQL's own for
    # 0001's inline `UNIQUE (source, line, code)`.
    "0009_reject_records": """
ALTER TABLE rejects DROP CONSTRAINT rejects_source_line_code_key;
CREATE UNIQUE INDEX rejects_identity ON rejects (md5(source), line, code, md5(reason));
""",
    # A fused event's words are its articles' tsvectors (0002_fts's generated column), one row of `fused_texts` per
    # article of its reports, copied by a trigger when the row is written (a generated column cannot read another
    # table) and GIN-indexed: the same rows, keys and matches as SQLite's `fused_fts`.
    "0014_fused_fts": """
CREATE TABLE fused_texts (
    id BIGINT PRIMARY KEY,
    fused_id TEXT NOT NULL REFERENCES fused_events(fused_id) ON DELETE CASCADE,
    article_id BIGINT NOT NULL,
    fts tsvector
);
CREATE FUNCTION fused_texts_fts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.fts := (SELECT a.fts FROM articles a WHERE a.id = NEW.article_id);
    RETURN NEW;
END $$;
CREATE TRIGGER fused_texts_fts BEFORE INSERT ON fused_texts FOR EACH ROW EXECUTE FUNCTION fused_texts_fts();
INSERT INTO fused_texts(id, fused_id, article_id)
    SELECT f.lead_id * 1048576 + ROW_NUMBER() OVER (PARTITION BY m.fused_id ORDER BY m.article_id) - 1,
           m.fused_id, m.article_id
    FROM (SELECT DISTINCT fused_id, article_id FROM fused_members) m JOIN fused_events f ON f.fused_id = m.fused_id;
CREATE INDEX fused_texts_fused ON fused_texts(fused_id);
CREATE INDEX fused_texts_search ON fused_texts USING GIN (fts);
""",
    # PostgreSQL matches each statement's text itself (no hit list, store/reads.py `Dialect.hits` is None), so a
    # common word needs no reviewed rows' index: the table is there, empty, for the same schema on both back ends.
    "0015_reviewed_fts": """
CREATE TABLE reviewed_articles (
    event_id TEXT NOT NULL PRIMARY KEY,
    id BIGINT NOT NULL,
    article_id BIGINT NOT NULL
);
""",
}
