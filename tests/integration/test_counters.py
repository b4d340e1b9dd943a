"""Issue 14's counters (customers' own and subtree counts, locations' devices)
and trigram search indexes stay right after every kind of change: each change
is made through the product where it offers one (pages and the JSON API), and
after each the counters are compared with counts taken from the rows
(counters.py) and with the change expected of it (exactly these customers'
counters moved, by this much), and the search indexes with their tables. Also
after `arborctl bench-data`, which drops the triggers, counts and indexes in
bulk and makes the triggers again: a change after it is still counted and
found.

CheckTests first shows that the check itself sees a wrong counter or a missing
index entry, and agrees with the demo data counted by hand. The product has
no way to delete a customer or a device: those triggers are tried with SQL
(a customer) or by the cleanup (devices).

Every test works on rows it makes itself and removes every row above the ids
it found when it is done (test_lists_scale's remove_added), through the
triggers; the counters must then be as they were: the demo data as found. A
test that leaves counters or indexes wrong fails in its tearDown too, which
counts them again (counters.set_counted) so that the next test starts right.
"""
import os
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arbor_stack import on_postgresql  # noqa: E402
from counters import (COUNTERS, add_missing_triggers, changes, counter_mismatches,  # noqa: E402
                      index_hits, index_mismatches, moved, schema_differences, set_counted,
                      stored)
from fixtures import (STACK, Api, PageTest, cid, client, field_error, new_token,  # noqa: E402,F401
                      selected_option, setUpModule, user_rows)
from test_customers import fields as customer_fields  # noqa: E402
from test_lists_customers_locations import CUSTOMER_ROW_RE, LOCATION_ROW_RE  # noqa: E402
from test_lists_scale import (device_ids, highest_ids, link, list_count,  # noqa: E402
                             remove_added)
from test_users import NEW_PASSWORD, form_of  # noqa: E402

TOKENS = {}


def api(username='admin'):
    if username not in TOKENS:
        TOKENS[username] = Api(new_token(username, name=f'{username} counters')[0])
    return TOKENS[username]


def demo():
    """The demo customers' ids by short name."""
    return {'fleet': cid('Northwind Fleet'), 'dk': cid('Northwind Denmark'),
            'aarhus': cid('Aarhus'), 'se': cid('Northwind Sweden'),
            'contoso': cid('Contoso Charging')}


def row_counts():
    return {t: STACK.query(f'SELECT count(*) FROM {t}')[0][0]
            for t in ('customers', 'users', 'devices', 'locations')}


def user_ids(text):
    return [i for i, _, _ in user_rows(text)]


def customer_ids(text):
    return [int(i) for i in CUSTOMER_ROW_RE.findall(text)]


def location_ids(text):
    return [int(i) for i in LOCATION_ROW_RE.findall(text)]


class CountsTest(PageTest):
    """Checks of the counters and indexes of stack's database (assertCounted,
    assertChange) and the product's changes, made by as_(who) (default
    admin_name): a Client logged in on stack."""

    stack = STACK
    admin_name = 'admin'

    def as_(self, who=None):
        return client(who or self.admin_name)

    def on(self, check, *args):
        """check(connection, *args) on a new connection to the stack's database."""
        con = self.stack.db()
        try:
            return check(con, *args)
        finally:
            con.close()

    def stored(self):
        return self.on(stored)

    def assertCounted(self, when):
        self.assertEqual(self.on(counter_mismatches), [], when)
        self.assertEqual(self.on(index_mismatches), [], when)

    def assertChange(self, before, want, when):
        """The counters are right, and changed from before by want (changes()) only;
        returns the counters now."""
        self.assertCounted(when)
        now = self.stored()
        self.assertEqual(changes(before, now), want, when)
        return now

    def ok(self, r, status=303):
        self.assertEqual(r.status, status, r)
        return r

    def found(self, path, q, rows):
        """The ids a list page shows for search q (every page)."""
        ids, page = [], f'{path}?q={urllib.parse.quote(q)}'
        while page:
            r = self.ok(self.as_().get(page), 200)
            ids += rows(r.text)
            page = link(r.text, 'next')
        return sorted(ids)

    # -------------------------------------------------------------- product changes

    def page_user(self, username, customer_id, full_name=''):
        """A user made on /users/new; its id."""
        c = self.as_()
        c.get('/users/new')
        r = self.ok(c.post('/users/new', {
            'email': f'{username}@example.test', 'username': username,
            'customer_id': customer_id, 'full_name': full_name, 'password_mode': 'manual',
            'password': NEW_PASSWORD, 'confirm_password': NEW_PASSWORD, 'active': '1'}))
        return int(r.location.rsplit('/', 1)[1])

    def page_customer(self, name, parent_id, who=None, **extra):
        r = self.ok(self.as_(who).post('/customers/new', customer_fields(
            name=name, parent_id=str(parent_id), **extra)))
        return int(r.location.rsplit('/', 1)[1])

    def edit_customer(self, customer_id, who=None, **changes):
        row = self.stack.query('SELECT name, email, country, time_zone, time_format, units, '
                               'parent_id FROM customers WHERE id = ?', customer_id)[0]
        form = customer_fields(name=row[0], email=row[1], country=row[2], time_zone=row[3],
                               time_format=row[4], units=row[5], parent_id=str(row[6] or ''))
        form.update(changes)
        return self.ok(self.as_(who).post(f'/customers/{customer_id}', form))

    def page_location(self, name, customer_id):
        self.ok(self.as_().post('/locations/new', {'name': name, 'customer_id': customer_id}))
        return self.stack.query('SELECT id FROM locations WHERE name = ? AND customer_id = ?',
                                name, customer_id)[0][0]

    def page_device(self, unit_id, customer_id, location_id=''):
        c = self.as_()
        c.get('/devices/new')
        self.ok(c.post('/devices/new', {
            'unit_id': unit_id, 'name': f'Counted {unit_id}', 'vehicle_name': '', 'vin': '',
            'customer_id': customer_id, 'location_id': location_id}))
        return self.stack.query('SELECT id FROM devices WHERE unit_id = ?', unit_id)[0][0]

    def place_device(self, device_id, location_id):
        """/devices/{id}/edit with location_id ('' for none), the rest as it is."""
        name, vehicle, vin = self.stack.query('SELECT name, vehicle_name, vin FROM devices '
                                              'WHERE id = ?', device_id)[0]
        self.ok(self.as_().post(f'/devices/{device_id}/edit', {
            'name': name, 'vehicle_name': vehicle, 'vin': vin or '',
            'location_id': location_id}))

    def manage(self, customer_id, *unit_ids):
        """A bulk move on /devices/manage (preview, then process)."""
        c = self.as_()
        c.get('/devices/manage?mode=text')
        self.ok(c.post('/devices/manage', {'step': 'preview', 'customer_id': customer_id,
                                           'ids': '\n'.join(unit_ids)}), 200)
        return self.ok(c.post('/devices/manage', {'step': 'process',
                                                  'customer_id': customer_id,
                                                  'ids': '\n'.join(unit_ids)}))


class CountedTest(CountsTest):
    """On the module's demo STACK: each test's rows are removed after it, and the
    counters are then as they were found."""

    def setUp(self):
        self.since = highest_ids()
        self.found_counters = self.stored()
        self.ids = demo()

    def tearDown(self):
        """Also puts counters and indexes found wrong right again (and fails), so
        that the next test starts from rows and counters that agree."""
        remove_added(self.since)
        wrong = self.on(counter_mismatches) + self.on(index_mismatches)
        if wrong:
            self.on(set_counted)
        self.assertEqual(wrong, [], 'after removing what the test added')
        self.assertEqual(self.stored(), self.found_counters, 'the demo counters as found')


# ------------------------------------------------------------------ the check itself

class CheckTests(CountedTest):
    """The recount agrees with the demo data and sees a wrong counter or index entry."""

    def test_the_demo_data_is_counted_right(self):
        self.assertCounted('the demo data')
        ids = self.ids
        customers, at = self.stored()
        # the demo's rows counted by hand: own users, devices, locations; the
        # subtree's customers, users, devices, locations
        self.assertEqual({name: [customers[ids[name]][k] for k in COUNTERS]
                          for name in ('fleet', 'dk', 'aarhus', 'contoso')},
                         {'fleet': [2, 1, 0, 4, 5, 5, 3], 'dk': [1, 1, 1, 2, 2, 3, 2],
                          'aarhus': [1, 2, 1, 1, 1, 2, 1], 'contoso': [1, 1, 0, 1, 1, 1, 0]})
        self.assertEqual(sorted(at.values()), [1, 1, 1])

    def test_a_wrong_counter_is_reported(self):
        """Counters written around the triggers: each one named, with both values."""
        aarhus = self.ids['aarhus']
        loc = STACK.query('SELECT min(id) FROM locations')[0][0]
        STACK.query('UPDATE customers SET tree_devices = tree_devices + 1 WHERE id = ?', aarhus)
        STACK.query('UPDATE locations SET device_count = device_count + 2 WHERE id = ?', loc)
        try:
            got = self.on(counter_mismatches)
            have = self.found_counters[0][aarhus]['tree_devices']
            self.assertEqual(got, [
                f'customer {aarhus} (Aarhus): tree_devices {have + 1}, counted {have}',
                f'location {loc}: device_count {self.found_counters[1][loc] + 2}, counted '
                f'{self.found_counters[1][loc]}'])
        finally:
            STACK.query('UPDATE customers SET tree_devices = tree_devices - 1 WHERE id = ?',
                        aarhus)
            STACK.query('UPDATE locations SET device_count = device_count - 2 WHERE id = ?', loc)

    @unittest.skipIf(on_postgresql(), "FTS5's tables, kept by triggers: PostgreSQL searches "
                     'through GIN trigram indexes it keeps itself (no entry to lose); '
                     'SearchTests checks what its searches find after every rename')
    def test_a_missing_index_entry_is_reported(self):
        driver = STACK.query("SELECT id, email, username, full_name FROM users "
                             "WHERE username = 'driver'")[0]
        self.assertEqual(self.on(index_hits, 'users', 'driver'), [driver[0]])
        STACK.query("INSERT INTO users_fts (users_fts, rowid, email, username, full_name) "
                    "VALUES ('delete', ?, ?, ?, ?)", *driver)
        try:
            got = self.on(index_mismatches)
            self.assertEqual(self.on(index_hits, 'users', 'driver'), [])
            users = STACK.query('SELECT count(*) FROM users')[0][0]
            self.assertEqual(got[0], f'users_fts: {users - 1} rows indexed, users has {users}')
            self.assertRegex(got[1], '^users_fts: integrity-check against users: ')
            self.assertEqual(len(got), 2, got)
        finally:
            STACK.query('INSERT INTO users_fts (rowid, email, username, full_name) '
                        'VALUES (?, ?, ?, ?)', *driver)


# ------------------------------------------------------------------ users

class UserTests(CountedTest):
    def test_a_user_made_moved_and_deleted_on_the_pages(self):
        ids, c = self.ids, self.as_()
        before = self.stored()
        user = self.page_user('counted.page', ids['aarhus'])
        before = self.assertChange(before, {
            **moved([ids['aarhus'], ids['dk'], ids['fleet']], tree_users=1),
            (ids['aarhus'], 'user_count'): 1}, 'a user made in Aarhus')
        self.ok(c.post(f'/users/{user}', form_of('counted.page',
                                                   customer_id=str(ids['se']))))
        before = self.assertChange(before, {
            **moved([ids['aarhus'], ids['dk']], tree_users=-1),
            **moved([ids['se']], tree_users=1, user_count=1),
            (ids['aarhus'], 'user_count'): -1}, 'the user moved from Aarhus to Sweden')
        c.get(f'/users/{user}/delete')
        self.ok(c.post(f'/users/{user}/delete'))
        self.assertEqual(STACK.query('SELECT count(*) FROM users WHERE id = ?', user), [(0,)])
        self.assertChange(before, {**moved([ids['se'], ids['fleet']], tree_users=-1),
                                   (ids['se'], 'user_count'): -1}, 'the user deleted')

    def test_a_user_made_moved_and_deleted_through_the_api(self):
        ids, a = self.ids, api()
        before = self.stored()
        r = self.ok(a.call('POST', '/api/v1/users', {
            'email': 'counted.api@example.test', 'username': 'counted.api',
            'customer_id': ids['dk'], 'password_mode': 'manual', 'password': NEW_PASSWORD,
            'groups': []}), 201)
        user = r.json['id']
        before = self.assertChange(before, {
            **moved([ids['dk'], ids['fleet']], tree_users=1), (ids['dk'], 'user_count'): 1},
            'a user made in Denmark')
        self.ok(a.call('PATCH', f'/api/v1/users/{user}', {'customer_id': ids['aarhus']}), 200)
        before = self.assertChange(before, {
            (ids['dk'], 'user_count'): -1, (ids['aarhus'], 'user_count'): 1,
            (ids['aarhus'], 'tree_users'): 1}, 'the user moved down to Aarhus')
        self.ok(a.call('DELETE', f'/api/v1/users/{user}'), 204)
        self.assertChange(before, {
            **moved([ids['aarhus'], ids['dk'], ids['fleet']], tree_users=-1),
            (ids['aarhus'], 'user_count'): -1}, 'the user deleted')


# ------------------------------------------------------------------ customers

class CustomerTests(CountedTest):
    def build(self):
        """Below Denmark, through pages and API: A > B > C, a location at B and at C, a
        user and a device (at C's location) at C. Checks each step; returns the ids."""
        ids = self.ids
        before = self.stored()
        a = self.page_customer('Counted A', ids['dk'])
        before = self.assertChange(before, moved([a, ids['dk'], ids['fleet']],
                                                 tree_customers=1), 'A made on the page')
        r = self.ok(api().call('POST', '/api/v1/customers', {
            'name': 'Counted B', 'email': 'b@example.test', 'country': 'DK', 'parent_id': a}),
            201)
        b = r.json['id']
        before = self.assertChange(before, moved([b, a, ids['dk'], ids['fleet']],
                                                 tree_customers=1), 'B made through the API')
        c = self.page_customer('Counted C', b)
        chain = [c, b, a, ids['dk'], ids['fleet']]
        before = self.assertChange(before, moved(chain, tree_customers=1), 'C made on the page')
        self.page_location('Counted B yard', b)
        before = self.assertChange(before, {**moved(chain[1:], tree_locations=1),
                                            (b, 'location_count'): 1}, 'a location at B')
        loc_c = self.ok(api().call('POST', '/api/v1/locations', {
            'name': 'Counted C yard', 'customer_id': c}), 201).json['id']
        before = self.assertChange(before, {**moved(chain, tree_locations=1),
                                            (c, 'location_count'): 1}, 'a location at C (API)')
        self.page_user('counted.c', c)
        before = self.assertChange(before, {**moved(chain, tree_users=1), (c, 'user_count'): 1},
                                   'a user at C')
        self.page_device('CNT-C-1', c, loc_c)
        self.assertChange(before, {**moved(chain, tree_devices=1), (c, 'device_count'): 1,
                                   ('location', loc_c): 1}, 'a device at C, at its location')
        return a, b, c

    def test_nested_customers_and_their_rows_count_up_the_tree(self):
        a, b, c = self.build()
        customers, _ = self.stored()
        self.assertEqual([customers[x]['tree_customers'] for x in (a, b, c)], [3, 2, 1])
        self.assertEqual([customers[x]['tree_locations'] for x in (a, b, c)], [2, 2, 1])

    def test_a_moved_subtree_leaves_its_old_ancestors_and_joins_the_new(self):
        ids = self.ids
        a, b, c = self.build()
        # A's subtree (A, B, C; 2 locations, a user, a device) from Denmark to Sweden
        size = {'tree_customers': 3, 'tree_users': 1, 'tree_devices': 1, 'tree_locations': 2}
        before = self.stored()
        self.edit_customer(a, parent_id=str(ids['se']))
        before = self.assertChange(before, {
            **moved([ids['dk']], **{k: -v for k, v in size.items()}),
            **moved([ids['se']], **size)}, 'A moved from Denmark to Sweden on the page')
        # B's (B, C) from below A and Sweden to below Aarhus and Denmark, through the API
        size = dict(size, tree_customers=2)
        self.ok(api().call('PATCH', f'/api/v1/customers/{b}', {'parent_id': ids['aarhus']}), 200)
        before = self.assertChange(before, {
            **moved([a, ids['se']], **{k: -v for k, v in size.items()}),
            **moved([ids['aarhus'], ids['dk']], **size)}, 'B moved under Aarhus (API)')
        # the operator: A, now alone, to another account
        self.edit_customer(a, who='operator', parent_id=str(ids['contoso']))
        before = self.assertChange(before, {
            **moved([ids['se'], ids['fleet']], tree_customers=-1),
            **moved([ids['contoso']], tree_customers=1)}, 'A moved to Contoso Charging')
        # and C (a location, the user, the device) out of every account: an account itself
        size = {'tree_customers': 1, 'tree_users': 1, 'tree_devices': 1, 'tree_locations': 1}
        self.edit_customer(c, who='operator', parent_id='', owner_email='owner@c.example')
        self.assertChange(before, moved([b, ids['aarhus'], ids['dk'], ids['fleet']],
                                        **{k: -v for k, v in size.items()}),
                          'C made an account of its own')
        self.assertEqual(STACK.query('SELECT path FROM customers WHERE id = ?', c), [(f'/{c}/',)])

    def test_an_account_made_by_the_operator_counts_in_no_other(self):
        before = self.stored()
        account = self.page_customer('Counted account', '', who='operator',
                                     owner_email='owner@counted.example')
        before = self.assertChange(before, {(account, 'tree_customers'): 1}, 'an account')
        child = self.page_customer('Counted account child', account, who='operator')
        self.assertChange(before, moved([account, child], tree_customers=1), 'a child of it')

    def test_an_empty_customer_deleted_leaves_its_ancestors(self):
        """The product deletes no customer; the trigger is tried with SQL."""
        ids = self.ids
        leaf = self.page_customer('Counted leaf', ids['aarhus'])
        before = self.stored()
        STACK.query('DELETE FROM customers WHERE id = ?', leaf)
        after = self.assertChange(before, moved([leaf, ids['aarhus'], ids['dk'], ids['fleet']],
                                                tree_customers=-1), 'a leaf deleted')
        self.assertNotIn(leaf, after[0])


# ------------------------------------------------------------------ devices

class DeviceTests(CountedTest):
    def test_devices_registered_and_placed_and_cleared(self):
        ids = self.ids
        depot = self.page_location('Counted depot', ids['aarhus'])
        quay = self.page_location('Counted quay', ids['aarhus'])
        before = self.stored()
        dev = self.page_device('CNT-D-1', ids['aarhus'], depot)
        before = self.assertChange(before, {
            **moved([ids['aarhus'], ids['dk'], ids['fleet']], tree_devices=1),
            (ids['aarhus'], 'device_count'): 1, ('location', depot): 1},
            'a device registered at the depot')
        self.ok(api().call('POST', '/api/v1/devices', {
            'unit_id': 'CNT-D-2', 'name': 'Counted API', 'customer_id': ids['aarhus'],
            'location_id': quay}), 201)
        before = self.assertChange(before, {
            **moved([ids['aarhus'], ids['dk'], ids['fleet']], tree_devices=1),
            (ids['aarhus'], 'device_count'): 1, ('location', quay): 1},
            'a device registered at the quay (API)')
        self.place_device(dev, quay)
        before = self.assertChange(before, {('location', depot): -1, ('location', quay): 1},
                                   'the first device moved to the quay')
        self.place_device(dev, '')
        before = self.assertChange(before, {('location', quay): -1}, 'its location cleared')
        self.place_device(dev, depot)
        self.assertChange(before, {('location', depot): 1}, 'its location set again')

    def test_bulk_moves_on_the_page_and_through_the_api(self):
        ids = self.ids
        depot = self.page_location('Counted bulk depot', ids['aarhus'])
        hub = self.page_location('Counted bulk hub', ids['se'])
        for unit, customer, loc in (('CNT-B-1', 'aarhus', depot), ('CNT-B-2', 'aarhus', ''),
                                    ('CNT-B-3', 'dk', ''), ('CNT-B-4', 'se', hub)):
            self.page_device(unit, ids[customer], loc)
        before = self.stored()
        self.manage(ids['se'], 'CNT-B-1', 'CNT-B-2', 'CNT-B-3', 'CNT-B-4')
        self.assertEqual(STACK.query("SELECT count(*) FROM devices WHERE unit_id LIKE 'CNT-B-%' "
                                     'AND customer_id = ?', ids['se']), [(4,)])
        before = self.assertChange(before, {
            (ids['aarhus'], 'device_count'): -2, (ids['aarhus'], 'tree_devices'): -2,
            (ids['dk'], 'device_count'): -1, (ids['dk'], 'tree_devices'): -3,
            (ids['se'], 'device_count'): 3, (ids['se'], 'tree_devices'): 3,
            ('location', depot): -1}, 'three devices moved to Sweden on the page, '
                                      "one leaving Aarhus's depot, one there already")
        r = self.ok(api().call('POST', '/api/v1/devices/assign', {
            'customer_id': ids['aarhus'], 'ids': ['CNT-B-1', 'CNT-B-4', 'CNT-B-3']}), 200)
        self.assertEqual(len(r.json['moved']), 3, r.json)
        self.assertChange(before, {
            (ids['se'], 'device_count'): -3, (ids['se'], 'tree_devices'): -3,
            (ids['aarhus'], 'device_count'): 3, (ids['aarhus'], 'tree_devices'): 3,
            (ids['dk'], 'tree_devices'): 3, ('location', hub): -1},
            'three devices moved to Aarhus through the API, one leaving the hub')


# ------------------------------------------------------------------ locations

class LocationTests(CountedTest):
    def test_a_location_made_moved_and_deleted(self):
        ids = self.ids
        before = self.stored()
        loc = self.page_location('Counted gate', ids['aarhus'])
        before = self.assertChange(before, {
            **moved([ids['aarhus'], ids['dk'], ids['fleet']], tree_locations=1),
            (ids['aarhus'], 'location_count'): 1}, 'a location made at Aarhus')
        self.ok(self.as_().post(f'/locations/{loc}', {'name': 'Counted gate',
                                                           'customer_id': ids['se']}))
        self.assertChange(before, {
            **moved([ids['aarhus'], ids['dk']], tree_locations=-1),
            **moved([ids['se']], tree_locations=1, location_count=1),
            (ids['aarhus'], 'location_count'): -1}, 'the location moved to Sweden')
        self.page_device('CNT-L-1', ids['se'], loc)
        self.page_device('CNT-L-2', ids['se'], loc)
        before = self.stored()
        self.as_().get(f'/locations/{loc}/delete')
        self.ok(self.as_().post(f'/locations/{loc}/delete'))
        self.assertEqual(STACK.query("SELECT location_id FROM devices WHERE unit_id LIKE "
                                     "'CNT-L-%'"), [(None,), (None,)])
        self.assertChange(before, {**moved([ids['se'], ids['fleet']], tree_locations=-1),
                                   (ids['se'], 'location_count'): -1, ('location', loc): -2},
                          'the location deleted, its devices detached')

    def test_a_moved_location_keeps_nothing_of_its_old_customer(self):
        """A location given to another customer (Aarhus's to Sweden) while a device and a
        user of Aarhus are at it: whatever the product makes of it (refusing the move,
        detaching them, or moving them along), no device is left at a location of
        another customer, no user at one outside their customer's subtree (the rules
        of the device and user forms), and the device's form shows the location the
        device is at (saving a form that cannot show it drops the location unasked).
        Found while writing the test above, when the move was saved and both stayed;
        now it is refused, naming what uses the location."""
        ids = self.ids
        loc = self.page_location('Counted shared gate', ids['aarhus'])
        dev = self.page_device('CNT-S-1', ids['aarhus'], loc)
        user = self.page_user('counted.gate', ids['aarhus'])
        self.ok(self.as_().post(f'/users/{user}', form_of('counted.gate',
                                                            location=[str(loc)])))
        self.assertEqual(STACK.query('SELECT location_id FROM user_locations WHERE user_id = ?',
                                     user), [(loc,)])
        r = self.as_().post(f'/locations/{loc}', {'name': 'Counted shared gate',
                                                  'customer_id': ids['se']})
        self.assertEqual(r.status, 400)
        self.assertIn('1 device and 1 user of other customers use this location',
                      field_error(r.text, 'customer_id'))
        self.assertCounted(f'after the move ({r.status})')
        stranded = {
            'devices': STACK.query('SELECT d.unit_id, l.name FROM devices d JOIN locations l '
                                   'ON l.id = d.location_id WHERE l.customer_id != '
                                   'd.customer_id'),
            'users': STACK.query('SELECT u.username, l.name FROM user_locations ul JOIN users '
                                 'u ON u.id = ul.user_id JOIN customers uc ON uc.id = '
                                 'u.customer_id JOIN locations l ON l.id = ul.location_id '
                                 'JOIN customers lc ON lc.id = l.customer_id WHERE '
                                 'substr(lc.path, 1, length(uc.path)) != uc.path')}
        shown = selected_option(self.ok(self.as_().get(f'/devices/{dev}/edit'), 200).text,
                                'location_id')
        at = STACK.query('SELECT location_id FROM devices WHERE id = ?', dev)[0][0]
        self.assertEqual((stranded, shown or ''), ({'devices': [], 'users': []}, str(at or '')),
                         f'the move answered {r.status}; stranded rows, and the location '
                         "the device's form shows and the one it is at")


# ------------------------------------------------------------------ search

class SearchTests(CountedTest):
    """A renamed row is found by its new name and no longer by its old one, on the
    list pages and in the index itself (where the list's LIKE cannot hide a stale
    entry)."""

    def assertRenamed(self, table, path, rows, row_id, old, new, rename):
        self.assertIn(row_id, self.found(path, old, rows), f'{old} before the rename')
        self.assertEqual(self.on(index_hits, table, new), [], f'{new} before the rename')
        rename()
        self.assertCounted(f'{table} {row_id} renamed')
        self.assertNotIn(row_id, self.found(path, old, rows), old)
        self.assertIn(row_id, self.found(path, new, rows), new)
        self.assertNotIn(row_id, self.on(index_hits, table, old))
        self.assertEqual(self.on(index_hits, table, new), [row_id])

    def test_renamed_rows_are_found_by_their_new_names_only(self):
        ids, c = self.ids, self.as_()
        user = self.page_user('obsidian.marlow', ids['aarhus'], full_name='Obsidian Marlow')
        self.assertRenamed('users', '/users', user_ids, user, 'Obsidian', 'Zephyrine',
                           lambda: self.ok(c.post(f'/users/{user}', form_of(
                               'obsidian.marlow', full_name='Zephyrine Quasar',
                               username='zephyrine.q', email='zq@example.test'))))
        self.assertEqual(self.found('/users', 'obsidian.marlow', user_ids), [])
        customer = self.page_customer('Obsidian Freight', ids['dk'])
        self.assertRenamed('customers', '/customers', customer_ids, customer, 'Obsidian',
                           'Zephyrine', lambda: self.edit_customer(customer,
                                                                   name='Zephyrine Freight'))
        loc = self.page_location('Obsidian Wharf', ids['aarhus'])
        self.assertRenamed('locations', '/locations', location_ids, loc, 'Obsidian',
                           'Zephyrine', lambda: self.ok(c.post(f'/locations/{loc}', {
                               'name': 'Zephyrine Wharf', 'customer_id': ids['aarhus']})))
        dev = self.page_device('OBS-1', ids['aarhus'])
        self.assertRenamed('devices', '/devices', device_ids, dev, 'Counted OBS',
                           'Zephyrine van', lambda: self.ok(c.post(f'/devices/{dev}/edit', {
                               'name': 'Zephyrine van', 'vehicle_name': '', 'vin': '',
                               'location_id': ''})))


# ------------------------------------------------------------------ bench-data

class BenchDataTests(CountedTest):
    """arborctl bench-data with the stack running: after it the counters and indexes
    are the rows', the schema (triggers included, and on PostgreSQL enabled again)
    is schema.sql's (schema-pg.sql's), and a change made after it is counted and
    found. SQLite's planner statistics it leaves are dropped again."""

    def tearDown(self):
        # PostgreSQL's statistics are its own (and its autovacuum analyzes anyway)
        for stat in ('sqlite_stat1', 'sqlite_stat4') if not on_postgresql() else ():
            STACK.query(f'DROP TABLE IF EXISTS {stat}')
        missing = self.on(add_missing_triggers)
        super().tearDown()
        self.assertEqual(missing, [], 'triggers that bench-data left out')

    def bench(self, *args, added):
        before = row_counts()
        STACK.arborctl('bench-data', *args)
        self.assertEqual({t: n - before[t] for t, n in row_counts().items()}, added)
        self.assertCounted(f'after bench-data {" ".join(args)}')
        self.assertEqual(self.on(schema_differences), [], 'the schema (triggers too) is '
                         "schema.sql's again")

    def test_customers_and_users_then_a_change_is_counted_and_found(self):
        ids = self.ids
        self.bench('--customers', '12', '--users', '60',
                   added={'customers': 12, 'users': 60, 'devices': 0, 'locations': 0})
        spread = STACK.query('SELECT count(DISTINCT customer_id) FROM users WHERE id > ?',
                             self.since['users'])[0][0]
        self.assertGreater(spread, 1, 'the users should spread over the customers')
        newest = STACK.query('SELECT max(id) FROM customers')[0][0]
        before = self.stored()
        customer = self.page_customer('Vexquoll Haulage', newest)
        chain = [customer] + [int(x) for x in STACK.query(
            'SELECT path FROM customers WHERE id = ?', newest)[0][0].strip('/').split('/')]
        before = self.assertChange(before, moved(chain, tree_customers=1),
                                   'a customer made below the newest bench customer')
        user = self.page_user('vexquoll.user', customer, full_name='Vexquoll Lindqvist')
        self.assertChange(before, {**moved(chain, tree_users=1), (customer, 'user_count'): 1},
                          'a user made there')
        self.assertEqual(self.found('/users', 'Vexquoll', user_ids), [user])
        self.assertEqual(self.found('/customers', 'Vexquoll', customer_ids), [customer])
        # the unfiltered list counts from the counters: every user of the account
        self.assertEqual(list_count(self.as_().get('/users').text),
                         f'{self.stored()[0][ids["fleet"]]["tree_users"]} users')

    def test_devices_only_then_a_change_is_counted_and_found(self):
        ids = self.ids
        self.bench('--customers', '0', '--users', '0', '--devices', '90',
                   added={'customers': 0, 'users': 0, 'devices': 90, 'locations': 0})
        self.assertEqual(self.stored()[0][ids['fleet']]['tree_devices'],
                         self.found_counters[0][ids['fleet']]['tree_devices'] + 90)
        loc = self.page_location('Vexquoll yard', ids['se'])
        before = self.stored()
        dev = self.page_device('VEXQUOLL-1', ids['se'], loc)
        self.assertChange(before, {**moved([ids['se'], ids['fleet']], tree_devices=1),
                                   (ids['se'], 'device_count'): 1, ('location', loc): 1},
                          'a device registered after bench-data')
        self.assertEqual(self.found('/devices', 'VEXQUOLL', device_ids), [dev])
        self.assertEqual(self.found('/locations', 'Vexquoll', location_ids), [loc])
