"""Schema version 3 to 4 (issue 14), by the real program: a version-3 database
(tests/integration/schema-v3.sql and the rows below) that `arborctl init` opens
is migrated: at user_version 4 it has schema.sql's objects, counters that agree
with the rows (counters.py), search indexes that hold every row, triggers that
count and index a row made afterwards, and every row it had, unchanged. A
second `arborctl init` changes nothing; a migration that fails leaves the
version-3 database as it was.

The module's stack (MIGRATED) is its own: its database is made as version 3
just before `arborctl init` first opens it (init migrates it), then v3.admin
and orion.admin get the demo password (`arborctl passwd`) and the stack
serves it. Copies
taken just before and just after the migration are what the comparisons read;
the served database is for the pages. The rows, three levels deep below an
account whose id is a prefix of another account's ('/1/' and '/10/'):

  1 Vega Holdings (account)   v3.admin, device VG-001
    2 Vega North              marisol.q, Glacier Depot (VG-100 there)
      3 Vega Arctic           arctic.one, Fjord Yard (VG-200 there), VG-201
        4 Vega Tundra         tundra.one (at Permafrost Pad), tundra.two,
                              Permafrost Pad (VG-300, VG-301), Tundra Annex
    11 Vega South             south.one, VG-400
  10 Orion Freight (account)  orion.admin, OR-001
    12 Orion Docks            docks.one, Harbor Quay (OR-100 there)

and an operator, a device move, an event, a user group with a member and a
device, an API token, a queued mail.
"""
import hashlib
import os
import re
import sqlite3
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arbor_stack import PASSWORD, ROOT, Stack, StackError, on_postgresql  # noqa: E402
from counters import (OWN, TREE, counter_mismatches, index_hits,  # noqa: E402
                      index_mismatches, moved, schema_differences, stored)
from fixtures import logged_in  # noqa: E402

# the newest schema version, which init migrates to (schema.sql's last word)
with open(os.path.join(ROOT, 'schema.sql')) as _f:
    NEWEST = int(re.search(r'PRAGMA user_version = (\d+);', _f.read()).group(1))
from test_counters import CountsTest, customer_ids, location_ids, user_ids  # noqa: E402
from test_lists_scale import device_ids, list_count  # noqa: E402

V3_ROWS = """
INSERT INTO customers (id, parent_id, path, depth, name, email, owner_email, country,
  created_at, updated_at) VALUES
  (1, NULL, '/1/', 0, 'Vega Holdings', 'hq@vega.example', 'owner@vega.example', 'NO', 1, 1),
  (2, 1, '/1/2/', 1, 'Vega North', 'north@vega.example', NULL, 'NO', 1, 1),
  (3, 2, '/1/2/3/', 2, 'Vega Arctic', 'arctic@vega.example', NULL, 'NO', 1, 1),
  (4, 3, '/1/2/3/4/', 3, 'Vega Tundra', 'tundra@vega.example', NULL, 'NO', 1, 1),
  (11, 1, '/1/11/', 1, 'Vega South', 'south@vega.example', NULL, 'NO', 1, 1),
  (10, NULL, '/10/', 0, 'Orion Freight', 'hq@orion.example', 'owner@orion.example', 'SE', 1, 1),
  (12, 10, '/10/12/', 1, 'Orion Docks', 'docks@orion.example', NULL, 'SE', 1, 1);
INSERT INTO users (id, customer_id, is_operator, email, username, full_name, groups,
  created_at, updated_at) VALUES
  (1, NULL, 1, 'ops@arbor.example', 'v3.operator', 'Olaf Operator', 63, 1, 1),
  (2, 1, 0, 'admin@vega.example', 'v3.admin', 'Vera Admin', 63, 1, 1),
  (3, 2, 0, 'marisol@vega.example', 'marisol.q', 'Marisol Quintavalle', 0, 1, 1),
  (4, 3, 0, 'arctic@vega.example', 'arctic.one', 'Aput Arctic', 2, 1, 1),
  (5, 4, 0, 'tundra1@vega.example', 'tundra.one', 'Tove Tundra', 2, 1, 1),
  (6, 4, 0, 'tundra2@vega.example', 'tundra.two', 'Tor Tundra', 0, 1, 1),
  (7, 11, 0, 'south@vega.example', 'south.one', 'Sol South', 0, 1, 1),
  (8, 10, 0, 'admin@orion.example', 'orion.admin', 'Orla Orion', 63, 1, 1),
  (9, 12, 0, 'docks@orion.example', 'docks.one', 'Dag Docks', 0, 1, 1);
INSERT INTO locations (id, customer_id, name, created_at, updated_at) VALUES
  (1, 2, 'Glacier Depot', 1, 1), (2, 3, 'Fjord Yard', 1, 1), (3, 4, 'Permafrost Pad', 1, 1),
  (4, 4, 'Tundra Annex', 1, 1), (5, 12, 'Harbor Quay', 1, 1);
INSERT INTO user_locations (user_id, location_id) VALUES (5, 3), (4, 2);
INSERT INTO devices (id, unit_id, device_uuid, name, vehicle_name, vin, customer_id,
  location_id, registered_at, registered_by) VALUES
  (1, 'VG-100', '0b7d1a52-0000-4000-8000-000000000001', 'Vega unit VG-100', 'Snowcat', NULL,
   2, 1, 1, 2),
  (2, 'VG-200', '0b7d1a52-0000-4000-8000-000000000002', 'Vega unit VG-200', '',
   '1HGCM82633A004352', 3, 2, 1, 2),
  (3, 'VG-201', '0b7d1a52-0000-4000-8000-000000000003', 'Vega unit VG-201', '', NULL, 3, NULL,
   1, NULL),
  (4, 'VG-300', '0b7d1a52-0000-4000-8000-000000000004', 'Reindeer sled', '', NULL, 4, 3, 1, 2),
  (5, 'VG-301', '0b7d1a52-0000-4000-8000-000000000005', 'Reindeer sledge', '', NULL, 4, 3, 1,
   2),
  (6, 'VG-400', '0b7d1a52-0000-4000-8000-000000000006', 'Vega unit VG-400', '', NULL, 11,
   NULL, 1, 2),
  (7, 'VG-001', '0b7d1a52-0000-4000-8000-000000000007', 'Vega unit VG-001', '', NULL, 1, NULL,
   1, 2),
  (8, 'OR-100', '0b7d1a52-0000-4000-8000-000000000008', 'Orion unit', '', NULL, 12, 5, 1, 8),
  (9, 'OR-001', '0b7d1a52-0000-4000-8000-000000000009', 'Orion spare', '', NULL, 10, NULL, 1,
   8);
INSERT INTO device_moves (device_id, from_customer_id, to_customer_id, moved_by, moved_at)
  VALUES (2, 2, 3, 2, 1);
INSERT INTO events (at, kind, user_id, actor_id, detail) VALUES (1, 'login', 2, 2, 'v3');
INSERT INTO user_groups (id, name, account_id, created_at) VALUES (1, 'Vega drivers', 1, 1);
INSERT INTO user_group_members (group_id, user_id) VALUES (1, 5);
INSERT INTO user_group_devices (group_id, device_id) VALUES (1, 4);
INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at)
  VALUES (2, 'v3 script', x'00112233445566778899aabbccddeeff', 1, 4102444800);
INSERT INTO mail_queue (created_at, recipient, subject, body, next_attempt_at)
  VALUES (1, 'marisol@vega.example', 'Welcome', 'Hello', 1);
"""
# counted by hand from V3_ROWS: own users, devices, locations; subtree customers,
# users, devices, locations
WANT = {1: (1, 1, 0, 5, 6, 7, 4), 2: (1, 1, 1, 3, 4, 5, 4), 3: (1, 2, 1, 2, 3, 4, 3),
        4: (2, 2, 2, 1, 2, 2, 2), 11: (1, 1, 0, 1, 1, 1, 0), 10: (1, 1, 0, 2, 2, 2, 1),
        12: (1, 1, 1, 1, 1, 1, 1)}
WANT_AT = {1: 1, 2: 1, 3: 2, 4: 0, 5: 1}


def make_v3(path):
    """A version-3 database at path, in WAL mode as the program keeps it, with V3_ROWS."""
    with open(os.path.join(ROOT, 'tests', 'integration', 'schema-v3.sql')) as f:
        schema = f.read()
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute('PRAGMA journal_mode = WAL')
        con.execute('PRAGMA foreign_keys = ON')
        con.executescript(schema)
        con.executescript(f'BEGIN; {V3_ROWS} COMMIT;')
        assert con.execute('PRAGMA user_version').fetchone() == (3,)
    finally:
        con.close()


def copy_db(source, target):
    """A copy of the database source as target (the backup API: WAL included)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def opened(path):
    return sqlite3.connect(path, isolation_level=None)


def on(path, check, *args):
    con = opened(path)
    try:
        return check(con, *args)
    finally:
        con.close()


def everything(con):
    """All a database holds: its user_version, its schema's rows and every table's
    rows (in a fixed order)."""
    out = {'user_version': con.execute('PRAGMA user_version').fetchone()[0],
           'schema': sorted(con.execute('SELECT type, name, tbl_name, sql FROM sqlite_schema'),
                            key=repr)}
    for (table,) in con.execute("SELECT name FROM sqlite_schema WHERE type = 'table'").fetchall():
        out[table] = sorted(con.execute(f'SELECT * FROM "{table}"'), key=repr)
    return out


def rows_of(con, tables):
    """{table: its rows} of tables ({table: columns}), those columns only."""
    return {t: sorted(con.execute(f'SELECT {", ".join(cols)} FROM "{t}"'), key=repr)
            for t, cols in tables.items()}


def table_columns(con):
    return {t: [c[1] for c in con.execute(f'PRAGMA table_info("{t}")')]
            for (t,) in con.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")
            .fetchall()}


def file_hash(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


class V3Stack(Stack):
    """A stack whose database is version 3 when `arborctl init` first opens it."""

    def __init__(self):
        super().__init__(demo=False)
        self.init_run = None

    def arborctl(self, *args, **kw):
        if args != ('init',) or self.init_run is not None:
            return super().arborctl(*args, **kw)
        self.v3_copy = os.path.join(self.var, 'v3-copy.db')
        self.migrated_copy = os.path.join(self.var, 'migrated-copy.db')
        make_v3(self.database)
        copy_db(self.database, self.v3_copy)
        self.init_run = super().arborctl('init', check=False)
        if self.init_run.returncode != 0:
            raise StackError(f'arborctl init: {self.init_run.stdout}{self.init_run.stderr}')
        copy_db(self.database, self.migrated_copy)
        for user in ('v3.admin', 'orion.admin'):
            super().arborctl('passwd', user, input=PASSWORD + '\n')
        return self.init_run

    def init(self, path):
        """arborctl init on the database at path (this stack's settings otherwise)."""
        conf = f'{path}.conf'
        with open(self.conf) as f:
            text = f.read()
        with open(conf, 'w') as f:
            f.write(text.replace(self.database, path))
        return subprocess.run([os.path.join(self.bin, 'arborctl'), 'init'],
                              env=dict(self.env, ARBOR_CONF=conf), capture_output=True,
                              text=True, timeout=120)


MIGRATED = V3Stack()
CLIENTS = {}


# what the module's tests are about exists on SQLite alone
ONLY_SQLITE = ('migrates a version-3 SQLite database: PostgreSQL\'s schema '
               'begins at version 13, with no older database to migrate; '
               'tests/pg/schema-check.sh checks schema-pg.sql against schema.sql')


def setUpModule():
    if on_postgresql():
        return      # the tests skip (ONLY_SQLITE)
    MIGRATED.start()
    unittest.addModuleCleanup(MIGRATED.stop)
    unittest.addModuleCleanup(CLIENTS.clear)


@unittest.skipIf(on_postgresql(), ONLY_SQLITE)
class MigrationTests(CountsTest):
    """The checks of test_counters on MIGRATED, as v3.admin."""

    stack = MIGRATED
    admin_name = 'v3.admin'

    def as_(self, who=None):
        who = who or self.admin_name
        if who not in CLIENTS:
            CLIENTS[who] = logged_in(who, stack=MIGRATED)
        return CLIENTS[who]

    def scratch(self, name):
        """A copy of the database as it was before the migration, for this test."""
        path = os.path.join(MIGRATED.var, f'{self._testMethodName}-{name}.db')
        copy_db(MIGRATED.v3_copy, path)
        return path

    def test_init_migrates_to_the_newest_version_with_the_schema_of_a_new_database(self):
        run = MIGRATED.init_run
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertIn(f'is at schema version {NEWEST}', run.stdout)
        self.assertEqual(on(MIGRATED.v3_copy, lambda c: c.execute(
            'PRAGMA user_version').fetchone()), (3,))
        self.assertNotIn('users_fts', on(MIGRATED.v3_copy, table_columns))
        con = opened(MIGRATED.migrated_copy)
        try:
            self.assertEqual(con.execute('PRAGMA user_version').fetchone(), (NEWEST,))
            self.assertEqual(schema_differences(con), [])
        finally:
            con.close()

    def test_no_row_is_lost_or_changed(self):
        """Every row of every version-3 table, in every version-3 column, is there as
        it was (the filled tables are not empty: the comparison compares rows)."""
        v3 = opened(MIGRATED.v3_copy)
        v4 = opened(MIGRATED.migrated_copy)
        try:
            tables = table_columns(v3)
            before = rows_of(v3, tables)
            self.assertEqual(rows_of(v4, tables), before)
            self.assertEqual({t: len(before[t]) for t in (
                'customers', 'users', 'locations', 'user_locations', 'devices', 'device_moves',
                'events', 'user_groups', 'user_group_members', 'user_group_devices',
                'api_tokens', 'mail_queue')},
                {'customers': 7, 'users': 9, 'locations': 5, 'user_locations': 2, 'devices': 9,
                 'device_moves': 1, 'events': 1, 'user_groups': 1, 'user_group_members': 1,
                 'user_group_devices': 1, 'api_tokens': 1, 'mail_queue': 1})
        finally:
            v3.close()
            v4.close()

    def test_the_counters_are_counted(self):
        customers, at = on(MIGRATED.migrated_copy, stored)
        self.assertEqual({c: tuple(customers[c][k] for k in OWN + TREE) for c in customers},
                         WANT)
        self.assertEqual(at, WANT_AT)
        self.assertEqual(on(MIGRATED.migrated_copy, counter_mismatches), [])

    def test_the_search_indexes_hold_every_row(self):
        con = opened(MIGRATED.migrated_copy)
        try:
            self.assertEqual(index_mismatches(con), [])
            self.assertEqual(index_hits(con, 'users', 'Quintavalle'), [3])
            self.assertEqual(index_hits(con, 'users', 'tundra'), [5, 6])
            self.assertEqual(index_hits(con, 'customers', 'Tundra'), [4])
            self.assertEqual(index_hits(con, 'customers', 'orion.example'), [10, 12])
            self.assertEqual(index_hits(con, 'locations', 'Permafrost'), [3])
            self.assertEqual(index_hits(con, 'devices', 'Reindeer'), [4, 5])
            self.assertEqual(index_hits(con, 'devices', 'A004352'), [2])
        finally:
            con.close()

    def test_the_pages_find_and_count_the_migrated_rows(self):
        """v3.admin's lists: searches through the indexes find the rows of the account
        (and not Orion's), unfiltered counts come from the counters."""
        self.assertEqual(self.found('/users', 'Quintavalle', user_ids), [3])
        self.assertEqual(self.found('/users', 'Tundra', user_ids), [5, 6])
        self.assertEqual(self.found('/users', 'docks', user_ids), [])
        self.assertEqual(self.found('/customers', 'Tundra', customer_ids), [4])
        self.assertEqual(self.found('/locations', 'Permafrost', location_ids), [3])
        self.assertEqual(self.found('/devices', 'Reindeer', device_ids), [4, 5])
        self.assertEqual(self.found('/devices', 'unit', device_ids), [1, 2, 3, 6, 7])
        for path, want in (('/users', '6 users'), ('/customers', '5 customers'),
                           ('/locations', '4 locations'), ('/devices', '7 devices')):
            with self.subTest(path=path):
                self.assertEqual(list_count(self.ok(self.as_().get(path), 200).text), want)

    def test_rows_made_after_the_migration_are_counted_and_found(self):
        """The triggers the migration made count and index what the pages make (in
        Orion's account, as orion.admin: Vega's, which the other tests read, stays)."""
        self.admin_name = 'orion.admin'
        before = self.stored()
        store = self.page_customer('Orion Cold Store', 12)
        chain = [store, 12, 10]
        before = self.assertChange(before, moved(chain, tree_customers=1), 'a customer at 12')
        annex = self.page_location('Cold Annex', store)
        before = self.assertChange(before, {**moved(chain, tree_locations=1),
                                            (store, 'location_count'): 1}, 'a location there')
        user = self.page_user('ingrid.vexholm', store, full_name='Ingrid Vexholm')
        before = self.assertChange(before, {**moved(chain, tree_users=1),
                                            (store, 'user_count'): 1}, 'a user there')
        device = self.page_device('OR-900', store, annex)
        before = self.assertChange(before, {**moved(chain, tree_devices=1),
                                            (store, 'device_count'): 1, ('location', annex): 1},
                                   'a device at the new location')
        self.manage(10, 'OR-100')
        self.assertChange(before, {(12, 'device_count'): -1, (12, 'tree_devices'): -1,
                                   (10, 'device_count'): 1, ('location', 5): -1},
                          'a migrated device moved from its location at 12 up to 10')
        self.assertEqual(self.found('/users', 'Vexholm', user_ids), [user])
        self.assertEqual(self.found('/customers', 'Cold Store', customer_ids), [store])
        self.assertEqual(self.found('/locations', 'Cold Annex', location_ids), [annex])
        self.assertEqual(self.found('/devices', 'Counted OR-9', device_ids), [device])

    def test_a_second_init_changes_nothing(self):
        """On a version-4 database init migrates nothing: a counter and an index entry
        put wrong on purpose stay wrong (a recount or a rebuild would mend them), and
        the file stays byte for byte as it was."""
        path = os.path.join(MIGRATED.var, 'again.db')
        copy_db(MIGRATED.migrated_copy, path)
        con = opened(path)
        try:
            con.execute('UPDATE customers SET tree_users = tree_users + 7 WHERE id = 2')
            con.execute("INSERT INTO devices_fts (devices_fts, rowid, unit_id, name, "
                        "vehicle_name, vin) SELECT 'delete', id, unit_id, name, vehicle_name, "
                        'vin FROM devices WHERE id = 4')
            wrong = (counter_mismatches(con), index_mismatches(con))
        finally:
            con.close()
        self.assertEqual(wrong[0], ['customer 2 (Vega North): tree_users 11, counted 4'])
        self.assertEqual(len(wrong[1]), 2, wrong[1])
        before = file_hash(path)
        run = MIGRATED.init(path)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertIn(f'is at schema version {NEWEST}', run.stdout)
        self.assertEqual(file_hash(path), before)
        con = opened(path)
        try:
            self.assertEqual((counter_mismatches(con), index_mismatches(con)), wrong)
            self.assertEqual(con.execute('PRAGMA user_version').fetchone(), (NEWEST,))
        finally:
            con.close()

    def test_a_failed_migration_leaves_the_v3_database_as_it_was(self):
        """A trigger of the test's that refuses the recount (the migration's last step,
        after its columns, tables and triggers are made): init fails naming it, and
        the database is version 3 with everything as it was. Without it, init then
        migrates."""
        path = self.scratch('blocked')
        con = opened(path)
        try:
            con.execute('CREATE TRIGGER test_blocks_recount BEFORE UPDATE ON customers BEGIN '
                        "SELECT RAISE(ABORT, 'recount blocked by the test'); END")
            before = everything(con)
        finally:
            con.close()
        run = MIGRATED.init(path)
        self.assertNotEqual(run.returncode, 0, run.stdout)
        self.assertIn('recount blocked by the test', run.stderr)
        self.assertNotIn('is at schema version', run.stdout)
        after = on(path, everything)
        self.assertEqual(after['user_version'], 3)
        self.assertEqual(after, before)
        on(path, lambda c: c.execute('DROP TRIGGER test_blocks_recount'))
        run = MIGRATED.init(path)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        con = opened(path)
        try:
            self.assertEqual(con.execute('PRAGMA user_version').fetchone(), (NEWEST,))
            self.assertEqual(counter_mismatches(con), [])
            self.assertEqual(index_mismatches(con), [])
            self.assertEqual(schema_differences(con), [])
        finally:
            con.close()


if __name__ == '__main__':
    unittest.main()
