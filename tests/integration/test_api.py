"""API tokens and the JSON REST API (/api/v1).

Tokens are made through the Tokens page as a user would; the API is then
driven with `Authorization: Bearer`. Every refusal must be an
application/problem+json document with the right status, and change nothing.
"""
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arbor_stack import Client, assert_html_page, tidy_check  # noqa: E402
from fixtures import (STACK, Api, cid as customer_id, make_device as make_any_device,  # noqa
                      new_token, setUpModule)


def make_device(unit_id, customer):
    """A device named after its unit id; returns its id."""
    return make_any_device(unit_id, customer, name=unit_id)[0]


class TokenTests(unittest.TestCase):
    def test_token_shape_and_storage(self):
        """arbor_ prefix, >= 256 bits, stored only as a hash, shown once."""
        secret, c = new_token('admin')
        self.assertRegex(secret, r'^arbor_[A-Za-z0-9_-]{43}$')
        rows = STACK.query('SELECT token_hash FROM api_tokens')
        for (h,) in rows:
            self.assertNotIn(secret[6:].encode(), h)
        page = c.get('/tokens')
        assert_html_page(page)
        tidy_check(page.text)
        self.assertNotIn(secret, page.text)
        self.assertEqual(page.header('Cache-Control'), 'no-store')
        self.assertNotIn(secret[6:], STACK.worker_log())

    def test_expiry_rules(self):
        """Past dates, more than a year, and bad dates are refused."""
        c = Client(STACK)
        c.login('dk.admin')
        before = STACK.query('SELECT count(*) FROM api_tokens')[0][0]
        for bad in ('2020-01-01', '2099-01-01', '2026-02-31', 'tomorrow', ''):
            c.get('/tokens')
            r = c.post('/tokens/new', {'name': 'x', 'expires_on': bad})
            self.assertEqual(r.status, 400, bad)
        c.get('/tokens')
        self.assertEqual(c.post('/tokens/new', {'name': '', 'expires_on': '2027-01-01'}).status,
                         400)
        self.assertEqual(STACK.query('SELECT count(*) FROM api_tokens')[0][0], before)

    def test_refused_tokens(self):
        """No header, a malformed one, an unknown, an expired, a revoked token
        and a deactivated user's token all get 401 problems."""
        secret, c = new_token('se.user')
        api = Api(secret)
        self.assertEqual(api.call('GET', '/api/v1/me').status, 200)
        for header in (None, 'Basic abc', 'Bearer', 'Bearer arbor_', 'Bearer ' + secret[6:],
                       'Bearer arbor_' + 'A' * 43, 'Bearer ' + secret + 'x'):
            r = Api(None).client.request('GET', '/api/v1/me',
                                         headers={'Authorization': header} if header else {})
            self.assertEqual(r.status, 401, header)
            self.assertEqual(r.header('Content-Type'), 'application/problem+json')
        # session cookies do not work on the API
        self.assertEqual(c.get('/api/v1/me').status, 401)
        with STACK.db() as db:
            db.execute("UPDATE api_tokens SET expires_at = 1 WHERE name = 'script' AND "
                       "user_id = (SELECT id FROM users WHERE username = 'se.user')")
        self.assertEqual(api.call('GET', '/api/v1/me').status, 401)

        secret2, c = new_token('se.user', name='second', client=c)
        api2 = Api(secret2)
        self.assertEqual(api2.call('GET', '/api/v1/me').status, 200)
        page = c.get('/tokens').text
        token_id = re.findall(r'/tokens/(\d+)/revoke', page)[0]
        r = c.post(f'/tokens/{token_id}/revoke')
        self.assertEqual(r.status, 303)
        self.assertEqual(api2.call('GET', '/api/v1/me').status, 401)

        secret3, c = new_token('se.user', name='third', client=c)
        with STACK.db() as db:
            db.execute("UPDATE users SET active = 0 WHERE username = 'se.user'")
        try:
            self.assertEqual(Api(secret3).call('GET', '/api/v1/me').status, 401)
        finally:
            with STACK.db() as db:
                db.execute("UPDATE users SET active = 1 WHERE username = 'se.user'")

    def test_another_users_token_cannot_be_revoked(self):
        """Revoking a token id of another user answers 404; it keeps working."""
        secret, _ = new_token('contoso.admin', name='theirs')
        tid = STACK.query("SELECT id FROM api_tokens WHERE name = 'theirs'")[0][0]
        c = Client(STACK)
        c.login('driver')
        c.get('/tokens')
        self.assertEqual(c.post(f'/tokens/{tid}/revoke').status, 404)
        self.assertEqual(Api(secret).call('GET', '/api/v1/me').status, 200)

    def test_last_use_is_recorded(self):
        """The list shows when and from where a token was last used."""
        secret, c = new_token('driver', name='used')
        Api(secret).call('GET', '/api/v1/me')
        row = STACK.query("SELECT last_used_at, last_used_ip FROM api_tokens "
                          "WHERE name = 'used'")[0]
        self.assertIsNotNone(row[0])
        self.assertEqual(row[1], '127.0.0.1')
        self.assertIn('127.0.0.1', c.get('/tokens').text)


class ApiTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.admin = Api(new_token('admin', name='admin-api')[0])
        cls.dk = Api(new_token('dk.admin', name='dk-api')[0])
        cls.driver = Api(new_token('driver', name='driver-api')[0])
        cls.contoso = Api(new_token('contoso.admin', name='contoso-api')[0])
        cls.devices = {u: make_device(u, c) for u, c in (
            ('API-HQ', 'Northwind Fleet'), ('API-DK', 'Northwind Denmark'),
            ('API-AA', 'Aarhus'), ('API-SE', 'Northwind Sweden'),
            ('API-CO', 'Contoso Charging'))}

    def test_me(self):
        r = self.dk.call('GET', '/api/v1/me')
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json['username'], 'dk.admin')
        self.assertEqual(r.json['groups'], ['account_admin'])

    def test_devices_list_is_scoped_and_paginated(self):
        """The list is the same rule as the pages; limit + cursor page through."""
        fixed = {'API-HQ', 'API-DK', 'API-AA', 'API-SE', 'API-CO'}
        units = {d['unit_id'] for d in self.dk.call('GET', '/api/v1/devices?q=API-').json['items']}
        self.assertEqual(units & fixed, {'API-DK', 'API-AA'})
        seen, cursor = [], None
        while True:
            path = '/api/v1/devices?q=API-&limit=2' + (f'&cursor={cursor}' if cursor else '')
            r = self.admin.call('GET', path)
            self.assertEqual(r.status, 200)
            seen += [d['unit_id'] for d in r.json['items']]
            cursor = r.json['next_cursor']
            if cursor is None:
                break
        self.assertEqual(len(seen), len(set(seen)))
        self.assertEqual(set(seen) & fixed, {'API-AA', 'API-DK', 'API-HQ', 'API-SE'})
        self.assertEqual(self.admin.call('GET', '/api/v1/devices?limit=0').status, 400)
        self.assertEqual(self.admin.call('GET', '/api/v1/devices?cursor=x').status, 400)
        self.assertEqual(self.driver.call('GET', '/api/v1/devices').status, 403)

    def test_foreign_device_ids_answer_404(self):
        for unit in ('API-HQ', 'API-SE', 'API-CO'):
            r = self.dk.call('GET', f'/api/v1/devices/{self.devices[unit]}')
            self.assertEqual(r.status, 404, unit)
            self.assertEqual(r.header('Content-Type'), 'application/problem+json')
        self.assertEqual(self.dk.call('GET', f'/api/v1/devices/{self.devices["API-AA"]}').status,
                         200)

    def test_register_validation_and_conflict(self):
        """Fields are checked like the form; a duplicate is 409; wrong type 415;
        malformed JSON 400; groups without Device Management 403."""
        aarhus = customer_id('Aarhus')
        r = self.admin.call('POST', '/api/v1/devices', {'unit_id': 'API-NEW', 'name': 'New',
                                                        'customer_id': aarhus})
        self.assertEqual(r.status, 201, r.text)
        self.assertRegex(r.json['device_id'], r'^[0-9a-f-]{36}$')
        r = self.contoso.call('POST', '/api/v1/devices', {
            'unit_id': 'api-new', 'name': 'Mine', 'customer_id': customer_id('Contoso Charging')})
        self.assertEqual(r.status, 409)
        self.assertNotIn('Aarhus', r.text)
        cases = [({'unit_id': 'x', 'name': 'n', 'customer_id': aarhus}, 'unit_id'),
                 ({'unit_id': 'API-V', 'name': 'n', 'vin': 'IIIIIIIIIIIIIIIII',
                   'customer_id': aarhus}, 'vin'),
                 ({'unit_id': 7, 'name': 'n', 'customer_id': aarhus}, 'unit_id'),
                 ({'unit_id': 'API-V', 'name': 'n', 'customer_id': 'one'}, 'customer_id'),
                 ({'unit_id': 'API-V', 'customer_id': aarhus}, 'name'),
                 ({'unit_id': 'API-V', 'name': 'n', 'customer_id': aarhus,
                   'custmer': 1}, 'custmer')]
        for body, field in cases:
            r = self.admin.call('POST', '/api/v1/devices', body)
            self.assertEqual(r.status, 400, body)
            self.assertEqual(r.json.get('field'), field, body)
        # a customer outside the view is missing, as in a path
        r = self.admin.call('POST', '/api/v1/devices', {
            'unit_id': 'API-V', 'name': 'n', 'customer_id': customer_id('Contoso Charging')})
        self.assertEqual((r.status, r.json.get('field')), (404, 'customer_id'))
        # so is a location outside the view; one of another customer is 400
        stockholm = STACK.query("SELECT id FROM locations WHERE name = 'Stockholm Hub'")[0][0]
        r = self.contoso.call('POST', '/api/v1/devices', {
            'unit_id': 'API-V', 'name': 'n', 'customer_id': customer_id('Contoso Charging'),
            'location_id': stockholm})
        self.assertEqual((r.status, r.json.get('field')), (404, 'location_id'))
        r = self.admin.call('POST', '/api/v1/devices', {
            'unit_id': 'API-V', 'name': 'n', 'customer_id': aarhus, 'location_id': stockholm})
        self.assertEqual((r.status, r.json.get('field')), (400, 'location_id'))
        self.assertEqual(self.admin.call('POST', '/api/v1/devices', raw=b'{"unit_id":',
                                         body=None).status, 400)
        self.assertEqual(self.admin.call('POST', '/api/v1/devices', raw=b'[1,2]').status, 400)
        self.assertEqual(self.admin.call('POST', '/api/v1/devices', {'unit_id': 'API-T'},
                                         content_type='text/plain').status, 415)
        self.assertEqual(self.dk.call('POST', '/api/v1/devices', {
            'unit_id': 'API-DKX', 'name': 'n', 'customer_id': customer_id('Aarhus')}).status, 403)
        self.assertEqual(STACK.query("SELECT count(*) FROM devices WHERE unit_id IN "
                                     "('API-V', 'API-T', 'API-DKX')")[0][0], 0)

    def test_huge_body(self):
        """Bodies over 1 MiB: 413 as a problem document, from nginx or the app."""
        for size in (1 << 20, 3 << 20):
            r = self.admin.call('POST', '/api/v1/devices',
                                raw=b'{"a":"' + b'x' * size + b'"}')
            self.assertEqual(r.status, 413)
            self.assertEqual(r.header('Content-Type'), 'application/problem+json')
            self.assertEqual(r.json['status'], 413)

    def test_assign_like_the_page(self):
        """Bulk assign moves visible devices, reports unknown and foreign ids as
        not found, refuses a target outside the subtree, needs the groups."""
        make_device('API-M1', 'Northwind Denmark')
        make_device('API-M2', 'Northwind Denmark')
        target = customer_id('Aarhus')
        r = self.admin.call('POST', '/api/v1/devices/assign', {
            'customer_id': target, 'ids': ['API-M1', 'api-m2', 'API-M1', 'API-CO', 'nope']})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(sorted(m['unit_id'] for m in r.json['moved']), ['API-M1', 'API-M2'])
        self.assertEqual(sorted(r.json['not_found']), ['API-CO', 'nope'])
        self.assertEqual(STACK.query("SELECT count(*) FROM devices WHERE customer_id = ? AND "
                                     "unit_id LIKE 'API-M%'", target)[0][0], 2)
        r = self.admin.call('POST', '/api/v1/devices/assign', {
            'customer_id': customer_id('Contoso Charging'), 'ids': ['API-M1']})
        self.assertEqual(r.status, 404)
        r = self.admin.call('POST', '/api/v1/devices/assign', {'customer_id': target,
                                                               'ids': 'API-M1'})
        self.assertEqual(r.status, 400)
        r = self.admin.call('POST', '/api/v1/devices/assign', {
            'customer_id': target, 'ids': [f'X{i}' for i in range(10001)]})
        self.assertEqual(r.status, 413)
        self.assertEqual(self.dk.call('POST', '/api/v1/devices/assign', {
            'customer_id': target, 'ids': ['API-DK']}).status, 403)

    def test_assign_counts_like_the_page(self):
        """Page and API count a move alike: a device already at the target is
        listed but not moved, a duplicate id moves once, an unknown id is not
        found; the events say the same number, the API's marked "(API)"."""
        target = customer_id('Aarhus')
        page = Client(STACK)
        page.login('admin')
        for door in ('PAGE', 'API'):
            make_device(f'PAR-{door}-1', 'Northwind Denmark')
            make_device(f'PAR-{door}-2', 'Northwind Denmark')
            make_device(f'PAR-{door}-3', 'Aarhus')
        ids = ['PAR-PAGE-1', 'PAR-PAGE-2', 'PAR-PAGE-3', 'par-page-1', 'PAR-PAGE-NOPE']
        page.get('/devices/manage?mode=text')
        r = page.post('/devices/manage', {'step': 'preview', 'customer_id': target,
                                          'ids': '\n'.join(ids)})
        self.assertEqual(r.status, 200, r)
        self.assertIn('Will move (2)', r.text)
        self.assertIn('Already there, not moved (1)', r.text)
        self.assertEqual(re.findall(r'<li><code>([^<]+)</code></li>', r.text), ['PAR-PAGE-NOPE'])
        r = page.post('/devices/manage', {'step': 'process', 'customer_id': target,
                                          'ids': '\n'.join(ids)})
        self.assertEqual(r.status, 303, r)
        self.assertIn('2 devices moved to', page.get(r.location).text)

        r = self.admin.call('POST', '/api/v1/devices/assign', {
            'customer_id': target,
            'ids': ['PAR-API-1', 'PAR-API-2', 'PAR-API-3', 'par-api-1', 'PAR-API-NOPE']})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(sorted(m['unit_id'] for m in r.json['moved']), ['PAR-API-1', 'PAR-API-2'])
        self.assertEqual([m['unit_id'] for m in r.json['unchanged']], ['PAR-API-3'])
        self.assertEqual(r.json['not_found'], ['PAR-API-NOPE'])

        self.assertEqual(STACK.query("SELECT count(*) FROM devices WHERE customer_id = ? AND "
                                     "unit_id LIKE 'PAR-%'", target)[0][0], 6)
        self.assertEqual(STACK.query("SELECT count(*) FROM device_moves m JOIN devices d ON "
                                     "d.id = m.device_id WHERE d.unit_id LIKE 'PAR-%'")[0][0], 4)
        events = STACK.query("SELECT detail FROM events WHERE kind = 'devices_moved' AND "
                             "detail LIKE ? ORDER BY id DESC LIMIT 2", f'% to customer {target}%')
        self.assertEqual([e[0] for e in events], [f'2 devices to customer {target} (API)',
                                                  f'2 devices to customer {target}'])

    def test_list_filters_outside_the_view_answer_404(self):
        """A customer_id or location_id filter outside the view answers 404
        like a missing one, naming the filter; one inside filters."""
        stockholm = STACK.query("SELECT id FROM locations WHERE name = 'Stockholm Hub'")[0][0]
        for query, field in ((f'customer_id={customer_id("Contoso Charging")}', 'customer_id'),
                             (f'customer_id={customer_id("Northwind Sweden")}', 'customer_id'),
                             (f'customer_id={customer_id("Northwind Fleet")}', 'customer_id'),
                             ('customer_id=999999', 'customer_id'),
                             (f'location_id={stockholm}', 'location_id'),
                             ('location_id=999999', 'location_id')):
            r = self.dk.call('GET', f'/api/v1/devices?{query}')
            self.assertEqual((r.status, r.header('Content-Type'), r.json.get('field')),
                             (404, 'application/problem+json', field), query)
            self.assertNotIn('Stockholm', r.text, query)
        fixed = {'API-HQ', 'API-DK', 'API-AA', 'API-SE', 'API-CO'}
        r = self.dk.call('GET', f'/api/v1/devices?customer_id={customer_id("Aarhus")}&q=API-')
        self.assertEqual(r.status, 200)
        self.assertEqual({d['unit_id'] for d in r.json['items']} & fixed, {'API-AA'})

    def test_openapi_document_is_served(self):
        """The OpenAPI document is public JSON with the security headers."""
        r = Client(STACK).get('/api/v1/openapi.json')
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header('Content-Type').startswith('application/json'))
        self.assertIn('nosniff', r.header('X-Content-Type-Options'))
        doc = json.loads(r.text)
        self.assertTrue(doc['openapi'].startswith('3.'))
        self.assertIn('/devices/assign', doc['paths'])

    def test_unknown_resource_and_method(self):
        r = self.admin.call('GET', '/api/v1/nothing')
        self.assertEqual((r.status, r.header('Content-Type')), (404, 'application/problem+json'))
        r = self.admin.call('DELETE', '/api/v1/me')
        self.assertEqual(r.status, 405)
        self.assertIn('GET', r.header('Allow'))


if __name__ == '__main__':
    unittest.main()
