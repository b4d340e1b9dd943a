"""The previous schema version to this one (issue 18), by the real programs.

tests/integration/db-previous.sql is a database that the previous version
of Arbor made (its `arborctl init`, `demo` and some `bench-data`; written
by previous-db.sh). Today's `arborctl init` migrates it; then no row is
lost, `arborctl check` finds nothing, the schema is a new database's, the
demo's users and a generated one sign in with their old passwords, every
page route reads as an account administrator and as an operator, and the
API's lists read.
"""
import json
import os
import re
import sqlite3
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from arbor_stack import PASSWORD, ROOT, Client, Stack, StackError, on_postgresql  # noqa: E402
from counters import schema_differences  # noqa: E402
from fixtures import logged_in, new_token  # noqa: E402
from test_autopi_html import concrete, page_routes  # noqa: E402

PREVIOUS_SQL = os.path.join(HERE, 'db-previous.sql')
with open(os.path.join(ROOT, 'schema.sql')) as _f:
    NEWEST = int(re.search(r'PRAGMA user_version = (\d+);', _f.read()).group(1))


def dump_version():
    with open(PREVIOUS_SQL) as f:
        return int(re.search(r'^PRAGMA user_version = (\d+);\s*\Z', f.read(), re.M).group(1))


def row_counts(path):
    """{table: rows} of the database at path (its own tables, not SQLite's
    nor the search indexes', which a migration may rebuild)."""
    con = sqlite3.connect(path)
    try:
        tables = [name for (name,) in con.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE "
            "'sqlite_%' AND name NOT LIKE '%_fts%' ORDER BY name")]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()


class PreviousStack(Stack):
    """A stack whose database is db-previous.sql when `arborctl init` first
    opens it."""

    def __init__(self):
        super().__init__(demo=False,
                         settings={'login': {'max_attempts_per_ip_minute': 1000}})
        self.init_run = None

    def arborctl(self, *args, **kw):
        if args != ('init',) or self.init_run is not None:
            return super().arborctl(*args, **kw)
        with open(PREVIOUS_SQL, 'rb') as dump:
            subprocess.run(['sqlite3', self.database], stdin=dump, check=True, timeout=60)
        self.rows_before = row_counts(self.database)
        self.init_run = super().arborctl('init', check=False)
        if self.init_run.returncode != 0:
            raise StackError(f'arborctl init: {self.init_run.stdout}{self.init_run.stderr}')
        self.rows_after = row_counts(self.database)
        return self.init_run


PREVIOUS = PreviousStack()
CLIENTS = {}


# what the module's tests are about exists on SQLite alone
ONLY_SQLITE = ('migrates db-previous.sql, a SQLite database of the previous '
               'version: PostgreSQL\'s schema begins at version 13, with no older '
               'database to migrate; tests/pg/schema-check.sh checks schema-pg.sql '
               'against schema.sql')


def setUpModule():
    if on_postgresql():
        return      # the tests skip (ONLY_SQLITE)
    PREVIOUS.start()
    unittest.addModuleCleanup(PREVIOUS.stop)
    unittest.addModuleCleanup(CLIENTS.clear)


def as_(username):
    if username not in CLIENTS:
        CLIENTS[username] = logged_in(username, stack=PREVIOUS)
    return CLIENTS[username]


@unittest.skipIf(on_postgresql(), ONLY_SQLITE)
class PreviousVersionTests(unittest.TestCase):
    def test_the_dump_is_of_the_version_before_this_one(self):
        self.assertEqual(dump_version(), NEWEST - 1,
                         'schema.sql went up a version: run tests/integration/previous-db.sh '
                         'with the last commit of the version before it')

    def test_init_migrated_to_a_new_databases_schema(self):
        self.assertEqual(PREVIOUS.init_run.returncode, 0)
        con = sqlite3.connect(PREVIOUS.database)
        try:
            self.assertEqual(con.execute('PRAGMA user_version').fetchone()[0], NEWEST)
            self.assertEqual(schema_differences(con), [])
        finally:
            con.close()

    def test_no_row_is_lost(self):
        """Every table of the old database has as many rows after the
        migration (and the dump is not empty)."""
        before = PREVIOUS.rows_before
        self.assertGreater(before['users'], 40)
        self.assertGreater(before['devices'], 50)
        self.assertEqual({t: PREVIOUS.rows_after.get(t) for t in before}, before)

    def test_check_finds_nothing(self):
        run = PREVIOUS.arborctl('check', check=False)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)

    def test_the_users_sign_in_with_their_old_passwords(self):
        """The demo's active users and a generated one (each sign-in hashes)."""
        users = PREVIOUS.query(
            "SELECT username FROM users WHERE active = 1 AND (id <= (SELECT id FROM users "
            "WHERE username = 'contoso.admin') OR id = (SELECT max(id) FROM users))")
        self.assertGreater(len(users), 5)
        for (username,) in users:
            with self.subTest(user=username):
                c = Client(PREVIOUS)
                c.login(username, PASSWORD)
                self.assertIsNotNone(c.session_token)
                c.logout()
        c = Client(PREVIOUS)
        c.get('/login')
        r = c.post('/login', [('username', 'former'), ('password', PASSWORD)])
        self.assertNotEqual(r.status, 303, 'the inactive user stays refused')
        self.assertIsNone(c.session_token)

    def test_every_page_route_reads(self):
        for username in ('admin', 'operator'):
            c = as_(username)
            for path in (concrete(p, PREVIOUS) for p in page_routes()):
                with self.subTest(user=username, path=path):
                    r = c.get(path)
                    self.assertIn(r.status, (200, 302, 303, 403, 404), r)
        r = as_('admin').get('/users?q=dk.admin')
        self.assertIn('dk.admin', r.text)

    def test_the_api_lists_read(self):
        secret, _ = new_token('admin', client=as_('admin'))
        api = Client(PREVIOUS)
        for path in ('/api/v1/users', '/api/v1/customers', '/api/v1/devices',
                     '/api/v1/locations'):
            with self.subTest(path=path):
                r = api.get(path, headers={'Authorization': f'Bearer {secret}'})
                self.assertEqual(r.status, 200, r)
                self.assertTrue(json.loads(r.text)['items'], r.text[:200])


if __name__ == '__main__':
    unittest.main()
