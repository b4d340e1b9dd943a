"""Locations tab: the subtree's locations, filter, search, sort, paging, create and edit.

One demo Stack serves the module. setUpModule gives every demo customer a
location named "<customer> depot" and adds users (same password as the demo users):

  fm.se        Northwind Sweden    Fleet Management only
  nca.dk       Northwind Denmark   Nested Customer Administrator only (no locations)
  aa.aarhus    Aarhus              Account Administrator
  many.fm      "Many Locations"    Fleet Management (an account with 60 locations)

dk.admin (Account Administrator of Northwind Denmark), admin, contoso.admin and
driver are the demo users.
"""
import html
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures import (AA, FM, NCA, STACK, PageTest, client, control,  # noqa: E402
                      customer_ids, field_error, make_customer, make_location, make_user,
                      option_values, selected_option, start_stack)

IDS = {}          # customer name -> id
LOC = {}          # customer name -> id of its "<name> depot" location

MANY = 60


def setUpModule():
    start_stack()
    make_customer('Many Locations', None, email='many@example.com')
    IDS.update(customer_ids())
    for name in IDS:
        if name != 'Many Locations':
            LOC[name] = make_location(f'{name} depot', name)
    for i in range(MANY):
        make_location(f'Site {i:02d}', 'Many Locations')
    for username, customer, groups in (('fm.se', 'Northwind Sweden', FM),
                                       ('nca.dk', 'Northwind Denmark', NCA),
                                       ('aa.aarhus', 'Aarhus', AA),
                                       ('many.fm', 'Many Locations', FM)):
        make_user(username, customer, groups)
    # two users of Aarhus at its depot, one user of Denmark
    for username, loc in (('driver', 'Aarhus'), ('aa.aarhus', 'Aarhus'),
                          ('dk.admin', 'Northwind Denmark')):
        STACK.query('INSERT INTO user_locations (user_id, location_id) SELECT id, ? '
                    'FROM users WHERE username = ?', LOC[loc], username)


def locations_table():
    return STACK.query('SELECT * FROM locations ORDER BY id')


def location(lid):
    rows = STACK.query('SELECT name, customer_id FROM locations WHERE id = ?', lid)
    return rows[0] if rows else None


def list_rows(text):
    """[(id, name, customer path, users)] of the locations table."""
    rows = re.findall(r'<th scope="row"><a href="/locations/(\d+)">(.*?)</a></th>\s*'
                      r'<td>(?:<a href="[^"]*">)?(.*?)(?:</a>)?</td>\s*'
                      r'<td class="num">(\d+)</td>', text, re.S)
    return [(int(i), html.unescape(n), html.unescape(c), int(u)) for i, n, c, u in rows]


def visible_location_ids(customer):
    path = STACK.query('SELECT path FROM customers WHERE id = ?', IDS[customer])[0][0]
    return {r[0] for r in STACK.query(
        'SELECT l.id FROM locations l JOIN customers c ON c.id = l.customer_id '
        'WHERE substr(c.path, 1, ?) = ?', len(path), path)}


def of_customer(name):
    """The ids of the locations of one customer."""
    return {r[0] for r in STACK.query('SELECT id FROM locations WHERE customer_id = ?',
                                      IDS[name])}


class LocationsTest(PageTest):
    """The Locations tab's pages."""


class ListTests(LocationsTest):
    def test_account_administrator_sees_the_locations_of_the_subtree_only(self):
        """dk.admin: Denmark's and Aarhus's locations, paths from Denmark, nothing above or beside."""
        r = client('dk.admin').get('/locations')
        self.assertPage(r)
        rows = list_rows(r.text)
        self.assertEqual({x[0] for x in rows}, visible_location_ids('Northwind Denmark'))
        self.assertIn(LOC['Aarhus'], {x[0] for x in rows})
        for hidden in ('Northwind Fleet', 'Northwind Sweden', 'Contoso'):
            self.assertNotIn(hidden, r.text)
        self.assertIn((LOC['Aarhus'], 'Aarhus depot', 'Northwind Denmark › Aarhus', 2), rows)
        self.assertIn(f'{len(rows)} locations', r.text)

    def test_admin_and_other_account(self):
        """admin sees every Northwind location; contoso.admin only Contoso's."""
        rows = list_rows(client('admin').get('/locations').text)
        self.assertEqual({x[0] for x in rows}, visible_location_ids('Northwind Fleet'))
        r = client('contoso.admin').get('/locations')
        self.assertEqual({x[0] for x in list_rows(r.text)}, visible_location_ids('Contoso Charging'))
        self.assertNotIn('Northwind', r.text)

    def test_users_count_only_counts_users_in_the_scope(self):
        """Aarhus depot: 2 users for admin and dk.admin; aa.aarhus sees the same 2 (both in Aarhus)."""
        for username in ('admin', 'dk.admin', 'aa.aarhus'):
            rows = {x[0]: x[3] for x in list_rows(client(username).get('/locations').text)}
            self.assertEqual(rows[LOC['Aarhus']], 2, username)
        # Denmark's depot has dk.admin (a Denmark user): aa.aarhus cannot see it at all
        rows = {x[0]: x[3] for x in list_rows(client('aa.aarhus').get('/locations').text)}
        self.assertNotIn(LOC['Northwind Denmark'], rows)

    def test_filter_by_customer(self):
        """customer_id filters to that customer; a hidden customer's id is 404, like a missing one."""
        c = client('dk.admin')
        r = c.get(f'/locations?customer_id={IDS["Aarhus"]}')
        self.assertPage(r)
        self.assertEqual({x[0] for x in list_rows(r.text)}, of_customer('Aarhus'))
        self.assertIn(LOC['Aarhus'], of_customer('Aarhus'))
        self.assertEqual(selected_option(r.text, 'customer_id'), str(IDS['Aarhus']))
        filter_ids = {int(v) for v in option_values(r.text, 'customer_id') if v}
        self.assertEqual(filter_ids, {IDS['Northwind Denmark'], IDS['Aarhus']})
        missing = STACK.query('SELECT max(id) + 1000 FROM customers')[0][0]
        nowhere = c.get(f'/locations?customer_id={missing}')
        self.assertEqual(nowhere.status, 404, nowhere)
        for hidden in ('Northwind Sweden', 'Northwind Fleet', 'Contoso Charging'):
            r = c.get(f'/locations?customer_id={IDS[hidden]}')
            self.assertEqual(r.status, 404, r)
            self.assertEqual(r.stable_text, nowhere.stable_text, hidden)
            self.assertNotIn(hidden, r.text)

    def test_search_by_location_or_customer_name(self):
        """q matches the location's or the customer's name; % is literal."""
        c = client('admin')
        self.assertEqual({x[0] for x in list_rows(c.get('/locations?q=SWEDEN').text)},
                         of_customer('Northwind Sweden'))
        by_name = {r[0] for r in STACK.query("SELECT id FROM locations WHERE name = 'Aarhus depot'")}
        self.assertIn(LOC['Aarhus'], by_name)
        self.assertEqual({x[0] for x in list_rows(c.get('/locations?q=aarhus+dep').text)},
                         by_name)
        r = c.get('/locations?q=%25')
        self.assertEqual(list_rows(r.text), [])
        self.assertIn('No location matches', r.text)
        self.assertEqual(list_rows(c.get('/locations?q=Contoso').text), [])

    def test_sort_and_pagination(self):
        """60 locations: 50 then 10, sorted by name either way; users and customer sorts work."""
        c = client('many.fm')
        r = c.get('/locations?sort=name&dir=desc')
        self.assertPage(r)
        self.assertIn('60 locations', r.text)
        names = [x[1] for x in list_rows(r.text)]
        self.assertEqual(names, [f'Site {i:02d}' for i in range(59, 9, -1)])
        self.assertIn('aria-sort="descending"', r.text)
        nxt = re.search(r'<a href="([^"]+)" rel="next">', r.text)
        r2 = c.get(html.unescape(nxt.group(1)))
        self.assertEqual([x[1] for x in list_rows(r2.text)],
                         [f'Site {i:02d}' for i in range(9, -1, -1)])
        self.assertNotIn('rel="next"', r2.text)
        rows = list_rows(client('admin').get('/locations?sort=users&dir=desc').text)
        self.assertEqual([x[3] for x in rows], sorted((x[3] for x in rows), reverse=True))
        rows = list_rows(client('admin').get('/locations?sort=customer&dir=asc').text)
        customers = [x[2].split(' › ')[-1].lower() for x in rows]
        self.assertEqual(customers, sorted(customers))


class CreateEditTests(LocationsTest):
    def test_form_is_labelled_and_offers_the_subtree(self):
        """GET /locations/new (dk.admin): name and customer_id with labels; customers = subtree."""
        r = client('dk.admin').get('/locations/new')
        self.assertPage(r)
        self.assertIn('<label for="name">', r.text)
        self.assertIn('<label for="customer_id">', r.text)
        self.assertEqual({int(v) for v in option_values(r.text, 'customer_id') if v},
                         {IDS['Northwind Denmark'], IDS['Aarhus']})
        self.assertEqual(selected_option(r.text, 'customer_id'), str(IDS['Northwind Denmark']))

    def test_create_redirects_to_the_list_with_a_flash(self):
        """POST /locations/new: 303 to /locations, flash with the name, row in the database."""
        c = client('dk.admin')
        r = c.post('/locations/new', {'name': 'Aarhus harbour', 'customer_id': str(IDS['Aarhus'])})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.location, '/locations')
        r = c.get('/locations')
        m = re.search(r'<p class="flash"[^>]*>(.*?)</p>', r.text, re.S)
        self.assertIsNotNone(m)
        self.assertIn('Aarhus harbour', html.unescape(m.group(1)))
        rows = STACK.query('SELECT customer_id FROM locations WHERE name = ?', 'Aarhus harbour')
        self.assertEqual(rows, [(IDS['Aarhus'],)])
        self.assertIn('Aarhus harbour', [x[1] for x in list_rows(r.text)])

    def test_duplicate_name_is_an_error_next_to_the_field(self):
        """Same name for the same customer: 400, error at name, input kept; another customer may."""
        c = client('dk.admin')
        before = locations_table()
        r = c.post('/locations/new', {'name': 'Aarhus depot', 'customer_id': str(IDS['Aarhus'])})
        self.assertPage(r, 400)
        self.assertIn('already', field_error(r.text, 'name'))
        self.assertIn('has-error', re.search(r'<div class="field[^"]*">\s*<label for="name">',
                                             r.text).group(0))
        self.assertEqual(control(r.text, 'name').get('value'), 'Aarhus depot')
        self.assertEqual(selected_option(r.text, 'customer_id'), str(IDS['Aarhus']))
        self.assertEqual(locations_table(), before)
        r = c.post('/locations/new', {'name': 'Aarhus depot',
                                      'customer_id': str(IDS['Northwind Denmark'])})
        self.assertEqual(r.status, 303, r)
        # renaming onto an existing name is refused the same way
        lid = STACK.query("SELECT id FROM locations WHERE name = 'Aarhus depot' AND "
                          "customer_id = ?", IDS['Northwind Denmark'])[0][0]
        r = c.post(f'/locations/{lid}', {'name': 'Northwind Denmark depot',
                                         'customer_id': str(IDS['Northwind Denmark'])})
        self.assertPage(r, 400)
        self.assertTrue(field_error(r.text, 'name'))
        self.assertEqual(location(lid), ('Aarhus depot', IDS['Northwind Denmark']))

    def test_validation_errors(self):
        """Empty, too long or multi-line name; missing or malformed customer: 400 at the field."""
        c = client('dk.admin')
        before = locations_table()
        cases = [('name', {'name': '', 'customer_id': str(IDS['Aarhus'])}),
                 ('name', {'name': '   ', 'customer_id': str(IDS['Aarhus'])}),
                 ('name', {'name': 'x' * 201, 'customer_id': str(IDS['Aarhus'])}),
                 ('name', {'name': 'a\r\nb', 'customer_id': str(IDS['Aarhus'])}),
                 ('customer_id', {'name': 'Fine'}),
                 ('customer_id', {'name': 'Fine', 'customer_id': 'x'})]
        for field, form in cases:
            with self.subTest(form=form):
                r = c.post('/locations/new', form)
                self.assertPage(r, 400)
                self.assertTrue(field_error(r.text, field))
                self.assertEqual(re.findall(r'<p class="error" id="([^"]+)-error">', r.text),
                                 [field])
        r = c.post('/locations/new', {'name': 'x' * 200, 'customer_id': str(IDS['Aarhus'])})
        self.assertEqual(r.status, 303, r)
        STACK.query('DELETE FROM locations WHERE name = ?', 'x' * 200)
        self.assertEqual(locations_table(), before)

    def test_customer_outside_the_subtree_is_refused(self):
        """dk.admin creating for Fleet, Sweden, Contoso or a missing id: one error, nothing made."""
        c = client('dk.admin')
        before = locations_table()
        messages = set()
        for cid in (IDS['Northwind Fleet'], IDS['Northwind Sweden'], IDS['Contoso Charging'],
                    999999):
            r = c.post('/locations/new', {'name': 'Sneaky', 'customer_id': str(cid)})
            self.assertPage(r, 400)
            messages.add(field_error(r.text, 'customer_id'))
        self.assertEqual(len(messages), 1, messages)
        # nor can an own location be handed to a customer outside
        for cid in (IDS['Northwind Sweden'], IDS['Contoso Charging']):
            r = c.post(f'/locations/{LOC["Aarhus"]}', {'name': 'Aarhus depot',
                                                       'customer_id': str(cid)})
            self.assertPage(r, 400)
        self.assertEqual(locations_table(), before)

    def test_edit_renames_and_moves_within_the_subtree(self):
        """GET shows the location; POST renames it and gives it to another visible customer."""
        c = client('dk.admin')
        r = c.post('/locations/new', {'name': 'Movable', 'customer_id': str(IDS['Aarhus'])})
        lid = STACK.query("SELECT id FROM locations WHERE name = 'Movable'")[0][0]
        r = c.get(f'/locations/{lid}')
        self.assertPage(r)
        self.assertIn('<h1>Movable</h1>', r.text)
        self.assertEqual(control(r.text, 'name').get('value'), 'Movable')
        self.assertEqual(selected_option(r.text, 'customer_id'), str(IDS['Aarhus']))
        r = c.post(f'/locations/{lid}', {'name': 'Moved',
                                         'customer_id': str(IDS['Northwind Denmark'])})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(location(lid), ('Moved', IDS['Northwind Denmark']))
        m = re.search(r'<p class="flash"[^>]*>(.*?)</p>', c.get('/locations').text, re.S)
        self.assertIn('Moved', html.unescape(m.group(1)))

    def test_missing_csrf_token_is_403_and_nothing_changes(self):
        """POST /locations/new and /locations/{id} without csrf_token: 403, nothing changed."""
        before = locations_table()
        c = client('dk.admin')
        r = c.post('/locations/new', {'name': 'No token', 'customer_id': str(IDS['Aarhus'])},
                   csrf=False)
        self.assertEqual(r.status, 403, r)
        r = c.post(f'/locations/{LOC["Aarhus"]}', {'name': 'No token',
                                                   'customer_id': str(IDS['Aarhus'])}, csrf=False)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(locations_table(), before)


class CrossTenantTests(LocationsTest):
    def test_locations_above_and_beside_answer_404_and_change_nothing(self):
        """Child, grandchild, sibling, other account: GET and POST on foreign locations → 404."""
        matrix = {
            'dk.admin': ['Northwind Fleet', 'Northwind Sweden', 'Contoso Charging'],
            'aa.aarhus': ['Northwind Fleet', 'Northwind Denmark', 'Northwind Sweden',
                          'Contoso Charging'],
            'fm.se': ['Northwind Fleet', 'Northwind Denmark', 'Aarhus', 'Contoso Charging'],
            'contoso.admin': ['Northwind Fleet', 'Northwind Denmark', 'Aarhus',
                              'Northwind Sweden'],
        }
        before = locations_table()
        for username, names in matrix.items():
            c = client(username)
            c.get('/accounts')  # take any flash left by an earlier test
            ref = c.get('/locations/999999')
            self.assertPage(ref, 404)
            own = STACK.query('SELECT customer_id FROM users WHERE username = ?', username)[0][0]
            for name in names:
                lid = LOC[name]
                with self.subTest(user=username, target=name):
                    r = c.get(f'/locations/{lid}')
                    self.assertEqual(r.status, 404, r)
                    self.assertNotIn(f'{name} depot', r.text)
                    self.assertEqual(r.stable_text, ref.stable_text,
                                     'a hidden id looks like a missing one')
                    for form in ({'name': 'HACKED', 'customer_id': str(own)},
                                 {'name': 'HACKED', 'customer_id': str(IDS[name])},
                                 {'name': ''}):
                        self.assertEqual(c.post(f'/locations/{lid}', form).status, 404)
        self.assertEqual(locations_table(), before)


class GroupTests(LocationsTest):
    def test_refused_without_account_administrator_or_fleet_management(self):
        """driver, se.user (FDA), nca.dk (NCA only): 403 on every locations route; nothing made."""
        before = locations_table()
        for username in ('driver', 'se.user', 'nca.dk'):
            c = client(username)
            for path in ('/locations', '/locations/new', f'/locations/{LOC["Aarhus"]}'):
                with self.subTest(user=username, path=path):
                    self.assertEqual(c.get(path).status, 403)
            for path in ('/locations/new', f'/locations/{LOC["Aarhus"]}'):
                r = c.post(path, {'name': 'Nope', 'customer_id': str(IDS['Aarhus'])})
                self.assertEqual(r.status, 403, r)
            self.assertNotIn('href="/locations"', c.get('/accounts').text)
        self.assertEqual(locations_table(), before)

    def test_fleet_management_alone_is_enough(self):
        """fm.se (Fleet Management only): the tab, the list and creating a location."""
        c = client('fm.se')
        r = c.get('/locations')
        self.assertPage(r)
        self.assertIn('<a href="/locations" aria-current="page">Locations</a>', r.text)
        self.assertEqual({x[0] for x in list_rows(r.text)}, visible_location_ids('Northwind Sweden'))
        r = c.post('/locations/new', {'name': 'Malmo yard',
                                      'customer_id': str(IDS['Northwind Sweden'])})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(STACK.query("SELECT customer_id FROM locations WHERE name = 'Malmo yard'"),
                         [(IDS['Northwind Sweden'],)])
        # without Nested Customer Administrator, the customer is plain text, not a link
        self.assertNotIn('href="/customers/', c.get('/locations').text)


if __name__ == '__main__':
    unittest.main(verbosity=2)
