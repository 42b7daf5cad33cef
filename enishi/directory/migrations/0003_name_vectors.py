"""PostgreSQL: the names (and the facets) as their own `tsvector` columns, each with a GIN index.

Relevance puts members whose name matches first. With the names only inside the weighted
vectors of 0002 (weight A), that probe was `alumni_vector @@ '営業':A`: the index cannot tell a
name from a job title and no statistic knows that nobody is named 営業, so the planner walked
every document in recency order and rechecked its vector. A names-only column has a GIN index
and statistics of its own: the name probe is an index probe, sized by what names really hold.

SQLite needs nothing: FTS5 already restricts a match to a column (`{alumni_names}: ...`).
"""

from django.db import migrations

POSTGRESQL = [
    # The names with their positions (directory_positions, 0002), then the facet tokens of the
    # texts, without positions: facets are the tokens of three or more characters (tokens.py), and
    # with them in the same vector a name probe with facets is one GIN intersection, not a filter
    # that reads every named candidate's long vector.
    """CREATE FUNCTION directory_names_vector(names text, body text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT directory_positions(names) || array_to_tsvector(ARRAY(
            SELECT DISTINCT token FROM unnest(string_to_array(body, ' ')) AS t(token) WHERE length(token) >= 3
        ))
    $$""",
    """ALTER TABLE directory_searchdocument
        ADD COLUMN alumni_names_vector tsvector
            GENERATED ALWAYS AS (directory_names_vector(alumni_names, alumni_text)) STORED,
        ADD COLUMN staff_names_vector tsvector
            GENERATED ALWAYS AS (directory_names_vector(staff_names, staff_text)) STORED""",
    "CREATE INDEX directory_alumni_names_vector ON directory_searchdocument USING gin (alumni_names_vector)",
    "CREATE INDEX directory_staff_names_vector ON directory_searchdocument USING gin (staff_names_vector)",
]
POSTGRESQL_REVERSE = [
    # Dropping the columns drops their indexes.
    "ALTER TABLE directory_searchdocument DROP COLUMN alumni_names_vector, DROP COLUMN staff_names_vector",
    "DROP FUNCTION IF EXISTS directory_names_vector(text, text)",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_fulltext")]

    operations = [
        migrations.RunPython(_run({"postgresql": POSTGRESQL}), _run({"postgresql": POSTGRESQL_REVERSE})),
    ]
