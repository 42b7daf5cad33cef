"""The facet tokens of each document again (`alumni_keys`, `staff_keys`), and on SQLite a second
FTS5 table over the names and those keys only.

Relevance puts members whose name matches first. In the one FTS5 table of 0002 that probe reads
the whole doclist of each word's tokens (営業: a fifth of all documents, for every column) to find
that no *name* holds it, ~60 ms at 1M. The names table holds small doclists: the probe reads names
only, the facets coming along as keys. PostgreSQL has its names vectors (0003) and needs nothing.
"""


import importlib

from django.db import migrations, models

# Adding a NOT NULL column makes Django rebuild the table on SQLite (copy, drop, rename), which
# drops the triggers of 0002: they are made again here, and so must they be by any later migration
# that rebuilds this table.
_FTS_0002 = importlib.import_module("enishi.directory.migrations.0002_fulltext")
SQLITE_TRIGGERS_AGAIN = [
    *(f"DROP TRIGGER IF EXISTS directory_fts_{event}" for event in ("insert", "delete", "update")),
    *(statement for statement in _FTS_0002.SQLITE if statement.startswith("CREATE TRIGGER")),
    "INSERT INTO directory_fts(directory_fts) VALUES ('rebuild')",
]

SQLITE = [
    *SQLITE_TRIGGERS_AGAIN,
    """CREATE VIRTUAL TABLE directory_names_fts USING fts5(
        alumni_names, alumni_keys, staff_names, staff_keys,
        content='directory_searchdocument', content_rowid='rank_key',
        tokenize='unicode61 remove_diacritics 0', columnsize=0
    )""",
    """CREATE TRIGGER directory_names_fts_insert AFTER INSERT ON directory_searchdocument BEGIN
        INSERT INTO directory_names_fts(rowid, alumni_names, alumni_keys, staff_names, staff_keys)
        VALUES (new.rank_key, new.alumni_names, new.alumni_keys, new.staff_names, new.staff_keys);
    END""",
    """CREATE TRIGGER directory_names_fts_delete AFTER DELETE ON directory_searchdocument BEGIN
        INSERT INTO directory_names_fts(directory_names_fts, rowid, alumni_names, alumni_keys, staff_names, staff_keys)
        VALUES ('delete', old.rank_key, old.alumni_names, old.alumni_keys, old.staff_names, old.staff_keys);
    END""",
    """CREATE TRIGGER directory_names_fts_update AFTER UPDATE ON directory_searchdocument BEGIN
        INSERT INTO directory_names_fts(directory_names_fts, rowid, alumni_names, alumni_keys, staff_names, staff_keys)
        VALUES ('delete', old.rank_key, old.alumni_names, old.alumni_keys, old.staff_names, old.staff_keys);
        INSERT INTO directory_names_fts(rowid, alumni_names, alumni_keys, staff_names, staff_keys)
        VALUES (new.rank_key, new.alumni_names, new.alumni_keys, new.staff_names, new.staff_keys);
    END""",
    # Documents already there (their keys are empty until `manage.py rebuild_search_index`).
    "INSERT INTO directory_names_fts(directory_names_fts) VALUES ('rebuild')",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS directory_names_fts_update",
    "DROP TRIGGER IF EXISTS directory_names_fts_delete",
    "DROP TRIGGER IF EXISTS directory_names_fts_insert",
    "DROP TABLE IF EXISTS directory_names_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run



class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0003_name_vectors'),
    ]

    operations = [
        # Undoing the fields rebuilds the table again: the triggers of 0002 come back last.
        migrations.RunPython(migrations.RunPython.noop, _run({"sqlite": SQLITE_TRIGGERS_AGAIN})),
        migrations.AddField(
            model_name='searchdocument',
            name='alumni_keys',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='staff_keys',
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(_run({"sqlite": SQLITE}), _run({"sqlite": SQLITE_REVERSE})),
    ]
