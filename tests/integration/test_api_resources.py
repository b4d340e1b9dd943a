"""The JSON API's customers, users and locations (/api/v1, issue 6).

The API runs on the same model functions as the pages (customer.c,
user.c, location.c), so the rules are the pages' rules; these tests pin
what the API makes of them: the status of each refusal, the field it
names, and that a refused request changes nothing. Ids of a parent, a
sibling or another account answer 404 exactly like missing ones.

Tokens are made on the Tokens page through the fixtures' new_token (one login
each, so the brute-force guard never counts a failure).
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures import (STACK, Api, cid, events, make_user, new_token,  # noqa: E402
                      start_stack, subtree_ids, tables, uid)

TOKENS = {}
# extra users of the demo password: groups the demo users lack, at the
# places the tests need (username: (customer, groups))
EXTRA = {
    'dk.nca': ('Northwind Denmark', 8),       # Nested Customer Administrator
    'se.nca': ('Northwind Sweden', 8 | 1),    # the sibling, with both
    'aa.fleet': ('Aarhus', 16),               # Fleet Management only
    'leaving.api': ('Aarhus', 0),             # deactivated and deleted by a test
}
# every token is made before the tests: a login during a test would change
# the tables its before/after comparison reads
USERS = ('operator', 'admin', 'dk.admin', 'dk.nca', 'se.nca', 'se.user', 'driver',
         'aa.fleet', 'contoso.admin')
NEW_PASSWORD = 'Quiet-Harbor-Lantern-4471'


def setUpModule():
    start_stack()
    for username, (customer, groups) in EXTRA.items():
        make_user(username, customer, groups, domain='example.test')
    for username in USERS:
        api(username)


def api(username):
    """The API as username, through a token made on the Tokens page."""
    if username not in TOKENS:
        TOKENS[username] = Api(new_token(username, name=f'{username}-resources')[0])
    return TOKENS[username]


def snapshot():
    """Every table a refused request could touch, row by row."""
    return tables('customers', 'users', 'locations', 'user_locations', 'user_links',
                  'mail_queue', 'sessions')


def make_customer(name, parent):
    """A customer below parent, through the API as admin (the operator for
    none); returns its id."""
    r = api('admin' if parent else 'operator').call('POST', '/api/v1/customers', {
        'name': name, 'email': 'x@example.test', 'country': 'DK',
        'parent_id': cid(parent) if parent else None})
    assert r.status == 201, r
    return r.json['id']


class ResourceTest(unittest.TestCase):
    def problem(self, r, status, field=None):
        """r is an RFC 9457 problem with status (and field, when given)."""
        self.assertEqual(r.status, status, r.text)
        self.assertEqual(r.header('Content-Type'), 'application/problem+json')
        self.assertEqual(r.json['status'], status)
        self.assertTrue(r.json['detail'])
        if field is not None:
            self.assertEqual(r.json.get('field'), field, r.text)
        return r

    def pages(self, who, path):
        """Every item of a list, two at a time; each row exactly once."""
        seen, cursor = [], None
        sep = '&' if '?' in path else '?'
        while True:
            r = api(who).call('GET', f'{path}{sep}limit=2' + (f'&cursor={cursor}' if cursor
                                                               else ''))
            self.assertEqual(r.status, 200, r.text)
            self.assertLessEqual(len(r.json['items']), 2)
            seen += r.json['items']
            cursor = r.json['next_cursor']
            if cursor is None:
                break
        ids = [x['id'] for x in seen]
        self.assertEqual(len(ids), len(set(ids)), 'a row came twice')
        self.assertEqual(ids, sorted(ids))
        return seen

    def assertListIsTheSubtree(self, path, table, viewers):
        """Each (viewer, customer) of viewers: the list, paged two at a time,
        holds exactly the rows of table at that customer or below it."""
        column = 'id' if table == 'customers' else 'customer_id'
        for who, top in viewers:
            with self.subTest(who=who):
                ids = {x['id'] for x in self.pages(who, path)}
                want = {r[0] for r in STACK.query(
                    f'SELECT id FROM {table} WHERE {column} IN (%s)' % ','.join(
                        map(str, subtree_ids(cid(top)))))}
                self.assertEqual(ids, want)

    def assertRefusedEverywhere(self, who, calls):
        """Each (method, path, body) is refused with 403 and changes nothing."""
        before = snapshot()
        for method, path, body in calls:
            with self.subTest(who=who, method=method, path=path):
                self.problem(api(who).call(method, path, body), 403)
        self.assertEqual(snapshot(), before)

    def assertMalformedRefused(self, who, method, path, cases):
        """Wrong content type, bad JSON, a non-object, and each (body, field)
        of cases: the right problem, nothing changed."""
        a = api(who)
        before = snapshot()
        self.problem(a.call(method, path, {'name': 'x'}, content_type='text/plain'), 415)
        self.problem(a.call(method, path, raw=b'{"name":'), 400)
        self.problem(a.call(method, path, raw=b'[1, 2]'), 400)
        self.problem(a.call(method, path, raw=b'{"a": 1, "a": 2}'), 400)
        for body, field in cases:
            with self.subTest(body=body):
                self.problem(a.call(method, path, body), 400, field)
        self.assertEqual(snapshot(), before)


class CustomerApiTests(ResourceTest):
    def test_list_is_the_subtree_and_pages_cover_it_once(self):
        self.assertListIsTheSubtree('/api/v1/customers', 'customers', (
            ('dk.nca', 'Northwind Denmark'), ('admin', 'Northwind Fleet'),
            ('contoso.admin', 'Contoso Charging')))
        ids = {c['id'] for c in self.pages('operator', '/api/v1/customers')}
        self.assertEqual(ids, {r[0] for r in STACK.query('SELECT id FROM customers')})
        r = api('admin').call('GET', '/api/v1/customers?q=aarhus')
        self.assertEqual([c['name'] for c in r.json['items']], ['Aarhus'])
        self.problem(api('admin').call('GET', '/api/v1/customers?limit=501'), 400, 'limit')
        # the tree has no customer_id or location_id filter: ignored, even outside the view
        want = self.pages('dk.nca', '/api/v1/customers')
        for query in (f'customer_id={cid("Aarhus")}', f'customer_id={cid("Contoso Charging")}',
                      'location_id=999999'):
            with self.subTest(query=query):
                self.assertEqual(self.pages('dk.nca', f'/api/v1/customers?{query}'), want)

    def test_get_shows_no_parent_above_the_view(self):
        r = api('dk.nca').call('GET', f'/api/v1/customers/{cid("Northwind Denmark")}')
        self.assertEqual(r.status, 200, r.text)
        self.assertIsNone(r.json['parent_id'], 'Fleet is above dk.nca: not shown')
        self.assertEqual((r.json['name'], r.json['country'], r.json['mfa_required']),
                         ('Northwind Denmark', 'DK', False))
        r = api('dk.nca').call('GET', f'/api/v1/customers/{cid("Aarhus")}')
        self.assertEqual(r.json['parent_id'], cid('Northwind Denmark'))
        r = api('admin').call('GET', f'/api/v1/customers/{cid("Northwind Fleet")}')
        self.assertEqual(r.json['owner_email'], 'owner@northwind.example')

    def test_foreign_ids_answer_404_like_missing_ones_and_change_nothing(self):
        missing = STACK.query('SELECT max(id) + 1000 FROM customers')[0][0]
        cases = {'dk.nca': ['Northwind Fleet', 'Northwind Sweden', 'Contoso Charging'],
                 'se.nca': ['Northwind Fleet', 'Northwind Denmark', 'Aarhus',
                            'Contoso Charging'],
                 'contoso.admin': ['Northwind Fleet', 'Northwind Denmark', 'Aarhus']}
        before = snapshot()
        for who, names in cases.items():
            a = api(who)
            nowhere = self.problem(a.call('GET', f'/api/v1/customers/{missing}'), 404)
            for name in names:
                with self.subTest(who=who, customer=name):
                    r = self.problem(a.call('GET', f'/api/v1/customers/{cid(name)}'), 404)
                    self.assertEqual(r.stable_text, nowhere.stable_text,
                                     'the same answer as for a missing id')
                    r = self.problem(a.call('PATCH', f'/api/v1/customers/{cid(name)}',
                                            {'name': 'Taken'}), 404)
                    self.assertEqual(r.stable_text, nowhere.stable_text)
                    # a body in error is refused as such, whatever the id: the
                    # answer says nothing about it either
                    bad = {'name': 'Taken', 'id': 7}
                    r = self.problem(a.call('PATCH', f'/api/v1/customers/{cid(name)}', bad),
                                     400, 'id')
                    self.assertEqual(r.stable_text, self.problem(a.call(
                        'PATCH', f'/api/v1/customers/{missing}', bad), 400, 'id').stable_text)
        self.assertEqual(snapshot(), before)

    def test_refused_without_nested_customer_administrator(self):
        calls = [('GET', '/api/v1/customers', None),
                 ('GET', f'/api/v1/customers/{cid("Aarhus")}', None),
                 ('POST', '/api/v1/customers', {'name': 'N', 'email': 'n@example.test',
                                                'parent_id': cid('Aarhus')}),
                 ('PATCH', f'/api/v1/customers/{cid("Aarhus")}', {'name': 'N'})]
        for who in ('dk.admin', 'se.user', 'driver', 'aa.fleet'):
            self.assertRefusedEverywhere(who, calls)

    def test_create_takes_the_parents_settings_and_logs_the_event(self):
        r = api('dk.nca').call('POST', '/api/v1/customers', {
            'name': '  Odense API ', 'email': 'odense@example.test',
            'parent_id': cid('Aarhus'), 'time_format': '12h'})
        self.assertEqual(r.status, 201, r.text)
        new = r.json['id']
        self.assertEqual(r.header('Location'), f'/api/v1/customers/{new}')
        self.assertEqual((r.json['name'], r.json['parent_id'], r.json['country'],
                          r.json['time_zone'], r.json['time_format'], r.json['units'],
                          r.json['owner_email'], r.json['require_mfa']),
                         ('Odense API', cid('Aarhus'), 'DK', 'Europe/Copenhagen', '12h',
                          'metric', None, False))
        row = STACK.query('SELECT path, depth FROM customers WHERE id = ?', new)[0]
        aarhus = STACK.query('SELECT path, depth FROM customers WHERE id = ?', cid('Aarhus'))[0]
        self.assertEqual(row, (f'{aarhus[0]}{new}/', aarhus[1] + 1))
        self.assertIn((None, uid('dk.nca'), f'customer {new} (API)'), events('customer_created'))
        self.assertEqual(api('dk.nca').call('GET', f'/api/v1/customers/{new}').json, r.json)

    def test_no_escalation_through_the_parent(self):
        a = api('dk.nca')
        base_body = {'name': 'Escape', 'email': 'e@example.test', 'country': 'DK'}
        before = snapshot()
        for name in ('Northwind Fleet', 'Northwind Sweden', 'Contoso Charging'):
            with self.subTest(parent=name):
                self.problem(a.call('POST', '/api/v1/customers',
                                    dict(base_body, parent_id=cid(name))), 404, 'parent_id')
        missing = STACK.query('SELECT max(id) + 1000 FROM customers')[0][0]
        self.problem(a.call('POST', '/api/v1/customers', dict(base_body, parent_id=missing)),
                     404, 'parent_id')
        # an account (no parent) is the operator's to make
        self.problem(a.call('POST', '/api/v1/customers', dict(base_body, parent_id=None)), 403,
                     'parent_id')
        self.problem(api('admin').call('POST', '/api/v1/customers',
                                       dict(base_body, parent_id=None)), 403, 'parent_id')
        self.problem(a.call('POST', '/api/v1/customers', base_body), 400, 'parent_id')
        # the own customer never moves; nothing moves out of the view
        dk = cid('Northwind Denmark')
        self.problem(a.call('PATCH', f'/api/v1/customers/{dk}', {'parent_id': cid('Aarhus')}),
                     403, 'parent_id')
        self.problem(a.call('PATCH', f'/api/v1/customers/{cid("Aarhus")}',
                            {'parent_id': cid('Northwind Sweden')}), 404, 'parent_id')
        self.problem(a.call('PATCH', f'/api/v1/customers/{cid("Aarhus")}',
                            {'parent_id': None}), 403, 'parent_id')
        # Account Administrator alone sets MFA
        self.problem(a.call('PATCH', f'/api/v1/customers/{cid("Aarhus")}',
                            {'require_mfa': True}), 403, 'require_mfa')
        self.assertEqual(snapshot(), before)
        # the page's answer for the own customer's parent: shown as null, kept as it is
        r = a.call('PATCH', f'/api/v1/customers/{dk}', {'parent_id': None})
        self.assertEqual(r.status, 200, r.text)

    def test_no_move_under_itself_or_below_it(self):
        top = make_customer('Loop A', 'Northwind Denmark')
        mid = api('dk.nca').call('POST', '/api/v1/customers', {
            'name': 'Loop B', 'email': 'b@example.test', 'parent_id': top}).json['id']
        low = api('dk.nca').call('POST', '/api/v1/customers', {
            'name': 'Loop C', 'email': 'c@example.test', 'parent_id': mid}).json['id']
        before = snapshot()
        for target in (top, mid, low):
            with self.subTest(target=target):
                r = self.problem(api('dk.nca').call('PATCH', f'/api/v1/customers/{top}',
                                                    {'parent_id': target}), 400, 'parent_id')
                self.assertIn('itself', r.json['detail'])
        self.assertEqual(snapshot(), before)

    def test_partial_update_and_move(self):
        new = make_customer('Movable API', 'Northwind Denmark')
        a = api('dk.nca')
        r = a.call('PATCH', f'/api/v1/customers/{new}', {'units': 'imperial'})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual((r.json['name'], r.json['units'], r.json['email']),
                         ('Movable API', 'imperial', 'x@example.test'))
        r = a.call('PATCH', f'/api/v1/customers/{new}', {'parent_id': cid('Aarhus')})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json['parent_id'], cid('Aarhus'))
        aarhus = STACK.query('SELECT path FROM customers WHERE id = ?', cid('Aarhus'))[0][0]
        self.assertEqual(STACK.query('SELECT path FROM customers WHERE id = ?', new)[0][0],
                         f'{aarhus}{new}/')
        self.assertIn((None, uid('dk.nca'),
                       f'customer {new}: parent {cid("Northwind Denmark")} -> {cid("Aarhus")} '
                       '(API)'), events('customer_moved'))

    def test_mfa_needs_account_administrator_and_never_loosens_below(self):
        new = make_customer('Strict API', 'Northwind Denmark')
        r = api('admin').call('PATCH', f'/api/v1/customers/{new}', {'require_mfa': True})
        self.assertEqual((r.status, r.json['require_mfa'], r.json['mfa_required']),
                         (200, True, True), r.text)
        self.assertIn((None, uid('admin'), f'customer {new} (API)'), events('mfa_enforced'))
        kid = api('admin').call('POST', '/api/v1/customers', {
            'name': 'Strict kid', 'email': 'k@example.test', 'parent_id': new}).json
        self.assertEqual((kid['require_mfa'], kid['mfa_required']), (False, True))
        # a move that lifts the requirement needs the group
        self.problem(api('dk.nca').call('PATCH', f'/api/v1/customers/{kid["id"]}',
                                        {'parent_id': cid('Aarhus')}), 403, 'parent_id')

    def test_operator_creates_accounts_with_an_owner(self):
        r = api('operator').call('POST', '/api/v1/customers', {
            'name': 'Fabrikam API', 'email': 'ops@fabrikam.example', 'country': 'US',
            'owner_email': 'boss@fabrikam.example'})
        self.assertEqual(r.status, 201, r.text)
        self.assertEqual((r.json['parent_id'], r.json['owner_email'], r.json['time_zone']),
                         (None, 'boss@fabrikam.example', 'UTC'))
        self.problem(api('operator').call('POST', '/api/v1/customers', {
            'name': 'Fabrikam Two', 'email': 'two@fabrikam.example', 'country': 'US',
            'owner_email': 'nope'}), 400, 'owner_email')

    def test_malformed_bodies(self):
        aarhus = cid('Aarhus')
        good = {'name': 'Fine', 'email': 'f@example.test', 'parent_id': aarhus}
        cases = [(dict(good, name=5), 'name'),
                 (dict(good, name=''), 'name'),
                 (dict(good, name='two\nlines'), 'name'),
                 ({'email': 'f@example.test', 'parent_id': aarhus}, 'name'),
                 (dict(good, email='not-an-address'), 'email'),
                 (dict(good, country='XX'), 'country'),
                 (dict(good, time_zone='Mars/Olympus_Mons'), 'time_zone'),
                 (dict(good, time_format='25h'), 'time_format'),
                 (dict(good, units=['metric']), 'units'),
                 (dict(good, parent_id='1'), 'parent_id'),
                 (dict(good, parent_id=-1), 'parent_id'),
                 (dict(good, parent_id=1.5), 'parent_id'),
                 (dict(good, require_mfa='yes'), 'require_mfa'),
                 (dict(good, id=7), 'id'),
                 (dict(good, Name='typo'), 'Name')]
        self.assertMalformedRefused('dk.nca', 'POST', '/api/v1/customers', cases)
        self.assertMalformedRefused('dk.nca', 'PATCH', f'/api/v1/customers/{aarhus}', [
            ({'name': 5}, 'name'), ({'name': ''}, 'name'), ({'email': 'nope'}, 'email'),
            ({'country': 'XX'}, 'country'), ({'parent_id': '1'}, 'parent_id'),
            ({'require_mfa': 'yes'}, 'require_mfa'), ({'id': 7}, 'id')])


class UserApiTests(ResourceTest):
    def make_user(self, username, customer, groups=None, **extra):
        body = dict({'email': f'{username}@example.test', 'username': username,
                     'customer_id': cid(customer), 'password_mode': 'manual',
                     'password': NEW_PASSWORD, 'groups': groups or []}, **extra)
        r = api('admin').call('POST', '/api/v1/users', body)
        self.assertEqual(r.status, 201, r.text)
        return r.json['id']

    def test_list_is_the_subtree_and_pages_cover_it_once(self):
        self.assertListIsTheSubtree('/api/v1/users', 'users', (
            ('dk.admin', 'Northwind Denmark'), ('admin', 'Northwind Fleet'),
            ('contoso.admin', 'Contoso Charging')))
        users = self.pages('dk.admin', f'/api/v1/users?customer_id={cid("Aarhus")}&q=driver')
        self.assertEqual([u['username'] for u in users], ['driver'])
        self.assertEqual(users[0]['groups'], [])
        # a customer above, beside, in another account or unknown: 404, like the page
        for other in (cid('Northwind Fleet'), cid('Northwind Sweden'), cid('Contoso Charging'),
                      99999):
            with self.subTest(customer_id=other):
                self.problem(api('dk.admin').call('GET', f'/api/v1/users?customer_id={other}'),
                             404, 'customer_id')
        self.problem(api('dk.admin').call('GET', '/api/v1/users?cursor=abc'), 400, 'cursor')

    def test_foreign_ids_answer_404_like_missing_ones_and_change_nothing(self):
        viewers = {
            'dk.admin': ['admin', 'former', 'se.user', 'contoso.admin', 'operator'],
            'se.nca': ['admin', 'dk.admin', 'driver', 'contoso.admin', 'operator'],
            'contoso.admin': ['admin', 'dk.admin', 'driver', 'se.user', 'operator'],
        }
        missing = STACK.query('SELECT max(id) + 1000 FROM users')[0][0]
        before = snapshot()
        for who, targets in viewers.items():
            a = api(who)
            nowhere = self.problem(a.call('GET', f'/api/v1/users/{missing}'), 404)
            mine = STACK.query('SELECT customer_id FROM users WHERE username = ?', who)[0][0]
            for target in targets:
                tid = uid(target)
                with self.subTest(who=who, target=target):
                    for method, body in (('GET', None), ('DELETE', None),
                                         ('PATCH', {'full_name': 'Taken Over', 'active': False,
                                                    'email': f'{who}.owns@example.test',
                                                    'customer_id': mine})):
                        r = self.problem(a.call(method, f'/api/v1/users/{tid}', body), 404)
                        self.assertEqual(r.stable_text, nowhere.stable_text)
        self.assertEqual(snapshot(), before)

    def test_refused_without_account_administrator(self):
        driver = uid('driver')
        calls = [('GET', '/api/v1/users', None), ('GET', f'/api/v1/users/{driver}', None),
                 ('POST', '/api/v1/users', {'email': 'x@example.test', 'username': 'x',
                                            'customer_id': cid('Aarhus')}),
                 ('PATCH', f'/api/v1/users/{driver}', {'full_name': 'X'}),
                 ('DELETE', f'/api/v1/users/{driver}', None)]
        for who in ('se.user', 'driver', 'dk.nca', 'aa.fleet'):
            self.assertRefusedEverywhere(who, calls)

    def test_create_with_a_welcome_link(self):
        r = api('dk.admin').call('POST', '/api/v1/users', {
            'email': 'welcome.api@example.test', 'username': 'welcome.api',
            'customer_id': cid('Aarhus'), 'groups': ['account_admin'],
            'full_name': ' Wanda Welcome '})
        self.assertEqual(r.status, 201, r.text)
        new = r.json['id']
        self.assertEqual(r.header('Location'), f'/api/v1/users/{new}')
        self.assertEqual((r.json['username'], r.json['groups'], r.json['full_name'],
                          r.json['active'], r.json['password_set'], r.json['locations']),
                         ('welcome.api', ['account_admin'], 'Wanda Welcome', True, False, []))
        self.assertEqual(STACK.query('SELECT purpose, used_at FROM user_links WHERE user_id = ?',
                                     new), [('setup', None)])
        mail = STACK.query('SELECT body FROM mail_queue WHERE recipient = ?',
                           'welcome.api@example.test')
        self.assertEqual(len(mail), 1)
        self.assertIn('/password/setup/', mail[0][0])
        self.assertIn((new, uid('dk.admin'), 'welcome.api (API)'), events('user_created'))
        self.assertEqual(api('dk.admin').call('GET', f'/api/v1/users/{new}').json, r.json)

    def test_create_with_a_manual_password(self):
        before = snapshot()
        base_body = {'email': 'manual.api@example.test', 'username': 'manual.api',
                     'customer_id': cid('Aarhus'), 'password_mode': 'manual'}
        self.problem(api('dk.admin').call('POST', '/api/v1/users',
                                          dict(base_body, password='short')), 400, 'password')
        self.problem(api('dk.admin').call('POST', '/api/v1/users',
                                          dict(base_body, password='manual.api')), 400,
                     'password')
        self.problem(api('dk.admin').call('POST', '/api/v1/users', {
            'email': 'manual.api@example.test', 'username': 'manual.api',
            'customer_id': cid('Aarhus'), 'password': NEW_PASSWORD}), 400, 'password')
        self.assertEqual(snapshot(), before)
        r = api('dk.admin').call('POST', '/api/v1/users', dict(base_body, password=NEW_PASSWORD))
        self.assertEqual(r.status, 201, r.text)
        self.assertEqual((r.json['password_set'], r.json['must_change_password']), (True, True))
        self.assertNotIn(NEW_PASSWORD, r.text)

    def test_no_escalation(self):
        a = api('dk.admin')
        body = {'email': 'esc@example.test', 'username': 'esc', 'customer_id': cid('Aarhus')}
        se_loc = self.location('Malmo API yard', 'Northwind Sweden')
        dk_loc = self.location('Denmark API HQ', 'Northwind Denmark')
        before = snapshot()
        self.problem(a.call('POST', '/api/v1/users',
                            dict(body, groups=['account_admin', 'full_device_access'])), 403,
                     'groups')
        for name in ('Northwind Fleet', 'Northwind Sweden', 'Contoso Charging'):
            with self.subTest(customer=name):
                self.problem(a.call('POST', '/api/v1/users', dict(body, customer_id=cid(name))),
                             404, 'customer_id')
        self.problem(a.call('POST', '/api/v1/users', dict(body, locations=[se_loc])), 404,
                     'locations')
        # visible, but above the user's customer
        self.problem(a.call('POST', '/api/v1/users', dict(body, locations=[dk_loc])), 400,
                     'locations')
        plain = uid('driver')
        self.problem(a.call('PATCH', f'/api/v1/users/{plain}', {'groups': ['device_management']}),
                     403, 'groups')
        self.problem(a.call('PATCH', f'/api/v1/users/{plain}',
                            {'customer_id': cid('Northwind Sweden')}), 404, 'customer_id')
        self.assertEqual(snapshot(), before)

    def location(self, name, customer):
        r = api('admin').call('POST', '/api/v1/locations', {'name': name,
                                                            'customer_id': cid(customer)})
        self.assertEqual(r.status, 201, r.text)
        return r.json['id']

    def test_a_stronger_user_cannot_be_taken_over(self):
        """dk.admin changes nothing of a user who also has Full Device Access (issue 12:
        not even their name or the groups dk.admin holds), never their e-mail or
        password; the user keeps every group."""
        strong = self.make_user('strong.api', 'Aarhus', ['account_admin', 'full_device_access'])
        a = api('dk.admin')
        before = snapshot()
        self.problem(a.call('PATCH', f'/api/v1/users/{strong}', {'full_name': 'Still Strong'}),
                     403, 'groups')
        self.problem(a.call('PATCH', f'/api/v1/users/{strong}', {'email': 'mine@example.test'}),
                     403, 'groups')
        for mode in ('manual', 'welcome'):
            with self.subTest(mode=mode):
                body = {'password_mode': mode}
                if mode == 'manual':
                    body['password'] = NEW_PASSWORD
                self.problem(a.call('PATCH', f'/api/v1/users/{strong}', body), 403, 'groups')
        self.problem(a.call('PATCH', f'/api/v1/users/{strong}', {'groups': []}), 403, 'groups')
        self.assertEqual(snapshot(), before)
        r = a.call('GET', f'/api/v1/users/{strong}')
        self.assertEqual((r.status, r.json['groups']),
                         (200, ['account_admin', 'full_device_access']), r.text)

    def test_self_protection(self):
        a = api('dk.admin')
        me = uid('dk.admin')
        before = snapshot()
        for body, field in (({'active': False}, 'active'), ({'groups': []}, 'groups'),
                            ({'customer_id': cid('Aarhus')}, 'customer_id'),
                            ({'password_mode': 'manual', 'password': NEW_PASSWORD},
                             'password_mode')):
            with self.subTest(body=body):
                self.problem(a.call('PATCH', f'/api/v1/users/{me}', body), 403, field)
        self.problem(a.call('DELETE', f'/api/v1/users/{me}'), 403)
        self.assertEqual(snapshot(), before)
        r = a.call('PATCH', f'/api/v1/users/{me}', {'phone': '+45 5555'})
        self.assertEqual((r.status, r.json['phone']), (200, '+45 5555'))

    def test_duplicates_are_409(self):
        before = snapshot()
        body = {'email': 'dup@example.test', 'username': 'dup', 'customer_id': cid('Aarhus')}
        self.problem(api('dk.admin').call('POST', '/api/v1/users',
                                          dict(body, email='Driver@Northwind.Example')), 409,
                     'email')
        self.problem(api('dk.admin').call('POST', '/api/v1/users', dict(body, username='DRIVER')),
                     409, 'username')
        self.problem(api('dk.admin').call('PATCH', f'/api/v1/users/{uid("driver")}',
                                          {'username': 'dk.admin'}), 409, 'username')
        self.assertEqual(snapshot(), before)

    def test_deactivating_ends_sessions_and_tokens_and_delete_removes(self):
        target = uid('leaving.api')
        theirs = Api(new_token('leaving.api', name='theirs')[0])
        self.assertEqual(theirs.call('GET', '/api/v1/me').status, 200)
        r = api('dk.admin').call('PATCH', f'/api/v1/users/{target}', {'active': False})
        self.assertEqual((r.status, r.json['active']), (200, False), r.text)
        self.assertEqual(STACK.query('SELECT count(*) FROM sessions WHERE user_id = ?',
                                     target)[0][0], 0)
        self.assertEqual(theirs.call('GET', '/api/v1/me').status, 401)
        self.assertIn((target, uid('dk.admin'), 'leaving.api (API)'), events('user_deactivated'))
        r = api('dk.admin').call('DELETE', f'/api/v1/users/{target}')
        self.assertEqual((r.status, r.text), (204, ''))
        self.assertEqual(STACK.query('SELECT count(*) FROM users WHERE id = ?', target)[0][0], 0)
        self.assertEqual(STACK.query('SELECT count(*) FROM api_tokens WHERE user_id = ?',
                                     target)[0][0], 0)
        self.assertIn((None, uid('dk.admin'),
                       f'leaving.api <leaving.api@example.test> (id {target}) (API)'),
                      events('user_deleted'))
        self.problem(api('dk.admin').call('DELETE', f'/api/v1/users/{target}'), 404)

    def test_partial_update_keeps_what_is_left_out(self):
        loc = self.location('Aarhus API depot', 'Aarhus')
        target = self.make_user('partial.api', 'Aarhus', ['account_admin'], locations=[loc],
                                full_name='Pat Partial')
        r = api('dk.admin').call('PATCH', f'/api/v1/users/{target}', {'phone': '123'})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual((r.json['full_name'], r.json['groups'], r.json['locations'],
                          r.json['phone'], r.json['customer_id']),
                         ('Pat Partial', ['account_admin'], [loc], '123', cid('Aarhus')))
        r = api('dk.admin').call('PATCH', f'/api/v1/users/{target}', {'locations': []})
        self.assertEqual(r.json['locations'], [])

    def test_malformed_bodies(self):
        good = {'email': 'bad@example.test', 'username': 'bad.api', 'customer_id': cid('Aarhus')}
        cases = [(dict(good, email=7), 'email'),
                 (dict(good, email='not-an-address'), 'email'),
                 ({'username': 'bad.api', 'customer_id': cid('Aarhus')}, 'email'),
                 (dict(good, username='has space'), 'username'),
                 (dict(good, customer_id='1'), 'customer_id'),
                 ({'email': 'bad@example.test', 'username': 'bad.api'}, 'customer_id'),
                 (dict(good, groups='account_admin'), 'groups'),
                 (dict(good, groups=[1]), 'groups'),
                 (dict(good, groups=['superuser']), 'groups'),
                 (dict(good, locations=['x']), 'locations'),
                 (dict(good, locations=[0]), 'locations'),
                 (dict(good, locations=list(range(1, 502))), 'locations'),
                 (dict(good, active='yes'), 'active'),
                 (dict(good, password_mode='keep'), 'password_mode'),
                 (dict(good, password_mode='mail-it'), 'password_mode'),
                 (dict(good, active=False), 'password_mode'),
                 (dict(good, phone='1\n2'), 'phone'),
                 (dict(good, full_name='x' * 201), 'full_name'),
                 (dict(good, is_operator=True), 'is_operator')]
        self.assertMalformedRefused('dk.admin', 'POST', '/api/v1/users', cases)
        self.assertMalformedRefused('dk.admin', 'PATCH', f'/api/v1/users/{uid("driver")}', [
            ({'groups': {'a': 1}}, 'groups'), ({'email': ''}, 'email'),
            ({'password_mode': 'manual'}, 'password'), ({'id': 1}, 'id')])

    def test_huge_body_is_413(self):
        r = api('admin').call('POST', '/api/v1/users', raw=b'{"a":"' + b'x' * (2 << 20) + b'"}')
        self.problem(r, 413)


class LocationApiTests(ResourceTest):
    @classmethod
    def setUpClass(cls):
        for name, customer in (('DK API depot', 'Northwind Denmark'),
                               ('Aarhus API yard', 'Aarhus'),
                               ('SE API yard', 'Northwind Sweden'),
                               ('CO API lot', 'Contoso Charging')):
            with STACK.db() as db:
                db.execute('INSERT INTO locations (customer_id, name, created_at, updated_at) '
                           'VALUES (?, ?, 0, 0)', (cid(customer), name))

    def lid(self, name):
        return STACK.query('SELECT id FROM locations WHERE name = ?', name)[0][0]

    def test_list_is_the_subtree_and_pages_cover_it_once(self):
        self.assertListIsTheSubtree('/api/v1/locations', 'locations', (
            ('dk.admin', 'Northwind Denmark'), ('admin', 'Northwind Fleet'),
            ('aa.fleet', 'Aarhus'), ('contoso.admin', 'Contoso Charging')))
        names = [x['name'] for x in self.pages(
            'dk.admin', f'/api/v1/locations?customer_id={cid("Aarhus")}&q=API%20yard')]
        self.assertEqual(names, ['Aarhus API yard'])
        # a customer outside the view is 404 like a missing one, as on the page
        missing = STACK.query('SELECT max(id) + 1000 FROM customers')[0][0]
        nowhere = self.problem(api('dk.admin').call(
            'GET', f'/api/v1/locations?customer_id={missing}'), 404)
        r = self.problem(api('dk.admin').call(
            'GET', f'/api/v1/locations?customer_id={cid("Northwind Sweden")}'), 404)
        self.assertEqual((r.stable_text, r.json['field']), (nowhere.stable_text, 'customer_id'))

    def test_get_and_foreign_ids(self):
        r = api('dk.admin').call('GET', f'/api/v1/locations/{self.lid("Aarhus API yard")}')
        self.assertEqual((r.status, r.json['name'], r.json['customer_id']),
                         (200, 'Aarhus API yard', cid('Aarhus')))
        missing = STACK.query('SELECT max(id) + 1000 FROM locations')[0][0]
        for who, names in (('dk.admin', ['SE API yard', 'CO API lot']),
                           ('aa.fleet', ['DK API depot', 'SE API yard']),
                           ('contoso.admin', ['DK API depot', 'Aarhus API yard'])):
            nowhere = self.problem(api(who).call('GET', f'/api/v1/locations/{missing}'), 404)
            for name in names:
                with self.subTest(who=who, location=name):
                    r = self.problem(api(who).call('GET', f'/api/v1/locations/{self.lid(name)}'),
                                     404)
                    self.assertEqual(r.stable_text, nowhere.stable_text)

    def test_create(self):
        r = api('aa.fleet').call('POST', '/api/v1/locations', {'name': ' Harbour API ',
                                                               'customer_id': cid('Aarhus')})
        self.assertEqual(r.status, 201, r.text)
        new = r.json['id']
        self.assertEqual(r.header('Location'), f'/api/v1/locations/{new}')
        self.assertEqual((r.json['name'], r.json['customer_id']), ('Harbour API', cid('Aarhus')))
        self.assertIn((None, uid('aa.fleet'), f'location {new} (API)'),
                      events('location_created'))
        before = snapshot()
        self.problem(api('aa.fleet').call('POST', '/api/v1/locations', {
            'name': 'Harbour API', 'customer_id': cid('Aarhus')}), 409, 'name')
        for name in ('Northwind Denmark', 'Northwind Sweden', 'Contoso Charging'):
            with self.subTest(customer=name):
                self.problem(api('aa.fleet').call('POST', '/api/v1/locations', {
                    'name': 'Elsewhere', 'customer_id': cid(name)}), 404, 'customer_id')
        self.assertEqual(snapshot(), before)

    def test_refused_by_group(self):
        calls = [('GET', '/api/v1/locations', None),
                 ('GET', f'/api/v1/locations/{self.lid("Aarhus API yard")}', None),
                 ('POST', '/api/v1/locations', {'name': 'N', 'customer_id': cid('Aarhus')})]
        for who in ('se.user', 'driver', 'dk.nca'):
            self.assertRefusedEverywhere(who, calls)

    def test_malformed_bodies(self):
        aarhus = cid('Aarhus')
        self.assertMalformedRefused('dk.admin', 'POST', '/api/v1/locations', [
            ({'customer_id': aarhus}, 'name'), ({'name': '', 'customer_id': aarhus}, 'name'),
            ({'name': 'a\r\nb', 'customer_id': aarhus}, 'name'),
            ({'name': 'x' * 201, 'customer_id': aarhus}, 'name'),
            ({'name': ['x'], 'customer_id': aarhus}, 'name'),
            ({'name': 'Fine'}, 'customer_id'), ({'name': 'Fine', 'customer_id': 'x'},
                                                'customer_id'),
            ({'name': 'Fine', 'customer_id': aarhus, 'users': []}, 'users')])


if __name__ == '__main__':
    unittest.main()
