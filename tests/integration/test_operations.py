"""test_operations.py - issue 18's tools for operators, on the demo stack:
GET /healthz for load balancers, and `arborctl backup` taken while writes
go on, restored into a second stack that signs in and reads: on SQLite a
copy of the database file, on PostgreSQL a pg_dump archive that
pg_restore loads into a new database of the same cluster.
"""
import hashlib
import json
import os
import shutil
import stat
import subprocess
import tempfile
import threading
import time
import unittest

from arbor_stack import (SESSION_COOKIE, Client, PgConnection, Stack, on_postgresql,
                         pg_admin, pg_url)
from fixtures import STACK, Api, cid, client, new_token, setUpModule  # noqa: F401


def schema_version(stack):
    if on_postgresql():
        return stack.query('SELECT version FROM schema_version')[0][0]
    return stack.query('PRAGMA user_version')[0][0]


# what `arborctl backup` writes, and what it says it wrote
if on_postgresql():
    COPY_NAME = 'arbor-copy.pgdump'
    COPY_SAID = r'copied to .*arbor-copy\.pgdump \(a pg_dump archive of \d+ bytes, ' \
                r'mode 0600, read back whole\)'
else:
    COPY_NAME = 'arbor-copy.db'
    COPY_SAID = r'copied to .*arbor-copy\.db \(\d+ pages, mode 0600, integrity ok\)'


class HealthTests(unittest.TestCase):
    def assertHealthy(self, r):
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.header('Content-Type'), 'application/json')
        self.assertEqual(json.loads(r.text), {'status': 'ok',
                                              'schema_version': schema_version(STACK)})
        self.assertEqual(r.set_cookies, [], 'a probe gets no cookie')

    def test_signed_out_it_answers_the_schema_version_and_nothing_else(self):
        r = Client(STACK).get('/healthz')
        self.assertHealthy(r)
        self.assertEqual(r.header('Cache-Control'), 'no-store')

    def test_a_session_cookie_is_neither_read_nor_touched(self):
        admin = client('admin')
        seen = STACK.query('SELECT id, last_seen_at FROM sessions ORDER BY id')
        time.sleep(1.1)     # a resumed session would note a later second
        self.assertHealthy(admin.get('/healthz'))
        self.assertEqual(STACK.query('SELECT id, last_seen_at FROM sessions ORDER BY id'), seen)
        stale = Client(STACK)
        stale.cookies[SESSION_COOKIE] = 'not-a-session'
        self.assertHealthy(stale.get('/healthz'))

    def test_it_takes_no_other_method(self):
        r = Client(STACK).request('POST', '/healthz')
        self.assertEqual(r.status, 405)
        self.assertEqual(r.header('Allow'), 'GET, HEAD')


class Writer(threading.Thread):
    """Makes users through the API until stopped: the load a backup is taken
    under. made: (username, the time its 201 came) of each."""

    def __init__(self, api):
        super().__init__(daemon=True)
        self.api = api
        self.stop = threading.Event()
        self.made = []
        self.failures = []

    def run(self):
        n = 0
        while not self.stop.is_set():
            n += 1
            name = f'backup-load-{n}'
            r = self.api.call('POST', '/api/v1/users', {
                'email': f'{name}@backup.example', 'username': name,
                'customer_id': cid('Northwind Fleet'), 'groups': []})
            if r.status == 201:
                self.made.append((name, time.monotonic()))
            else:
                self.failures.append(r)


def digest(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


class BackupTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='arbor-backup-')
        self.addCleanup(shutil.rmtree, self.dir)

    def test_a_backup_under_load_restores_into_a_stack_that_signs_in(self):
        writer = Writer(Api(new_token('admin', name='backup load')[0]))
        writer.start()
        try:
            while len(writer.made) < 10:
                time.sleep(0.05)
            started = time.monotonic()
            copy = os.path.join(self.dir, COPY_NAME)
            p = STACK.arborctl('backup', copy, check=False)
            while len(writer.made) < 20 + sum(1 for _, at in writer.made if at < started):
                time.sleep(0.05)    # the writes go on after it too
        finally:
            writer.stop.set()
            writer.join(60)
        self.assertEqual((p.returncode, p.stderr), (0, ''))
        self.assertRegex(p.stdout, COPY_SAID)
        self.assertEqual(writer.failures, [])
        self.assertEqual(stat.S_IMODE(os.stat(copy).st_mode), 0o600)
        self.assertEqual(sorted(os.listdir(self.dir)), [COPY_NAME])
        before = {name for name, at in writer.made if at < started}

        keys = os.path.join(STACK.var, 'arbor.keys')
        with Stack(restore=(copy, keys)) as restored:
            p = restored.arborctl('check', check=False)
            self.assertEqual((p.returncode, p.stdout), (0, 'ok\n'))
            names = {r[0] for r in restored.query(
                "SELECT username FROM users WHERE username LIKE 'backup-load-%'")}
            self.assertLessEqual(before, names, 'every user made before the backup is in it')
            self.assertLess(len(names), len(writer.made), 'none made after it ended')
            admin = Client(restored)
            admin.login('admin')
            r = admin.get('/users?q=backup-load-1')
            self.assertEqual(r.status, 200)
            self.assertIn('<td>backup-load-1</td>', r.text)

    def test_an_existing_file_is_refused_and_kept(self):
        copy = os.path.join(self.dir, 'taken.db')
        with open(copy, 'w') as f:
            f.write('an earlier backup')
        was = digest(copy)
        p = STACK.arborctl('backup', copy, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn('exists already', p.stderr)
        self.assertEqual(digest(copy), was)

    def test_a_failed_backup_leaves_no_file(self):
        path = os.path.join(self.dir, 'no-such-folder', 'copy.db')
        p = STACK.arborctl('backup', path, check=False)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn('No such file or directory', p.stderr)
        self.assertEqual(os.listdir(self.dir), [])

    @unittest.skipIf(on_postgresql(), 'a journal beside the copy is SQLite\'s: pg_dump writes '
                                      'one archive (test_a_cut_off_archive_is_refused)')
    def test_a_journal_beside_the_name_is_refused(self):
        path = os.path.join(self.dir, 'journalled.db')
        with open(path + '-wal', 'w') as f:
            f.write('a journal of another database')
        p = STACK.arborctl('backup', path, check=False)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn('journalled.db-wal exists', p.stderr)
        self.assertFalse(os.path.exists(path), path)

    @unittest.skipUnless(on_postgresql(), 'pg_dump archives are PostgreSQL\'s backups; '
                                          'SQLite\'s copy is checked by its integrity check')
    def test_a_cut_off_archive_is_refused(self):
        """pg_dump exits 0 but its archive lacks its last KiB (as a copy cut
        short might), past the table of contents at its start: the
        read-back refuses it and no file is left."""
        bin_dir = os.path.join(self.dir, 'bin')
        os.mkdir(bin_dir)
        with open(os.path.join(bin_dir, 'pg_dump'), 'w') as f:
            f.write(f'#!/bin/sh\n{shutil.which("pg_dump")} "$@" || exit\n'
                    'while [ "$1" != --file ]; do shift; done\n'
                    'truncate -s -1024 "$2"\n')
        os.chmod(os.path.join(bin_dir, 'pg_dump'), 0o700)
        path = os.path.join(self.dir, 'cut.pgdump')
        p = subprocess.run([os.path.join(STACK.bin, 'arborctl'), 'backup', path],
                           env=dict(STACK.env, PATH=bin_dir + os.pathsep + os.environ['PATH']),
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn('pg_restore failed', p.stderr)
        self.assertEqual(os.listdir(self.dir), ['bin'], 'no archive, whole or partial')

if __name__ == '__main__':
    unittest.main()


class MigrateCommandTests(unittest.TestCase):
    """`arborctl migrate` migrates a database that exists and never makes
    one: a mistyped path or connection string is refused, not created."""

    def conf(self, database):
        """An environment whose arbor.conf has [database] database (a
        format string: {folder} is the conf's own folder)."""
        folder = tempfile.mkdtemp(prefix='arbor-migrate-')
        self.addCleanup(shutil.rmtree, folder, True)
        env = dict(STACK.env, ARBOR_CONF=os.path.join(folder, 'arbor.conf'))
        with open(env['ARBOR_CONF'], 'w') as f:
            f.write(f'[database]\n{database.format(folder=folder)}\n'
                    f'[server]\nkeys = {folder}/arbor.keys\n')
        return env, folder

    def migrate(self, env):
        return subprocess.run([os.path.join(STACK.bin, 'arborctl'), 'migrate'], env=env,
                              capture_output=True, text=True, timeout=60)

    def test_a_current_database_is_left_as_it_is(self):
        p = self.migrate(STACK.env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r'is at schema version \d+\n$')
        self.assertNotIn('migrated from', p.stdout)

    @unittest.skipIf(on_postgresql(), "SQLite's file: PostgreSQL's case is below")
    def test_a_missing_or_empty_file_is_refused_and_left_alone(self):
        env, folder = self.conf('path = {folder}/typo.db')
        p = self.migrate(env)
        self.assertEqual(p.returncode, 1)
        self.assertIn('arborctl:', p.stderr)
        self.assertFalse(os.path.exists(os.path.join(folder, 'typo.db')))
        open(os.path.join(folder, 'typo.db'), 'w').close()
        p = self.migrate(env)
        self.assertEqual(p.returncode, 1)
        self.assertIn('`arborctl init` makes one', p.stderr)
        self.assertEqual(os.path.getsize(os.path.join(folder, 'typo.db')), 0)

    @unittest.skipUnless(on_postgresql(), "PostgreSQL's database: SQLite's case is above")
    def test_a_missing_database_or_one_without_the_schema_is_refused(self):
        env, _ = self.conf('engine = postgresql\nurl = ' + pg_url('arbor_no_such_database'))
        p = self.migrate(env)
        self.assertEqual(p.returncode, 1)
        self.assertIn('arborctl: postgresql:', p.stderr)
        name = STACK.pg_database + '_bare'
        pg_admin(f'CREATE DATABASE "{name}" TEMPLATE template0 LOCALE \'C\' ENCODING \'UTF8\'')
        self.addCleanup(pg_admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        env, _ = self.conf('engine = postgresql\nurl = ' + pg_url(name))
        p = self.migrate(env)
        self.assertEqual(p.returncode, 1)
        self.assertIn('has no Arbor schema', p.stderr)
        with PgConnection(name) as con:
            self.assertEqual(con.execute("SELECT count(*) FROM pg_tables WHERE "
                                         "schemaname = 'public'").fetchone()[0], 0)
