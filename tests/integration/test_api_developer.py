"""API Developer (issue 16, seed 003 "can access API credentials, only
read"): reads on the pages and through the API everything of their subtree
that an Account Administrator with Full Device Access and Nested Customer
Administrator reads there, and changes nothing; every token they make is
read-only; and the group is given only by whoever holds what it reads.

The comparison is with a reference user at the same customer who holds
those three groups: the same rows, the same item pages, and for the API
the same documents.
"""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arbor_stack import Client, assert_html_page, tidy_check  # noqa: E402
from fixtures import (AA, DM, FDA, NCA, STACK, Api, cid, field_error, logged_in,  # noqa: E402
                      make_device, make_location, make_user, new_token, start_stack,
                      tables, uid)

API_DEV = 64
# every table a page or API write could touch
WRITTEN = ('customers', 'users', 'devices', 'locations', 'user_locations', 'device_moves',
           'sessions', 'user_links', 'account_profiles', 'events')
LISTS = ('/customers', '/users', '/devices', '/locations')
ITEM_RE = re.compile(r'href="/(customers|users|devices|locations)/(\d+)"')


def setUpModule():
    start_stack()
    make_user('api.dev', 'Northwind Denmark', API_DEV)
    make_user('ref.admin', 'Northwind Denmark', AA | FDA | NCA)
    make_user('dm.dev', 'Northwind Denmark', DM | API_DEV)
    make_user('dm.fda', 'Northwind Denmark', DM | FDA)
    location = make_location('Dev Yard', 'Aarhus')
    make_device('DEV-AA-1', 'Aarhus', location)
    make_device('DEV-SE-1', 'Northwind Sweden')


def items(client, path):
    """The (kind, id) of every item a list's first page links to."""
    r = client.get(path)
    assert r.status == 200, (path, r.status)
    return {(kind, int(i)) for kind, i in ITEM_RE.findall(r.text)}


class PageTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dev = logged_in('api.dev')
        cls.ref = logged_in('ref.admin')

    def test_the_tabs_and_lists_are_the_reference_users(self):
        nav = re.findall(r'<li><a href="(/[a-z]+)"', self.dev.get('/accounts').text)
        for path in LISTS:
            self.assertIn(path, nav)
        for path in LISTS:
            seen = items(self.dev, path)
            self.assertTrue(seen, path)
            self.assertEqual(seen, items(self.ref, path), path)
        # nothing above or beside Northwind Denmark
        devices = self.dev.get('/devices?q=DEV-').text
        self.assertIn('DEV-AA-1', devices)
        self.assertNotIn('DEV-SE-1', devices)

    def test_every_item_page_reads_and_offers_no_change(self):
        seen = set()
        for path in LISTS:
            seen |= items(self.ref, path)
        self.assertTrue({kind for kind, _ in seen} >= {'customers', 'users', 'devices',
                                                      'locations'})
        for kind, i in sorted(seen):
            r = self.dev.get(f'/{kind}/{i}')
            self.assertEqual(r.status, 200, (kind, i))
            assert_html_page(r)
            tidy_check(r.text)
            # no button that saves, no link to change or delete
            self.assertNotRegex(r.text, r'<button type="submit">(Save|Create)', (kind, i))
            self.assertNotRegex(r.text, r'href="/[a-z]+/(new|\d+/(delete|edit))', (kind, i))
            if kind in ('customers', 'locations'):
                self.assertIn('<fieldset class="read-only" disabled>', r.text)
            if kind in ('customers', 'locations', 'users'):
                self.assertIn('allow reading only', r.text)
        for path in LISTS:
            self.assertNotRegex(self.dev.get(path).text, r'href="/[a-z]+/(new|manage)"', path)

    def test_every_write_page_is_refused_and_changes_nothing(self):
        aarhus, driver = cid('Aarhus'), uid('driver')
        location = STACK.query("SELECT id FROM locations WHERE name = 'Dev Yard'")[0][0]
        device = STACK.query("SELECT id FROM devices WHERE unit_id = 'DEV-AA-1'")[0][0]
        for path in ('/customers/new', '/users/new', '/locations/new', '/devices/new',
                     '/devices/manage', f'/users/{driver}/delete',
                     f'/locations/{location}/delete', f'/devices/{device}/edit',
                     '/accounts/security'):
            self.assertEqual(self.dev.get(path).status, 403, path)
        before = tables(*WRITTEN)
        writes = (
            ('/customers/new', {'name': 'Dev Co', 'email': 'd@example.com',
                                'parent_id': aarhus}),
            (f'/customers/{aarhus}', {'name': 'Aarhus 2', 'email': 'a@example.com'}),
            ('/users/new', {'email': 'x@example.com', 'username': 'x.dev',
                            'customer_id': aarhus, 'password_mode': 'welcome'}),
            (f'/users/{driver}', {'email': 'driver2@example.com', 'username': 'driver'}),
            (f'/users/{driver}/delete', {}),
            ('/locations/new', {'name': 'Dev Lot', 'customer_id': aarhus}),
            (f'/locations/{location}', {'name': 'Dev Yard 2', 'customer_id': aarhus}),
            (f'/locations/{location}/delete', {}),
            (f'/devices/{device}/edit', {'name': 'changed'}),
            ('/devices/manage', {'step': 'process', 'customer_id': aarhus,
                                 'ids': str(device)}),
            ('/accounts/security', {'customer_id': aarhus, 'require_mfa': '1'}),
            (f'/customers/{cid("Northwind Fleet")}/profile', {'plan': ''}),
            (f'/users/{driver}/mfa/reset', {'password': 'x'}),
        )
        for path, form in writes:
            self.assertEqual(self.dev.post(path, form).status, 403, path)
        self.assertEqual(tables(*WRITTEN), before)


class ReadingWidensNoWriteTests(unittest.TestCase):
    """API Developer shows devices that Device Management alone does not list;
    it must not make them Device Management's to edit: only those listed
    through Full Device Access or Account Administrator are."""

    def test_device_management_edits_no_device_it_lists_by_reading(self):
        device = STACK.query("SELECT id FROM devices WHERE unit_id = 'DEV-AA-1'")[0][0]
        dev = logged_in('dm.dev')
        page = dev.get(f'/devices/{device}')
        self.assertEqual(page.status, 200)
        self.assertNotIn(f'href="/devices/{device}/edit"', page.text)
        before = tables('devices', 'events')
        self.assertEqual(dev.get(f'/devices/{device}/edit').status, 404)
        self.assertEqual(dev.post(f'/devices/{device}/edit', {'name': 'changed',
                                                              'vehicle_name': '', 'vin': '',
                                                              'location_id': ''}).status, 404)
        self.assertEqual(tables('devices', 'events'), before)
        # the same group with Full Device Access edits it
        fda = logged_in('dm.fda')
        self.assertIn(f'href="/devices/{device}/edit"', fda.get(f'/devices/{device}').text)
        self.assertEqual(fda.get(f'/devices/{device}/edit').status, 200)


class TokenTests(unittest.TestCase):
    def test_tokens_are_read_only_and_read_what_the_reference_reads(self):
        secret, c = new_token('api.dev', name='dev')
        self.assertEqual(STACK.query("SELECT scope FROM api_tokens WHERE name = 'dev'"),
                         [('read',)])
        page = c.get('/tokens').text
        self.assertIn('Scope: read only', page)
        self.assertNotIn('id="scope_write"', page)
        dev, ref = Api(secret), Api(new_token('ref.admin', name='ref')[0])
        for path in ('/api/v1/users', '/api/v1/customers', '/api/v1/devices',
                     '/api/v1/locations'):
            mine, theirs = dev.call('GET', path), ref.call('GET', path)
            self.assertEqual(mine.status, 200, path)
            self.assertTrue(mine.json['items'], path)
            self.assertEqual(mine.json, theirs.json, path)
        for item in dev.call('GET', '/api/v1/devices').json['items']:
            self.assertEqual(dev.call('GET', f'/api/v1/devices/{item["id"]}').json, item)
        # no profile: their customer is not an account, and the account is above them
        for account in ('Northwind Fleet', 'Northwind Denmark'):
            self.assertEqual(dev.call('GET', f'/api/v1/customers/{cid(account)}/profile').status,
                             404, account)
        before = tables(*WRITTEN)
        for method, path, body in (
                ('POST', '/api/v1/locations', {'name': 'X', 'customer_id': cid('Aarhus')}),
                ('PATCH', f'/api/v1/users/{uid("driver")}', {'full_name': 'X'}),
                ('DELETE', f'/api/v1/users/{uid("driver")}', None)):
            r = dev.call(method, path, body)
            self.assertEqual(r.status, 403, path)
            self.assertIn('"read"', r.json['detail'])
        self.assertEqual(tables(*WRITTEN), before)

    def test_asking_for_a_write_token_is_refused(self):
        c = Client(STACK)
        c.login('api.dev')
        page = c.get('/tokens').text
        expires = re.search(r'name="expires_on" type="date" value="([^"]+)"', page).group(1)
        before = tables('api_tokens')
        r = c.post('/tokens/new', {'name': 'w', 'expires_on': expires, 'scope': 'write'})
        self.assertEqual(r.status, 400)     # a refused form page, as every other
        self.assertIn('only make read-only tokens', field_error(r.text, 'scope'))
        self.assertEqual(tables('api_tokens'), before)

    def test_a_token_made_before_the_group_reads_only_from_then_on(self):
        user = make_user('later.dev', 'Northwind Denmark', AA)
        secret = new_token('later.dev', name='before', scope='write')[0]
        api = Api(secret)
        body = {'name': 'Later Lot', 'customer_id': cid('Aarhus')}
        STACK.query('UPDATE users SET groups = ? WHERE id = ?', AA | API_DEV, user)
        r = api.call('POST', '/api/v1/locations', body)
        self.assertEqual(r.status, 403)
        STACK.query('UPDATE users SET groups = ? WHERE id = ?', AA, user)
        self.assertEqual(api.call('POST', '/api/v1/locations', body).status, 201)


class GrantTests(unittest.TestCase):
    """No escalation: API Developer is given by whoever holds it, or holds the
    three groups whose reading it is; changing an API Developer likewise."""

    def grant(self, c, username):
        """A new user of Aarhus with API Developer, as client c asks."""
        r = c.post('/users/new', {'email': f'{username}@test.example', 'username': username,
                                  'customer_id': cid('Aarhus'), 'group': 'api_developer',
                                  'password_mode': 'welcome', 'active': '1',
                                  'full_name': '', 'phone': '', 'address': ''})
        return r

    def test_an_account_administrator_alone_cannot_give_it(self):
        c = logged_in('dk.admin')   # the sign-in writes: before the snapshot
        before = tables('users')
        r = self.grant(c, 'no.dev')
        self.assertEqual(r.status, 400)     # a refused form page, as every other
        self.assertIn('give API Developer only if you hold it', field_error(r.text, 'group'))
        self.assertEqual(tables('users'), before)
        # nor change someone who holds it
        dev = uid('api.dev')
        page = c.get(f'/users/{dev}').text
        self.assertIn('API Developer, which you do not', page)
        self.assertEqual(c.post(f'/users/{dev}', {'email': 'taken@example.com',
                                                  'username': 'api.dev'}).status, 403)
        self.assertEqual(tables('users'), before)

    def test_who_holds_what_it_reads_may_give_it(self):
        r = self.grant(logged_in('ref.admin'), 'new.dev')
        self.assertEqual(r.status, 303, r.text[:300])
        self.assertEqual(STACK.query("SELECT groups FROM users WHERE username = 'new.dev'"),
                         [(API_DEV,)])

    def test_the_api_refuses_it_alike(self):
        api = Api(new_token('dk.admin', name='grant')[0])
        before = tables('users')
        r = api.call('POST', '/api/v1/users', {'email': 'api.no@test.example',
                                               'username': 'api.no',
                                               'customer_id': cid('Aarhus'),
                                               'groups': ['api_developer'],
                                               'password_mode': 'welcome'})
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json.get('field'), 'groups')
        self.assertEqual(tables('users'), before)


if __name__ == '__main__':
    unittest.main()
