#!/usr/bin/python3
"""test_engines.py - input that PostgreSQL takes differently from SQLite
(issue 19), answered the same on both: `make test` runs it on SQLite,
`make test-pg` on PostgreSQL.

- An id above 2^31 (the door takes up to 18 digits): PostgreSQL gives a
  parameter first compared with 0 a 4-byte type, so such an id failed to
  convert there (a 503) where SQLite answers "not found" or the first
  page. db-pg.c prepares every integer parameter as 8 bytes.
- A User-Agent that is not UTF-8, or whose 300th byte cuts a character:
  PostgreSQL refuses such text, so signing in failed there. The door keeps
  the header's longest valid UTF-8 prefix.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from arbor_stack import PASSWORD, Client  # noqa: E402
from fixtures import STACK, Api, client, new_token, setUpModule  # noqa: E402,F401

BIG = 3_000_000_000            # above 2^31
HUGE = 999_999_999_999_999_999  # 18 digits: the largest id the door takes


class BigIdTests(unittest.TestCase):
    def test_list_positions_and_filters_past_four_bytes(self):
        """A page position or filter naming an id no row has is read as
        such: the first page, or a filter outside the scope (404)."""
        admin = client('admin')
        for big in (BIG, HUGE):
            for path, status in ((f'/customers?customer_id={big}', 404),
                                 (f'/locations?customer_id={big}', 404),
                                 (f'/customers?after={big}&page=2', 200),
                                 (f'/users?after={big}', 200),
                                 (f'/devices?location_id={big}', 404),
                                 (f'/users/{big}', 404),
                                 (f'/customers/{big}', 404)):
                with self.subTest(path=path):
                    self.assertEqual(admin.get(path).status, status)

    def test_the_api_past_four_bytes(self):
        api = Api(new_token('admin')[0])
        for path, status in ((f'/api/v1/users?customer_id={BIG}', 404),
                             (f'/api/v1/locations?customer_id={HUGE}', 404),
                             (f'/api/v1/users?after={BIG}', 200),
                             (f'/api/v1/users/{BIG}', 404),
                             (f'/api/v1/customers/{HUGE}', 404)):
            with self.subTest(path=path):
                r = api.call('GET', path)
                self.assertEqual(r.status, status, r.text)
        self.assertNotIn('out of range', STACK.worker_log())


class UserAgentTests(unittest.TestCase):
    def sign_in(self, user_agent):
        c = Client(STACK)
        c.get('/login')
        return c, c.post('/login', [('username', 'dk.admin'), ('password', PASSWORD)],
                         headers={'User-Agent': user_agent})

    def test_odd_user_agents_sign_in_and_are_kept_as_valid_text(self):
        """Bytes that are not UTF-8, and a character cut by the 300-byte
        limit: the sign-in works, and the Profile page lists the header's
        valid start."""
        cut = 'a' * 299 + '\u00e9'              # é takes bytes 300 and 301
        for agent, kept in ((b'Bot\xff\xfe/1.0'.decode('latin-1'), 'Bot'),
                            (cut, 'a' * 299)):
            with self.subTest(agent=agent[:12]):
                c, r = self.sign_in(agent)
                self.assertEqual(r.status, 303, r)
                page = c.get('/profile')
                self.assertEqual(page.status, 200)
                self.assertIn(kept, page.text)
                self.assertNotIn(kept + 'a', page.text)
                c.logout()


if __name__ == '__main__':
    unittest.main()
