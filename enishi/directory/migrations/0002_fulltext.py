"""The full-text indexes over the pre-tokenised texts of SearchDocument, per database.

SQLite: an FTS5 table with external content (the document table itself; rowid = rank_key), kept
in step by triggers, so it holds only the inverted index. The `unicode61` tokenizer just splits
the space-separated n-grams; diacritics are kept (が is not か).

PostgreSQL: two generated `tsvector` columns, names weighted A, built from the same tokens with
their positions by an immutable function (no text-search parser or dictionary involved, so the
result is the same on every server), each with a GIN index.
"""

from django.db import migrations

SQLITE = [
    """CREATE VIRTUAL TABLE directory_fts USING fts5(
        alumni_names, alumni_text, staff_names, staff_text,
        content='directory_searchdocument', content_rowid='rank_key',
        tokenize='unicode61 remove_diacritics 0', columnsize=0
    )""",
    """CREATE TRIGGER directory_fts_insert AFTER INSERT ON directory_searchdocument BEGIN
        INSERT INTO directory_fts(rowid, alumni_names, alumni_text, staff_names, staff_text)
        VALUES (new.rank_key, new.alumni_names, new.alumni_text, new.staff_names, new.staff_text);
    END""",
    """CREATE TRIGGER directory_fts_delete AFTER DELETE ON directory_searchdocument BEGIN
        INSERT INTO directory_fts(directory_fts, rowid, alumni_names, alumni_text, staff_names, staff_text)
        VALUES ('delete', old.rank_key, old.alumni_names, old.alumni_text, old.staff_names, old.staff_text);
    END""",
    """CREATE TRIGGER directory_fts_update AFTER UPDATE ON directory_searchdocument BEGIN
        INSERT INTO directory_fts(directory_fts, rowid, alumni_names, alumni_text, staff_names, staff_text)
        VALUES ('delete', old.rank_key, old.alumni_names, old.alumni_text, old.staff_names, old.staff_text);
        INSERT INTO directory_fts(rowid, alumni_names, alumni_text, staff_names, staff_text)
        VALUES (new.rank_key, new.alumni_names, new.alumni_text, new.staff_names, new.staff_text);
    END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS directory_fts_update",
    "DROP TRIGGER IF EXISTS directory_fts_delete",
    "DROP TRIGGER IF EXISTS directory_fts_insert",
    "DROP TABLE IF EXISTS directory_fts",
]

POSTGRESQL = [
    # Tokens are letters and digits only (tokens.py), so quoting them needs no escaping.
    """CREATE FUNCTION directory_positions(tokens text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(string_agg('''' || token || ''':' || least(position, 16383), ' ')::tsvector, ''::tsvector)
        FROM unnest(string_to_array(tokens, ' ')) WITH ORDINALITY AS t(token, position)
        WHERE token <> ''
    $$""",
    """CREATE FUNCTION directory_vector(names text, body text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT setweight(directory_positions(names), 'A') || directory_positions(body)
    $$""",
    """ALTER TABLE directory_searchdocument
        ADD COLUMN alumni_vector tsvector GENERATED ALWAYS AS (directory_vector(alumni_names, alumni_text)) STORED,
        ADD COLUMN staff_vector tsvector GENERATED ALWAYS AS (directory_vector(staff_names, staff_text)) STORED""",
    "CREATE INDEX directory_alumni_vector ON directory_searchdocument USING gin (alumni_vector)",
    "CREATE INDEX directory_staff_vector ON directory_searchdocument USING gin (staff_vector)",
]
POSTGRESQL_REVERSE = [
    "ALTER TABLE directory_searchdocument DROP COLUMN alumni_vector, DROP COLUMN staff_vector",
    "DROP FUNCTION IF EXISTS directory_vector(text, text)",
    "DROP FUNCTION IF EXISTS directory_positions(text)",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
