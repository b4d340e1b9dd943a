"""Issue 13, rough edges of the AutoPi tabs: deleting locations, names unique
ignoring case (locations per customer, nested customers per parent), API
tokens (post/redirect/get, revoke confirmation, unique names, expiry); the
customer page's links and "Create user here".

One demo Stack serves the module. setUpModule adds:

  fm.dk      Northwind Denmark   Fleet Management only
  dm.dk      Northwind Denmark   Device Management only (no Locations tab)
  nca.dk     Northwind Denmark   Nested Customer Administrator only

and its own locations and devices per test, so that each test deletes
what it made.
"""
import os
import re
import datetime
import sqlite3
import subprocess
import sys
import unittest
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arbor_stack import ROOT, on_postgresql  # noqa: E402
from fixtures import (DM, FM, NCA, STACK, Api, PageTest, cid, client, field_error,  # noqa: E402
                      last_event_id, logged_in, make_customer, make_device, make_location, make_user,
                      new_token, selected_option, start_stack, tables, uid)


def setUpModule():
    start_stack()
    make_user('fm.dk', 'Northwind Denmark', FM)
    make_user('dm.dk', 'Northwind Denmark', DM)
    make_user('nca.dk', 'Northwind Denmark', NCA)


def flash(text):
    m = re.search(r'class="flash[^"]*"[^>]*>(.*?)<', text, re.S)
    return m.group(1).strip() if m else None


def customer_form(name, parent, email='branch@example.com'):
    return {'name': name, 'email': email, 'country': 'DK', 'time_zone': 'UTC',
            'time_format': '24h', 'units': 'metric', 'parent_id': str(parent)}


class LocationDeleteTests(PageTest):
    """GET/POST /locations/{id}/delete."""

    def setUp(self):
        self.loc = make_location(f'Yard {self._testMethodName}', 'Aarhus')
        self.other = make_location(f'Other {self._testMethodName}', 'Aarhus')
        # driver: this location and another; two new users: this one only
        self.only = [make_user(f'only{i}.{self._testMethodName[-12:]}', 'Aarhus',
                               locations=[self.loc]) for i in range(2)]
        for user in ('driver',):
            STACK.query('INSERT INTO user_locations (user_id, location_id) VALUES (?, ?)',
                        uid(user), self.loc)
        STACK.query('INSERT INTO user_locations (user_id, location_id) VALUES (?, ?)',
                    uid('driver'), self.other)
        self.devices = [make_device(f'DEL-{self.loc}-{i}', 'Aarhus', self.loc)[0]
                        for i in range(3)]

    def test_confirmation_counts_what_it_detaches(self):
        """The page names the location and counts 3 users (2 left with none) and 3 devices."""
        for username in ('dk.admin', 'fm.dk', 'admin'):
            r = client(username).get(f'/locations/{self.loc}/delete')
            self.assertPage(r)
            self.assertIn(f'Delete location Yard {self._testMethodName}?', r.text)
            self.assertIn('<dd id="detach-users">3</dd>', r.text)
            self.assertIn('<dd id="detach-devices">3</dd>', r.text)
            self.assertIn('detaches 3 users and 3 devices', r.text)
            self.assertIn('2 of these users have no other location', r.text)
            self.assertIn(f'action="/locations/{self.loc}/delete"', r.text)
        # the edit page links to it
        r = client('dk.admin').get(f'/locations/{self.loc}')
        self.assertIn(f'href="/locations/{self.loc}/delete"', r.text)
        # nothing happened
        self.assertEqual(STACK.query('SELECT count(*) FROM locations WHERE id = ?',
                                     self.loc)[0][0], 1)

    def test_an_empty_location_says_none(self):
        r = client('dk.admin').get(f'/locations/{self.other}/delete')
        self.assertPage(r)
        self.assertIn('detaches 1 user and 0 devices', r.text)
        self.assertNotIn('detach-last', r.text)

    def test_post_deletes_detaches_and_logs(self):
        before = last_event_id()
        r = client('fm.dk').post(f'/locations/{self.loc}/delete')
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.location, '/locations')
        page = client('fm.dk').get('/locations')
        self.assertIn(f'Location “Yard {self._testMethodName}” was deleted: 3 users and '
                      '3 devices detached.', page.text)
        self.assertEqual(STACK.query('SELECT count(*) FROM locations WHERE id = ?',
                                     self.loc), [(0,)])
        self.assertEqual(STACK.query('SELECT count(*) FROM user_locations WHERE location_id = ?',
                                     self.loc), [(0,)])
        # driver keeps the other location; the devices stay, with no location
        kept = {r[0] for r in STACK.query('SELECT location_id FROM user_locations '
                                          'WHERE user_id = ?', uid('driver'))}
        self.assertIn(self.other, kept)
        self.assertNotIn(self.loc, kept)
        for device in self.devices:
            self.assertEqual(STACK.query('SELECT location_id, customer_id FROM devices '
                                         'WHERE id = ?', device), [(None, cid('Aarhus'))])
        kinds = STACK.query('SELECT kind, actor_id, detail FROM events WHERE id > ?', before)
        self.assertIn(('location_deleted', uid('fm.dk'),
                       f'location {self.loc} “Yard {self._testMethodName}” of customer '
                       f'{cid("Aarhus")}: 3 users, 3 devices detached'), kinds)
        # a second POST: gone, 404
        self.assertEqual(client('fm.dk').post(f'/locations/{self.loc}/delete').status, 404)

    def test_refusals_change_nothing(self):
        """Outside the view 404 (GET and POST, like a missing id); without the group 403;
        without a CSRF token 403."""
        before = tables('locations', 'user_locations', 'devices')
        sweden = make_location('Sweden yard', 'Northwind Sweden')
        missing = STACK.query('SELECT max(id) + 1000 FROM locations')[0][0]
        c = client('dk.admin')
        nowhere = c.get(f'/locations/{missing}/delete')
        self.assertEqual(nowhere.status, 404)
        for loc, who in ((sweden, 'dk.admin'), (self.loc, 'contoso.admin'),
                         (self.loc, 'se.user')):
            for method in ('get', 'post'):
                r = getattr(client(who), method)(f'/locations/{loc}/delete')
                want = 403 if who == 'se.user' else 404
                self.assertEqual(r.status, want, (who, method, r))
        for who in ('dm.dk', 'driver'):
            self.assertEqual(client(who).get(f'/locations/{self.loc}/delete').status, 403)
            self.assertEqual(client(who).post(f'/locations/{self.loc}/delete').status, 403)
        self.assertEqual(c.post(f'/locations/{self.loc}/delete', csrf=False).status, 403)
        self.assertEqual(c.post(f'/locations/{self.loc}/delete', csrf='x' * 43).status, 403)
        STACK.query('DELETE FROM locations WHERE id = ?', sweden)
        self.assertEqual(tables('locations', 'user_locations', 'devices'), before)


class LocationNameCaseTests(PageTest):
    """A customer's location names are unique ignoring case: the model's 409, on the
    page the form again (400) with the error next to the name."""

    def test_page_and_api_refuse_a_name_differing_in_case(self):
        make_location('Harbour Gate', 'Aarhus')
        before = tables('locations')
        c = client('dk.admin')
        for name in ('harbour gate', 'HARBOUR GATE', 'Harbour Gate'):
            r = c.post('/locations/new', {'name': name, 'customer_id': cid('Aarhus')})
            self.assertPage(r, 400)
            self.assertIn('already has a location with this name', field_error(r.text, 'name'))
            self.assertIn(f'value="{name}"', r.text)
        # the same name at another customer is fine
        r = c.post('/locations/new', {'name': 'harbour gate',
                                      'customer_id': cid('Northwind Denmark')})
        self.assertEqual(r.status, 303, r)
        STACK.query("DELETE FROM locations WHERE name = 'harbour gate'")
        # renaming another location onto it
        other = make_location('Quay', 'Aarhus')
        r = c.post(f'/locations/{other}', {'name': 'HARBOUR gate', 'customer_id': cid('Aarhus')})
        self.assertPage(r, 400)
        self.assertIsNotNone(field_error(r.text, 'name'))
        # a change of case of its own name is a rename, not a clash
        r = c.post(f'/locations/{other}', {'name': 'QUAY', 'customer_id': cid('Aarhus')})
        self.assertEqual(r.status, 303, r)
        STACK.query('DELETE FROM locations WHERE id = ?', other)
        self.assertEqual(tables('locations'), before)

    def test_the_database_refuses_a_case_duplicate(self):
        """Below the model's check, the database's own unique index refuses a location
        name differing only in case at one customer; at another customer it is fine."""
        make_location('Grain Silo', 'Aarhus')
        con = STACK.db()
        try:
            insert = ('INSERT INTO locations (customer_id, name, created_at, updated_at) '
                      'VALUES (?, ?, 0, 0)')
            with self.assertRaises(con.IntegrityError):
                con.execute(insert, (cid('Aarhus'), 'GRAIN silo'))
            con.execute(insert, (cid('Northwind Denmark'), 'GRAIN silo'))
        finally:
            con.close()
        self.assertEqual(STACK.query("SELECT c.name, l.name FROM locations l JOIN customers c "
                                     "ON c.id = l.customer_id WHERE lower(l.name) = 'grain silo' "
                                     'ORDER BY c.name'),
                         [('Aarhus', 'Grain Silo'), ('Northwind Denmark', 'GRAIN silo')])
        STACK.query("DELETE FROM locations WHERE lower(name) = 'grain silo'")

    @unittest.skipIf(on_postgresql(), 'migrates an old SQLite database file: a PostgreSQL '
                     'database starts at the current schema (schema-pg.sql), whose index '
                     'test_the_database_refuses_a_case_duplicate checks')
    def test_migration_renames_later_case_duplicates(self):
        """A version-2 database with "Depot"/"DEPOT"/"depot" at one customer: arborctl init
        keeps the oldest name, renames the others "NAME (location ID)", logs each rename,
        and from then on the index refuses a case duplicate."""
        path = os.path.join(STACK.var, 'v2.db')
        conf = os.path.join(STACK.var, 'v2.conf')
        with open(STACK.conf) as f:
            text = f.read()
        with open(conf, 'w') as f:
            f.write(text.replace(STACK.database, path))
        # version 3 less its index is version 2
        with open(os.path.join(ROOT, 'tests', 'integration', 'schema-v3.sql')) as f:
            schema = f.read()
        con = sqlite3.connect(path, isolation_level=None)
        con.executescript(schema)
        con.executescript(
            'DROP INDEX locations_customer_name; PRAGMA user_version = 2;'
            "INSERT INTO customers (id, parent_id, path, depth, name, email, owner_email, "
            "country, created_at, updated_at) VALUES (1, NULL, '/1/', 0, 'A', 'a@example.com', "
            "'a@example.com', 'DK', 0, 0), (2, 1, '/1/2/', 1, 'B', 'b@example.com', NULL, "
            "'DK', 0, 0);"
            "INSERT INTO locations (id, customer_id, name, created_at, updated_at) VALUES "
            "(1, 1, 'Depot', 0, 0), (2, 1, 'DEPOT', 0, 0), (3, 2, 'depot', 0, 0), "
            f"(4, 1, 'depot', 0, 0), (5, 1, '{'x' * 200}', 0, 0), (6, 1, '{'X' * 200}', 0, 0);"
            "INSERT INTO users (customer_id, email, username, created_at, updated_at) "
            "VALUES (1, 'u@example.com', 'u', 0, 0);"
            'INSERT INTO user_locations VALUES (1, 2);'
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) "
            "VALUES (1, 'old', x'00', 0, 1);")
        con.close()
        env = dict(STACK.env, ARBOR_CONF=conf)
        p = subprocess.run([os.path.join(STACK.bin, 'arborctl'), 'init'], env=env,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        con = sqlite3.connect(path, isolation_level=None)
        try:
            self.assertEqual(con.execute('PRAGMA user_version').fetchone(), (13,))
            # a token made before tokens had a scope could write, and still can
            self.assertEqual(con.execute('SELECT name, scope FROM api_tokens').fetchall(),
                             [('old', 'write')])
            rows = dict(con.execute('SELECT id, name FROM locations'))
            self.assertEqual(rows[1], 'Depot')
            self.assertEqual(rows[2], 'DEPOT (location 2)')
            self.assertEqual(rows[3], 'depot')          # another customer: unchanged
            self.assertEqual(rows[4], 'depot (location 4)')
            self.assertEqual(rows[5], 'x' * 200)
            self.assertEqual(rows[6], 'X' * 187 + ' (location 6)')
            self.assertEqual(len(rows[6]), 200)
            # users and devices stay where they were
            self.assertEqual(con.execute('SELECT location_id FROM user_locations').fetchall(),
                             [(2,)])
            logged = con.execute("SELECT detail FROM events WHERE kind = 'location_renamed' "
                                 'ORDER BY id').fetchall()
            self.assertEqual(len(logged), 3)
            self.assertIn('location 2 of customer 1: "DEPOT" -> "DEPOT (location 2)"',
                          logged[0][0])
            with self.assertRaises(sqlite3.IntegrityError):
                con.execute("INSERT INTO locations (customer_id, name, created_at, updated_at) "
                            "VALUES (1, 'dEpOt', 0, 0)")
        finally:
            con.close()


class CustomerSiblingNameTests(PageTest):
    """Nested customers under one parent have names unique ignoring case (409 at name)."""

    def test_create_rename_and_move(self):
        denmark, sweden = cid('Northwind Denmark'), cid('Northwind Sweden')
        before = tables('customers')
        c = client('admin')
        for name in ('aarhus', 'AARHUS', 'Aarhus'):
            r = c.post('/customers/new', customer_form(name, denmark))
            self.assertPage(r, 400)
            self.assertIn('already has this name', field_error(r.text, 'name'))
        self.assertEqual(tables('customers'), before)
        # another parent: no clash
        r = c.post('/customers/new', customer_form('aarhus', sweden))
        self.assertEqual(r.status, 303, r)
        moved = cid('aarhus')
        # moving it under Denmark clashes with Aarhus there
        r = c.post(f'/customers/{moved}', customer_form('aarhus', denmark))
        self.assertPage(r, 400)
        self.assertIsNotNone(field_error(r.text, 'name'))
        # renaming a sibling onto it clashes too
        goteborg = make_customer('Göteborg', sweden)
        r = c.post(f'/customers/{goteborg}', customer_form('AARHUS', sweden))
        self.assertPage(r, 400)
        self.assertIsNotNone(field_error(r.text, 'name'))
        # its own name in another case is fine
        r = c.post(f'/customers/{moved}', customer_form('Aarhus', sweden))
        self.assertEqual(r.status, 303, r)
        # the API answers 409 with the field
        secret, _ = new_token('admin', name='siblings')
        r = Api(secret).call('POST', '/api/v1/customers',
                             {'name': 'AARHUS', 'email': 'x@example.com', 'country': 'DK',
                              'parent_id': denmark})
        self.assertEqual(r.status, 409, r.json)
        self.assertEqual(r.json.get('field'), 'name')
        STACK.query('DELETE FROM customers WHERE id IN (?, ?)', moved, goteborg)

    def test_the_top_of_the_view_is_not_compared_with_hidden_siblings(self):
        """admin (who sees the parent) cannot rename Denmark "northwind SWEDEN"; nca.dk,
        whose view starts at Denmark, can: a sibling they cannot see is not revealed."""
        denmark, fleet = cid('Northwind Denmark'), cid('Northwind Fleet')
        form = customer_form('northwind SWEDEN', fleet, email='denmark@northwind.example')
        r = client('admin').post(f'/customers/{denmark}', form)
        self.assertPage(r, 400)
        self.assertIn('already has this name', field_error(r.text, 'name'))
        del form['parent_id']
        r = client('nca.dk').post(f'/customers/{denmark}', form)
        self.assertEqual(r.status, 303, r)
        STACK.query("UPDATE customers SET name = 'Northwind Denmark' WHERE id = ?", denmark)


class TokenTests(PageTest):
    """API tokens: post/redirect/get with the secret shown once, revoke after a
    confirmation, names unique per user, errors next to their field, expiry as picked."""

    def create(self, c, name, expires_on=None):
        page = c.get('/tokens').text
        expires_on = expires_on or re.search(r'name="expires_on" type="date" value="([^"]+)"',
                                             page).group(1)
        return c.post('/tokens/new', {'name': name, 'expires_on': expires_on})

    def test_created_page_is_reached_by_a_redirect_and_shows_the_secret_once(self):
        c = logged_in('se.user')
        before = STACK.query('SELECT count(*) FROM api_tokens')[0][0]
        r = self.create(c, 'prg')
        self.assertEqual(r.status, 303, r)
        tid = STACK.query("SELECT id FROM api_tokens WHERE name = 'prg'")[0][0]
        self.assertEqual(r.location, f'/tokens/{tid}/created')
        self.assertNotIn('arbor_', r.text)
        first = c.get(r.location)
        self.assertPage(first)
        secret = re.search(r'id="token-secret">([^<]+)<', first.text).group(1)
        self.assertEqual(first.header('Cache-Control'), 'no-store')
        self.assertEqual(Api(secret).call('GET', '/api/v1/me').status, 200)
        # a reload: no second token, no secret
        again = c.get(r.location)
        self.assertPage(again)
        self.assertNotIn(secret, again.text)
        self.assertIn('id="token-shown"', again.text)
        self.assertEqual(STACK.query('SELECT count(*) FROM api_tokens')[0][0], before + 1)
        # another session of the same user, holding a stolen cookie, cannot open it
        r = self.create(c, 'prg2')
        cookie = next(v for k, v in c.cookies.items() if 'reveal' in k)
        other = logged_in('se.user')
        other.cookies['__Host-arbor_reveal'] = cookie
        shown = other.get(r.location)
        self.assertPage(shown)
        self.assertNotIn('id="token-secret"', shown.text)
        # another user's token id: 404
        self.assertEqual(client('driver').get(r.location).status, 404)
        self.assertEqual(client('driver').get('/tokens/999999/created').status, 404)

    def test_revoke_asks_first_and_the_flash_names_the_token(self):
        c = logged_in('se.user')
        self.assertEqual(self.create(c, 'to revoke').status, 303)
        tid = STACK.query("SELECT id FROM api_tokens WHERE name = 'to revoke'")[0][0]
        page = c.get('/tokens')
        self.assertIn(f'<a href="/tokens/{tid}/revoke">Revoke', page.text)
        r = c.get(f'/tokens/{tid}/revoke')
        self.assertPage(r)
        self.assertIn('Revoke token “to revoke”?', r.text)
        self.assertIsNone(STACK.query('SELECT revoked_at FROM api_tokens WHERE id = ?', tid)[0][0])
        # refusals: another user's token (GET and POST), no CSRF token
        for method in ('get', 'post'):
            self.assertEqual(getattr(client('driver'), method)(f'/tokens/{tid}/revoke').status,
                             404)
        self.assertEqual(c.post(f'/tokens/{tid}/revoke', csrf=False).status, 403)
        self.assertIsNone(STACK.query('SELECT revoked_at FROM api_tokens WHERE id = ?', tid)[0][0])
        before = last_event_id()
        r = c.post(f'/tokens/{tid}/revoke')
        self.assertEqual(r.status, 303)
        self.assertEqual(flash(c.get('/tokens').text),
                         'Token “to revoke” was revoked; it no longer works.')
        self.assertIsNotNone(STACK.query('SELECT revoked_at FROM api_tokens WHERE id = ?',
                                         tid)[0][0])
        self.assertIn(('token_revoked', 'to revoke'), STACK.query(
            'SELECT kind, detail FROM events WHERE id > ?', before))
        # once revoked, neither the page nor the POST
        self.assertEqual(c.get(f'/tokens/{tid}/revoke').status, 404)
        self.assertEqual(c.post(f'/tokens/{tid}/revoke').status, 404)

    def test_names_unique_per_user_and_errors_next_to_their_field(self):
        c = logged_in('dk.admin')
        self.assertEqual(self.create(c, 'Deploy').status, 303)
        before = tables('api_tokens')
        r = self.create(c, 'DEPLOY')
        self.assertPage(r, 400)
        self.assertIn('already have a token with this name', field_error(r.text, 'name'))
        self.assertIsNone(field_error(r.text, 'expires_on'))
        self.assertIn('value="DEPLOY"', r.text)
        for bad, why in (('2020-01-01', 'in the past'), ('2099-01-01', 'at most one year'),
                         ('2026-02-31', 'YYYY-MM-DD'), ('soon', 'YYYY-MM-DD')):
            r = self.create(c, 'fresh', bad)
            self.assertPage(r, 400)
            self.assertIn(why, field_error(r.text, 'expires_on'), bad)
            self.assertIsNone(field_error(r.text, 'name'))
        r = self.create(c, '', 'soon')
        self.assertIsNotNone(field_error(r.text, 'name'))
        self.assertIsNotNone(field_error(r.text, 'expires_on'))
        self.assertEqual(tables('api_tokens'), before)
        # another user may use the name; a revoked token's name is free again
        self.assertEqual(self.create(logged_in('se.user'), 'deploy').status, 303)
        tid = STACK.query("SELECT id FROM api_tokens WHERE name = 'Deploy'")[0][0]
        c.get(f'/tokens/{tid}/revoke')
        self.assertEqual(c.post(f'/tokens/{tid}/revoke').status, 303)
        self.assertEqual(self.create(c, 'deploy').status, 303)

    def test_expiry_is_the_end_of_the_day_picked_in_the_users_zone(self):
        for zone in ('Pacific/Auckland', 'America/Los_Angeles', 'UTC'):
            STACK.query("UPDATE users SET time_zone = ? WHERE username = 'driver'", zone)
            c = logged_in('driver')
            day = (datetime.datetime.now(ZoneInfo(zone)).date() + datetime.timedelta(days=30))
            name = f'zone {zone}'
            self.assertEqual(self.create(c, name, day.isoformat()).status, 303)
            stored = STACK.query('SELECT expires_at FROM api_tokens WHERE name = ?', name)[0][0]
            end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(),
                                            ZoneInfo(zone))
            self.assertEqual(stored, int(end.timestamp()), zone)
            # the cells after the name: scope, created, works until
            row = re.search(rf'<th scope="row">{re.escape(name)}</th>\s*<td>[^<]*</td>\s*'
                            r'<td>[^<]*</td>\s*<td>([^<]*)</td>', c.get('/tokens').text)
            self.assertEqual(row.group(1), day.isoformat(), zone)
        STACK.query("UPDATE users SET time_zone = NULL WHERE username = 'driver'")


class CustomerPageLinkTests(PageTest):
    """The customer page links to its nested customers, users and devices, each only
    where the viewer may see that tab; "Create user here" preselects the customer."""

    def test_links_by_what_the_viewer_may_see(self):
        denmark = cid('Northwind Denmark')
        r = client('admin').get(f'/customers/{denmark}')
        self.assertPage(r)
        for href in (f'/customers?customer_id={denmark}', f'/users?customer_id={denmark}',
                     f'/users/new?customer_id={denmark}', f'/devices?customer_id={denmark}'):
            self.assertIn(f'href="{href}"', r.text)
        # Nested Customer Administrator only: the nested customers, not users nor devices
        r = client('nca.dk').get(f'/customers/{denmark}')
        self.assertPage(r)
        self.assertIn(f'href="/customers?customer_id={denmark}"', r.text)
        for absent in ('/users?customer_id=', '/users/new?customer_id=', '/devices?customer_id='):
            self.assertNotIn(absent, r.text)

    def test_the_nested_customers_list(self):
        """customer_id on /customers: the customers directly below it; outside the view 404."""
        fleet, denmark = cid('Northwind Fleet'), cid('Northwind Denmark')
        r = client('admin').get(f'/customers?customer_id={fleet}')
        self.assertPage(r)
        names = set(re.findall(r'<a href="/customers/\d+">([^<]+)</a>', r.text))
        self.assertEqual(names, {'Northwind Denmark', 'Northwind Sweden'})
        self.assertIn('2 customers', r.text)
        r = client('admin').get(f'/customers?customer_id={denmark}&q=aar')
        self.assertEqual(set(re.findall(r'<a href="/customers/\d+">([^<]+)</a>', r.text)),
                         {'Aarhus'})
        # a customer outside the view, or none: 404, the same page
        nowhere = client('nca.dk').get('/customers?customer_id=999999')
        self.assertEqual(nowhere.status, 404)
        for hidden in (fleet, cid('Northwind Sweden'), cid('Contoso Charging')):
            r = client('nca.dk').get(f'/customers?customer_id={hidden}')
            self.assertEqual(r.status, 404, hidden)
            self.assertEqual(r.stable_text, nowhere.stable_text)
        # the API's list knows no such filter
        secret, _ = new_token('admin', name='children')
        r = Api(secret).call('GET', f'/api/v1/customers?customer_id={denmark}')
        self.assertEqual(r.status, 200)
        self.assertIn(fleet, {c['id'] for c in r.json['items']})

    def test_create_user_here_preselects_the_customer(self):
        aarhus = cid('Aarhus')
        r = client('admin').get(f'/users/new?customer_id={aarhus}')
        self.assertPage(r)
        self.assertEqual(selected_option(r.text, 'customer_id'), str(aarhus))
        # outside the view, missing or junk: ignored, the viewer's own customer
        for given in (cid('Northwind Fleet'), cid('Contoso Charging'), 999999, 'x'):
            r = client('dk.admin').get(f'/users/new?customer_id={given}')
            self.assertPage(r)
            self.assertEqual(selected_option(r.text, 'customer_id'),
                             str(cid('Northwind Denmark')), given)
        # without the Users tab: 403
        self.assertEqual(client('nca.dk').get(f'/users/new?customer_id={aarhus}').status, 403)


if __name__ == '__main__':
    unittest.main()
