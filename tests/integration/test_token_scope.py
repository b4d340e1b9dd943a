"""Tokens with a scope (issue 16, SPEC "Tokens with a scope").

A token made with scope "read" is answered on GET and refused every other
method with a 403 problem naming the scope, before anything changes; the
same user's "write" token does the same request. The write routes are
read from the served OpenAPI document, so a new one is covered without
editing this file.
"""
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arbor_stack import Client, assert_html_page, tidy_check  # noqa: E402
from fixtures import (STACK, Api, cid, events, field_error, new_token,  # noqa: E402
                      setUpModule, tables, uid)

# every table an API write could touch: a refused request leaves them as they
# were (api_tokens is not among them: the token's use is recorded, refused or not)
WRITTEN = ('customers', 'users', 'devices', 'locations', 'user_locations', 'device_moves',
           'account_profiles', 'events')


def token_row(page, name):
    """The cells of the Tokens list's row of token name."""
    row = re.search(r'<tr>\s*<th scope="row">' + re.escape(name) + r'</th>(.*?)</tr>',
                    page, re.S)
    assert row, name
    return re.findall(r'<td>(.*?)</td>', row.group(1), re.S)


class TokenScopeTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.read_secret, cls.page = new_token('dk.admin', name='reader', scope='read')
        cls.write_secret = new_token('dk.admin', name='writer', scope='write')[0]
        cls.default_secret = new_token('dk.admin', name='unscoped')[0]
        cls.reader = Api(cls.read_secret)
        cls.writer = Api(cls.write_secret)
        # admin of the account holds every group but API Developer: its
        # groups allow every write below, so only the scope refuses them
        cls.admin_reader = Api(new_token('admin', name='admin-reader', scope='read')[0])

    def test_the_list_and_the_event_name_the_scope(self):
        page = self.page.get('/tokens')
        assert_html_page(page)
        tidy_check(page.text)
        self.assertEqual(token_row(page.text, 'reader')[0], 'read')
        self.assertEqual(token_row(page.text, 'writer')[0], 'write')
        # a token made without the field can write, as tokens always could
        self.assertEqual(token_row(page.text, 'unscoped')[0], 'write')
        self.assertIn('<legend>Scope</legend>', page.text)
        self.assertIn(('reader (read)',), [(d,) for _, _, d in events('token_created')])
        self.assertEqual(STACK.query("SELECT scope FROM api_tokens WHERE name = 'reader'"),
                         [('read',)])

    def test_the_created_page_says_read_only(self):
        c = Client(STACK)
        c.login('se.user')
        c.get('/tokens')
        r = c.post('/tokens/new', {'name': 'ro', 'expires_on': '2099-01-01', 'scope': 'read'})
        # the date is refused (more than a year), and the choice is kept
        self.assertEqual(r.status, 400)
        self.assertRegex(r.text, r'id="scope_read" name="scope" value="read" checked')
        expires = re.search(r'name="expires_on" type="date" value="([^"]+)"',
                            c.get('/tokens').text).group(1)
        r = c.post('/tokens/new', {'name': 'ro', 'expires_on': expires, 'scope': 'read'})
        self.assertEqual(r.status, 303)
        r = c.get(r.location)
        self.assertIn('id="token-secret"', r.text)
        self.assertIn('for reading only (GET)', r.text)

    def test_an_unknown_scope_is_refused_and_makes_nothing(self):
        c = Client(STACK)
        c.login('dk.admin')
        before = tables('api_tokens')
        for bad in ('admin', 'READ', 'read,write'):
            page = c.get('/tokens').text
            expires = re.search(r'name="expires_on" type="date" value="([^"]+)"', page).group(1)
            r = c.post('/tokens/new', {'name': 'odd', 'expires_on': expires, 'scope': bad})
            self.assertEqual(r.status, 400, bad)
            self.assertIn('Choose the scope', field_error(r.text, 'scope'))
        self.assertEqual(tables('api_tokens'), before)

    def test_reads_are_answered(self):
        for path in ('/api/v1/me', '/api/v1/users', '/api/v1/devices', '/api/v1/locations',
                     f'/api/v1/users/{uid("driver")}'):
            self.assertEqual(self.reader.call('GET', path).status, 200, path)
        self.assertEqual(self.reader.client.request('HEAD', '/api/v1/me', b'', {
            'Authorization': f'Bearer {self.read_secret}'}).status, 200)

    def write_requests(self):
        """(method, path, body) for every write route of the OpenAPI document,
        with ids and bodies admin's groups allow (driver is a user of Aarhus,
        below admin's account Northwind Fleet, whose profile admin keeps), so
        that only the scope stands in the way."""
        doc = Client(STACK).get('/api/v1/openapi.json')
        self.assertEqual(doc.status, 200)
        ids = {'/users/{id}': uid('driver'), '/customers/{id}': cid('Aarhus'),
               '/customers/{id}/profile': cid('Northwind Fleet')}
        bodies = {
            ('post', '/devices'): {'unit_id': 'SCOPE-1', 'customer_id': cid('Aarhus')},
            ('post', '/devices/assign'): {'customer_id': cid('Aarhus'), 'devices': []},
            ('post', '/customers'): {'name': 'Scope Test', 'parent_id': cid('Aarhus')},
            ('patch', '/customers/{id}'): {'email': 'scope@example.com'},
            ('post', '/users'): {'username': 'scope.user', 'email': 'scope@example.com',
                                 'customer_id': cid('Aarhus')},
            ('patch', '/users/{id}'): {'full_name': 'Scope Test'},
            ('delete', '/users/{id}'): None,
            ('post', '/locations'): {'name': 'Scope Yard', 'customer_id': cid('Aarhus')},
            ('patch', '/customers/{id}/profile'): {'plan': ''},
            ('post', '/authorize'): {'unit_id': 'NW-100001', 'user_id': uid('driver')},
            ('post', '/access/scans'): {'unit_id': 'NW-100001', 'rfid': 'AABBCCDD'},
            ('post', '/users/import'): {},
        }
        out = []
        for path, methods in json.loads(doc.text)['paths'].items():
            for method in methods:
                if method == 'get':
                    continue
                self.assertIn((method, path), bodies, 'a write route this test does not know')
                url = '/api/v1' + path
                if '{id}' in path:
                    url = url.replace('{id}', str(ids[path]))
                out.append((method.upper(), url, bodies[(method, path)]))
        return out

    def test_every_write_is_refused_naming_the_scope_and_changes_nothing(self):
        requests = self.write_requests()
        self.assertGreaterEqual(len(requests), 8)
        before = tables(*WRITTEN)
        for method, path, body in requests:
            r = self.admin_reader.call(method, path, body)
            self.assertEqual(r.status, 403, (method, path))
            self.assertEqual(r.header('Content-Type'), 'application/problem+json')
            self.assertIn('scope is "read"', r.json['detail'], (method, path))
        self.assertEqual(tables(*WRITTEN), before)

    def test_the_same_users_write_token_may_write(self):
        """The refusal is the scope's, not the groups': the write token of the
        same user makes the location the read token could not."""
        body = {'name': 'Scope Written', 'customer_id': cid('Northwind Denmark')}
        self.assertEqual(self.reader.call('POST', '/api/v1/locations', body).status, 403)
        r = self.writer.call('POST', '/api/v1/locations', body)
        self.assertEqual(r.status, 201, r.text)
        self.assertEqual(STACK.query("SELECT count(*) FROM locations WHERE name = "
                                     "'Scope Written'"), [(1,)])
        STACK.query("DELETE FROM locations WHERE name = 'Scope Written'")


if __name__ == '__main__':
    unittest.main()
