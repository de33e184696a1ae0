"""Django database backends of vanban (`DATABASES["default"]["ENGINE"] = "vanban.dbbackend"`).

`UNPREPARED` lives here, not in `base`, so that code marking its SQL does not import the
PostgreSQL backend (and psycopg) on an installation that runs on SQLite."""

# A statement carrying this comment is never kept prepared (`base._ServerBindingCursor`): its best
# plan depends on its values (the search's words: a rare word wants the GIN index, a common one the
# primary key), and a prepared statement may settle on one generic plan for all of them. On SQLite
# it is only a comment.
UNPREPARED = "/* unprepared */"
