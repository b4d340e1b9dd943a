#!/usr/bin/python3
"""test_postgresql.py - what only the PostgreSQL engine does (issue 19).

Runs under `make test-pg` (ARBOR_PG_URL set) and is skipped otherwise.

- A transaction PostgreSQL cannot serialize (SQLSTATE 40001) is rolled
  back and its request run again, a bounded number of times; then the
  user is told that nothing was changed, and nothing was. The failures are
  made on purpose by a trigger this test adds, which raises 40001 while a
  sequence (not rolled back with the transaction) is below a bound.
- Search through pg_trgm's GIN indexes finds what SQLite's FTS5 trigram
  tables find: the same lists, page for page, for the same data, on a
  SQLite stack and a PostgreSQL one side by side.
"""
import json
import os
import re
import sys
import unittest
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from arbor_stack import Client, Stack, on_postgresql  # noqa: E402
from fixtures import new_token  # noqa: E402

ONLY_PG = unittest.skipUnless(on_postgresql(), 'PostgreSQL only: make test-pg runs it')

# A failure of serialization while failures_made is below :bound
FAIL_SQL = """
CREATE SEQUENCE test_failures_made;
CREATE TABLE test_failure_bound (bound BIGINT NOT NULL);
INSERT INTO test_failure_bound VALUES (0);
CREATE FUNCTION test_fail_to_serialize() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.name LIKE 'Serial %' AND
       nextval('test_failures_made') <= (SELECT bound FROM test_failure_bound) THEN
        RAISE EXCEPTION 'test: no serial order' USING ERRCODE = '40001';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER test_fail_to_serialize BEFORE UPDATE ON customers
    FOR EACH ROW EXECUTE FUNCTION test_fail_to_serialize();
"""


@ONLY_PG
class RetryTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack(demo=True)
        cls.stack.start()
        cls.addClassCleanup(cls.stack.stop)
        with cls.stack.db() as con:
            con.executescript(FAIL_SQL)
        cls.admin = Client(cls.stack)
        cls.admin.login('admin')
        cls.fleet, cls.denmark = (cls.stack.query('SELECT id FROM customers WHERE name = ?',
                                                  name)[0][0]
                                  for name in ('Northwind Fleet', 'Northwind Denmark'))

    def fail_next(self, times):
        """The next `times` updates of a customer named 'Serial ...' fail."""
        with self.stack.db() as con:
            con.execute("SELECT setval('test_failures_made', 1, false)")
            con.execute('UPDATE test_failure_bound SET bound = ?', (times,))

    def made(self):
        return self.stack.query('SELECT last_value FROM test_failures_made')[0][0]

    def rename(self, name):
        return self.admin.post(f'/customers/{self.denmark}', {
            'name': name, 'email': 'denmark@northwind.example', 'country': 'DK',
            'time_zone': 'Europe/Copenhagen', 'time_format': '24h', 'units': 'metric',
            'parent_id': str(self.fleet)})

    def test_a_failure_to_serialize_runs_the_request_again(self):
        """Two failures, then the third run commits: the user sees the change
        made, once."""
        self.fail_next(2)
        r = self.rename('Serial Denmark')
        self.assertEqual(r.status, 303, r)
        self.assertEqual(self.made(), 3, 'two failed runs and the one that counted')
        self.assertEqual(self.stack.query('SELECT name FROM customers WHERE id = ?',
                                          self.denmark), [('Serial Denmark',)])
        self.assertEqual(self.stack.query("SELECT count(*) FROM events WHERE kind = "
                                          "'customer_updated' AND detail = ?",
                                          f'customer {self.denmark}')[0][0], 1,
                         'one event: the failed runs left none')

    def test_failures_beyond_the_bound_are_a_503_that_changed_nothing(self):
        """Four runs fail (the first and three more): a 503 page saying that
        nothing was changed, and the customer is as it was."""
        before = self.stack.query('SELECT name, updated_at FROM customers WHERE id = ?',
                                  self.denmark)
        self.fail_next(100)
        r = self.rename('Serial Never')
        self.assertEqual(r.status, 503, r)
        self.assertIn('nothing was changed', r.text)
        self.assertEqual(self.made(), 4, 'one run and three more')
        self.assertEqual(self.stack.query('SELECT name, updated_at FROM customers WHERE '
                                          'id = ?', self.denmark), before)
        log = self.stack.worker_log()
        self.assertIn('no serial order after 4 tries', log)


def rows(client, path):
    """The rows' first cells of every page of a list, following its next links."""
    out = []
    while path:
        r = client.get(path)
        assert r.status == 200, (path, r)
        body = r.text.split('<tbody>', 1)[1].split('</tbody>', 1)[0] if '<tbody>' in r.text else ''
        out += re.findall(r'<tr[^>]*>\s*<t[dh][^>]*>(.*?)</t[dh]>', body, re.S)
        m = re.search(r'<a[^>]*rel="next"[^>]*href="([^"]+)"', r.text) or \
            re.search(r'<a[^>]*href="([^"]+)"[^>]*rel="next"', r.text)
        path = m.group(1).replace('&amp;', '&') if m else None
    return out


# Searches of every length and kind: one and two characters (prefixes),
# three and more (trigrams), case, letters beyond ASCII, LIKE's wildcards
# taken as text, a word in the middle, nothing found.
QUERIES = ('a', 'Ø', 'no', 'NOR', 'north', 'fleet', 'æRø', 'ærø', 'straße', '100%',
           'under_s', 'ab_', '%', '_', 'x@', '.example', 'zzzq', 'ck ch', 'é')
# Names made on both stacks, in the same order, to search among
NAMES = ('Ærø Ferries', 'ærø færger', 'Straße Süd', '100% Green Fleet', 'under_score Ltd',
         'Percent%Sign', 'Ébène Charging', 'MIXED case North', 'a', 'ab', 'abc')


@ONLY_PG
class SearchParityTests(unittest.TestCase):
    """The lists of a SQLite stack and a PostgreSQL stack with the same data
    answer every search with the same rows, in the same order."""

    @classmethod
    def setUpClass(cls):
        cls.stacks = {}
        for engine in ('sqlite', 'postgresql'):
            stack = Stack(demo=True, engine=engine)
            stack.start()
            cls.addClassCleanup(stack.stop)
            stack.arborctl('bench-data', '--customers', '40', '--users', '400',
                           '--devices', '600')
            # the one random column: the same on both (a search matches its start)
            with stack.db() as con:
                ids = [i for (i,) in con.execute('SELECT id FROM devices').fetchall()]
                con.executemany('UPDATE devices SET device_uuid = ? WHERE id = ?',
                                [(uuid.uuid5(uuid.NAMESPACE_OID, str(i)).hex, i) for i in ids])
            operator = Client(stack)
            operator.login('operator')
            bearer = 'Bearer ' + new_token('operator', client=operator)[0]
            fleet = stack.query("SELECT id FROM customers WHERE name = 'Northwind Fleet'")[0][0]
            for i, name in enumerate(NAMES):
                r = operator.request('POST', '/api/v1/customers', json.dumps({
                    'name': name, 'email': f'c{i}@search.example', 'country': 'DK',
                    'parent_id': fleet}).encode(),
                    {'Content-Type': 'application/json', 'Authorization': bearer})
                assert r.status == 201, r
                stack_user(stack, fleet, i, name)
            cls.stacks[engine] = operator

    def test_every_list_finds_the_same_rows(self):
        for path in ('/customers', '/users', '/devices', '/locations'):
            for q in QUERIES:
                with self.subTest(path=path, q=q):
                    found = {engine: rows(client, f'{path}?q={urllib.parse.quote(q)}')
                             for engine, client in self.stacks.items()}
                    self.assertEqual(found['postgresql'], found['sqlite'])

    def test_the_searches_find_something(self):
        """The comparison above is not of empty pages."""
        client = self.stacks['postgresql']
        self.assertGreater(len(rows(client, '/users?q=north')), 0)
        self.assertGreater(len(rows(client, '/customers?q=%C3%A6r%C3%B8')), 0)
        self.assertGreater(len(rows(client, '/devices?q=a')), 50)


def stack_user(stack, customer, i, name):
    """A user whose full name is name, on stack (straight into the table)."""
    with stack.db() as con:
        con.execute('INSERT INTO users (customer_id, email, username, full_name, '
                    'created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0)',
                    (customer, f'u{i}@search.example', f'search.{i}', name))


if __name__ == '__main__':
    unittest.main()
