"""The Users tab: list, search, sort, filter, pagination, create, edit, delete;
the visibility rule (a user outside the viewer's subtree is 404 like a missing
one, nothing changed), no escalation of groups, self-protection, the group
gate and CSRF.

One demo Stack serves the module. Demo tree: Northwind Fleet (admin, former)
> Northwind Denmark (dk.admin) > Aarhus (driver); Northwind Fleet > Northwind
Sweden (se.user); Contoso Charging (contoso.admin); operator above all.
The module adds se.admin (Account Administrator of Northwind Sweden) so that
a sibling can be tried too. Few failed logins: the limiter allows 5 per user.
"""
import os
import re
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arbor_stack import (PASSWORD, Client, assert_html_page,  # noqa: E402
                         assert_security_headers, parse_page, tidy_check)
from fixtures import (AA, STACK, cid, events, field_error as error_of, logged_in,  # noqa: E402
                      make_user, pages, start_stack, tables, uid, user_rows as rows)

NEW_PASSWORD = 'Quiet-Harbor-Lantern-4471'


def setUpModule():
    start_stack()
    # a sibling administrator (Northwind Sweden), with admin's password hash
    make_user('se.admin', 'Northwind Sweden', AA, full_name='Sara Admin',
              domain='northwind.example')


def user_row(username):
    rows = STACK.query('SELECT * FROM users WHERE username = ?', username)
    return rows[0] if rows else None


def snapshot():
    """Every table a Users page can change, for before/after comparisons."""
    return tables('users', 'user_locations', 'user_links', 'mail_queue', 'customers')


def sessions_of(username):
    return STACK.query('SELECT count(*) FROM sessions WHERE user_id = ?', uid(username))[0][0]


def visible_usernames(viewer):
    """The users the rule says viewer sees, straight from the tables."""
    path = STACK.query('SELECT c.path FROM users u LEFT JOIN customers c ON c.id = u.customer_id '
                       'WHERE u.username = ?', viewer)[0][0] or '/'
    return {r[0] for r in STACK.query(
        "SELECT u.username FROM users u JOIN customers c ON c.id = u.customer_id "
        "WHERE substr(c.path, 1, length(?)) = ?", path, path)}


def form_of(username, /, **changes):
    """The edit form's fields for a user as they are, with changes applied."""
    u = STACK.query('SELECT email, username, customer_id, full_name, phone, address, groups, '
                    'active, id FROM users WHERE username = ?', username)[0]
    keys = ['account_admin', 'full_device_access', 'device_management',
            'nested_customer_admin', 'fleet_management', 'access_control']
    fields = {'email': u[0], 'username': u[1], 'customer_id': str(u[2]), 'full_name': u[3],
              'phone': u[4], 'address': u[5], 'password_mode': 'keep',
              'group': [k for i, k in enumerate(keys) if u[6] & (1 << i)],
              'location': [str(r[0]) for r in STACK.query(
                  'SELECT location_id FROM user_locations WHERE user_id = ?', u[8])]}
    if u[7]:
        fields['active'] = '1'
    fields.update(changes)
    # the page asks for a password twice: typed the same unless a test says otherwise
    fields.setdefault('confirm_password', fields.get('password'))
    return pairs(fields)


def pairs(fields):
    out = []
    for k, v in fields.items():
        if v is None:
            continue
        for item in (v if isinstance(v, list) else [v]):
            out.append((k, item))
    return out


def new_user_fields(username, customer, /, **extra):
    fields = {'email': f'{username}@example.test', 'username': username,
              'customer_id': str(cid(customer)), 'password_mode': 'manual',
              'password': NEW_PASSWORD, 'active': '1', 'full_name': '', 'phone': '',
              'address': ''}
    fields.update(extra)
    fields.setdefault('confirm_password', fields['password'])
    return pairs(fields)


class UsersTest(unittest.TestCase):
    maxDiff = None

    logged_in = staticmethod(logged_in)

    def create(self, client, username, customer, **extra):
        """Create a user through the form; return their id."""
        client.get('/users/new')
        r = client.post('/users/new', new_user_fields(username, customer, **extra))
        self.assertEqual(r.status, 303, r)
        self.assertRegex(r.location, r'^/users/\d+$')
        return int(r.location.rsplit('/', 1)[1])

    def make_user(self, username, customer, groups=0, active=1):
        """A user straight in the database, with the demo password, no forced change."""
        return make_user(username, customer, groups, active=active, domain='example.test')

    def list_all(self, client, query=''):
        """Every row of a list, following the pages; also the first page's text."""
        texts = list(pages(client, '/users' + query))
        return [row for text in texts for row in rows(text)], texts[0]


class ListTests(UsersTest):
    def test_list_shows_exactly_the_subtree(self):
        """Each viewer's list is their customer and everything below, never above or beside."""
        cases = {
            'dk.admin': ({'dk.admin', 'driver'}, {'admin', 'se.user', 'former', 'contoso.admin'}),
            'admin': ({'admin', 'dk.admin', 'driver', 'se.user', 'former', 'se.admin'},
                      {'contoso.admin', 'operator'}),
            'se.admin': ({'se.admin', 'se.user'}, {'admin', 'dk.admin', 'driver'}),
            'contoso.admin': ({'contoso.admin'}, {'admin', 'dk.admin', 'driver', 'se.user'}),
            'operator': ({'admin', 'dk.admin', 'driver', 'se.user', 'contoso.admin'}, set()),
        }
        for viewer, (must, never) in cases.items():
            with self.subTest(viewer=viewer):
                seen = {u for _, _, u in self.list_all(self.logged_in(viewer))[0]}
                self.assertEqual(seen, visible_usernames(viewer))
                self.assertLessEqual(must, seen)
                self.assertFalse(seen & never, f'{viewer} sees {seen & never}')
                self.assertNotIn('operator', seen, 'operators belong to no customer')

    def test_list_page_is_valid_html_with_columns_and_paths(self):
        """One h1, valid HTML, the columns, paths relative to the viewer, ✓/✗ and counts."""
        c = self.logged_in('dk.admin')
        r = c.get('/users')
        self.assertEqual(r.status, 200, r)
        assert_html_page(r)
        assert_security_headers(r)
        tidy_check(r.text)
        for heading in ('E-mail', 'Username', 'Customer', 'Locations', 'Last sign-in', 'Groups',
                        'Active'):
            self.assertIn(f'>{heading}</a></th>', r.text)
        # the viewer's own customer heads the path; nothing above it shows
        self.assertIn('Northwind Denmark › Aarhus', r.text)
        self.assertNotIn('Northwind Fleet', r.text)
        self.assertIn('class="pagination"', r.text)
        self.assertRegex(r.text, r'\d+ users')
        self.assertIn('✓', r.text)
        # dk.admin's own last login, in the viewer's zone (Denmark's: CET/CEST)
        self.assertRegex(r.text, r'\d{4}-\d\d-\d\d \d\d:\d\d CES?T')

    def test_inactive_user_shows_a_cross(self):
        """former (inactive) is marked ✗ in admin's list."""
        r = self.logged_in('admin').get('/users?q=former')
        self.assertEqual([u for _, _, u in rows(r.text)], ['former'])
        self.assertIn('✗', r.text)

    def test_driver_and_full_device_access_get_403(self):
        """Without Account Administrator: 403 on every Users route, nothing created."""
        for who in ('driver', 'se.user'):
            c = self.logged_in(who)
            before = snapshot()
            for path in ('/users', '/users/new', f'/users/{uid("driver")}',
                         f'/users/{uid("driver")}/delete'):
                with self.subTest(who=who, path=path):
                    self.assertEqual(c.get(path).status, 403)
            c.get('/accounts')
            r = c.post('/users/new', new_user_fields('sneaky', 'Aarhus'))
            self.assertEqual(r.status, 403)
            r = c.post(f'/users/{uid("driver")}/delete')
            self.assertEqual(r.status, 403)
            self.assertEqual(snapshot(), before)

    def test_anonymous_is_sent_to_login(self):
        r = Client(STACK).get('/users')
        self.assertEqual(r.status, 303)
        self.assertTrue(r.location.startswith('/login?next='), r.location)


class SearchSortPageTests(UsersTest):
    """Many users in Aarhus (dk.admin's scope becomes most of the table: the scan
    plan) and a few in Contoso (contoso.admin's scope stays small: the scope plan)."""

    @classmethod
    def setUpClass(cls):
        con = STACK.db()
        try:
            con.execute('BEGIN')
            aarhus = con.execute("SELECT id FROM customers WHERE name = 'Aarhus'").fetchone()[0]
            contoso = con.execute(
                "SELECT id FROM customers WHERE name = 'Contoso Charging'").fetchone()[0]
            for i in range(120):
                con.execute("INSERT INTO users (customer_id, email, username, full_name, groups, "
                            "active, last_login_at, created_at, updated_at) VALUES "
                            "(?, ?, ?, ?, ?, ?, ?, 0, 0)",
                            (aarhus, f'Page.U{i:03d}@example.test', f'page.u{i:03d}',
                             f'Paged Person {i}', i % 4, int(i % 5 != 0),
                             None if i % 7 == 0 else 1_700_000_000 + (i * 7919) % 100000))
            for i in range(6):
                con.execute("INSERT INTO users (customer_id, email, username, full_name, "
                            "last_login_at, created_at, updated_at) VALUES (?, ?, ?, '', ?, 0, 0)",
                            (contoso, f'c{i}@contoso.example', f'contoso.u{i}',
                             1_700_000_000 + i * (-1) ** i * 1000))
            con.execute("INSERT INTO users (customer_id, email, username, full_name, created_at, "
                        "updated_at) VALUES (?, 'under_score@example.test', 'under_score', "
                        "'100% literal', 0, 0)", (aarhus,))
            con.execute('COMMIT')
        finally:
            con.close()

    def expected(self, viewer, key, desc):
        """The order of the viewer's users for a sort key, computed here."""
        path = STACK.query("SELECT c.path FROM users u JOIN customers c ON c.id = u.customer_id "
                           "WHERE u.username = ?", viewer)[0][0]
        col = {'email': 'lower(u.email)', 'username': 'lower(u.username)',
               'last_login': 'coalesce(u.last_login_at, 0)', 'groups': 'u.groups',
               'active': 'u.active', 'customer': 'c.path'}[key]
        d = 'DESC' if desc else 'ASC'
        return [r[0] for r in STACK.query(
            f"SELECT u.username FROM users u JOIN customers c ON c.id = u.customer_id "
            f"WHERE substr(c.path, 1, length(?)) = ? ORDER BY {col} {d}, u.id {d}", path, path)]

    def test_sorting_by_each_column_in_both_plans(self):
        """Every sort key, both directions, for a large scope and a small one, in order."""
        for viewer in ('dk.admin', 'contoso.admin'):
            c = self.logged_in(viewer)
            for key in ('email', 'username', 'customer', 'last_login', 'groups', 'active'):
                for desc in (False, True):
                    with self.subTest(viewer=viewer, key=key, desc=desc):
                        got, text = self.list_all(c, f'?sort={key}&dir={"desc" if desc else "asc"}')
                        self.assertEqual([u for _, _, u in got], self.expected(viewer, key, desc))
                        self.assertIn('aria-sort="%s"' % ('descending' if desc else 'ascending'),
                                      text)
            got, _ = self.list_all(c, '?sort=locations')
            self.assertEqual({u for _, _, u in got}, visible_usernames(viewer))

    def test_search_by_email_username_and_full_name(self):
        c = self.logged_in('dk.admin')
        got, text = self.list_all(c, '?q=page.u00')
        self.assertEqual(sorted(u for _, _, u in got), [f'page.u{i:03d}' for i in range(10)])
        self.assertIn('10 users match', text)
        got, _ = self.list_all(c, '?q=PAGE.U11')  # any case
        self.assertEqual(len(got), 10)
        got, _ = self.list_all(c, '?q=' + urllib.parse.quote('Paged Person 42'))
        self.assertEqual([u for _, _, u in got], ['page.u042'])
        got, _ = self.list_all(c, '?q=driver%40northwind')
        self.assertEqual([u for _, _, u in got], ['driver'])

    def test_search_takes_like_wildcards_literally(self):
        """% and _ in q match themselves only, in a substring (3 characters or more) and a
        prefix (fewer) search alike."""
        c = self.logged_in('dk.admin')
        got, _ = self.list_all(c, '?q=' + urllib.parse.quote('0% '))
        self.assertEqual([u for _, _, u in got], ['under_score'])
        got, _ = self.list_all(c, '?q=r_s')
        self.assertEqual([u for _, _, u in got], ['under_score'])
        got, _ = self.list_all(c, '?q=u_d')
        self.assertEqual(got, [])
        got, _ = self.list_all(c, '?q=' + urllib.parse.quote('1%'))
        self.assertEqual(got, [])
        got, _ = self.list_all(c, '?q=_')
        self.assertEqual(got, [])

    def test_short_search_matches_the_start(self):
        """One or two characters match the start of an e-mail, username or full name (a
        trigram index knows nothing shorter), ignoring case."""
        c = self.logged_in('dk.admin')
        got, _ = self.list_all(c, '?q=10')
        self.assertEqual([u for _, _, u in got], ['under_score'])
        got, _ = self.list_all(c, '?q=UN')
        self.assertEqual([u for _, _, u in got], ['under_score'])
        # "ore" is inside under_score; "re" is not at the start of any of its fields
        got, _ = self.list_all(c, '?q=ore')
        self.assertIn('under_score', [u for _, _, u in got])
        got, _ = self.list_all(c, '?q=re')
        self.assertNotIn('under_score', [u for _, _, u in got])
        self.assertGreater(len(got), 0)
        for _, email, username in got:
            self.assertTrue(email.lower().startswith('re') or username.startswith('re'), email)

    def test_search_never_reaches_outside_the_scope(self):
        c = self.logged_in('contoso.admin')
        got, text = self.list_all(c, '?q=page.u')
        self.assertEqual(got, [])
        self.assertIn('No user matches your search.', text)
        got, _ = self.list_all(self.logged_in('dk.admin'), '?q=contoso')
        self.assertEqual(got, [])

    def test_pagination(self):
        """50 a page, links to the next and previous page, count, a page past the end."""
        c = self.logged_in('dk.admin')
        n = len(visible_usernames('dk.admin'))
        self.assertGreater(n, 100)
        r = c.get('/users?sort=username')
        self.assertEqual(len(rows(r.text)), 50)
        self.assertIn(f'Showing 1–50 of {n}', r.text)
        self.assertIn('rel="next"', r.text)
        self.assertNotIn('rel="prev"', r.text)
        r = c.get('/users?sort=username&page=2')
        self.assertIn(f'Showing 51–100 of {n}', r.text)
        self.assertIn('rel="prev"', r.text)
        last = (n + 49) // 50
        r = c.get(f'/users?sort=username&page={last}')
        self.assertEqual(len(rows(r.text)), n - 50 * (last - 1))
        self.assertNotIn('rel="next"', r.text)
        r = c.get('/users?sort=username&page=999')   # past the end: the last page
        self.assertEqual(r.status, 200)
        self.assertEqual(len(rows(r.text)), n - 50 * (last - 1))
        for bad in ('page=0', 'page=-1', 'page=x', 'sort=password_hash', 'dir=sideways',
                    'sort=email;DROP'):
            self.assertEqual(c.get('/users?' + bad).status, 200, bad)

    def test_filter_by_customer_within_the_scope(self):
        c = self.logged_in('dk.admin')
        got, text = self.list_all(c, f'?customer_id={cid("Northwind Denmark")}')
        self.assertEqual({u for _, _, u in got}, {r[0] for r in STACK.query(
            'SELECT username FROM users WHERE customer_id = ?', cid('Northwind Denmark'))})
        self.assertIn('dk.admin', {u for _, _, u in got})
        self.assertIn('Users of <strong>Northwind Denmark</strong> only', text)
        got, _ = self.list_all(c, f'?customer_id={cid("Aarhus")}&q=page.u01')
        self.assertEqual(len(got), 10)
        # a customer above, beside or unknown: 404, like a missing one
        for other in (cid('Northwind Fleet'), cid('Northwind Sweden'), cid('Contoso Charging'),
                      99999):
            with self.subTest(customer=other):
                self.assertEqual(c.get(f'/users?customer_id={other}').status, 404)

    def test_customer_cell_links_to_the_filter(self):
        r = self.logged_in('dk.admin').get('/users?q=driver')
        self.assertIn(f'href="/users?customer_id={cid("Aarhus")}"', r.text)


class CreateTests(UsersTest):
    def test_form_lists_groups_with_summaries_and_visible_customers(self):
        c = self.logged_in('dk.admin')
        r = c.get('/users/new')
        self.assertEqual(r.status, 200, r)
        assert_html_page(r)
        tidy_check(r.text)
        links, inputs = parse_page(r.text)
        names = {i.get('name') for i in inputs}
        for field in ('csrf_token', 'email', 'username', 'customer_id', 'group', 'password_mode',
                      'password', 'full_name', 'phone', 'address', 'active'):
            self.assertIn(field, names)
        groups = {i['value']: i for i in inputs if i.get('name') == 'group'}
        self.assertEqual(len(groups), 9)
        self.assertNotIn('disabled', groups['account_admin'])
        self.assertIn('disabled', groups['full_device_access'])  # dk.admin lacks it
        # API Developer reads what AA + FDA + NCA read: dk.admin holds only AA
        self.assertIn('disabled', groups['api_developer'])
        self.assertIn('Manages the users of this customer and below', r.text)
        options = re.findall(r'<option value="(\d+)"', r.text)
        self.assertEqual(set(map(int, options)), {cid('Northwind Denmark'), cid('Aarhus')})
        modes = {i['value'] for i in inputs if i.get('name') == 'password_mode'}
        self.assertEqual(modes, {'welcome', 'manual'})

    def test_create_with_manual_password(self):
        """manual: argon2id hash, forced change at the first sign-in; a flash, an event."""
        c = self.logged_in('admin')
        new = self.create(c, 'manual.one', 'Northwind Denmark', group='fleet_management',
                          full_name='Manu Al', phone='+45 1234', address='Street 1\nAarhus')
        r = c.get(f'/users/{new}')
        self.assertEqual(r.status, 200)
        self.assertIn('class="flash"', r.text)
        tidy_check(r.text)
        row = STACK.query('SELECT password_hash, must_change_password, groups, active, full_name, '
                          'phone, address, customer_id FROM users WHERE id = ?', new)[0]
        self.assertTrue(row[0].startswith('$argon2id$'))
        self.assertEqual(row[1:], (1, 16, 1, 'Manu Al', '+45 1234', 'Street 1\nAarhus',
                                   cid('Northwind Denmark')))
        self.assertEqual(STACK.query('SELECT count(*) FROM mail_queue WHERE recipient = ?',
                                     'manual.one@example.test')[0][0], 0)
        self.assertIn((new, uid('admin'), 'manual.one'), events('user_created'))
        u = Client(STACK)
        r = u.login('manual.one', NEW_PASSWORD)
        r = u.get('/accounts')
        self.assertEqual(r.status, 303, 'a forced password change comes first')
        self.assertNotEqual(r.location, '/accounts')

    def test_create_welcome_queues_a_setup_link(self):
        """welcome: no password, a set-up link (hash only, 72 h) and its mail in one go."""
        c = self.logged_in('dk.admin')
        new = self.create(c, 'welcome.one', 'Aarhus', password_mode='welcome', password='')
        self.assertIsNone(STACK.query('SELECT password_hash FROM users WHERE id = ?', new)[0][0])
        links = STACK.query('SELECT purpose, expires_at - created_at, length(token_hash), used_at '
                            'FROM user_links WHERE user_id = ?', new)
        self.assertEqual(links, [('setup', 72 * 3600, 32, None)])
        mail = STACK.query('SELECT recipient, body FROM mail_queue WHERE recipient = ?',
                           'welcome.one@example.test')
        self.assertEqual(len(mail), 1)
        self.assertRegex(mail[0][1], re.escape(STACK.url('/password/setup/')) + r'[A-Za-z0-9_-]{43}')

    def test_duplicate_email_or_username_is_refused_next_to_the_field(self):
        c = self.logged_in('admin')
        before = snapshot()
        c.get('/users/new')
        r = c.post('/users/new', new_user_fields('fresh.name', 'Aarhus',
                                                 email='DK.Admin@Northwind.Example'))
        self.assertEqual(r.status, 400, r)
        self.assertEqual(error_of(r.text, 'email'), 'This e-mail address is already in use.')
        self.assertIsNone(error_of(r.text, 'username'))
        self.assertIn('value="fresh.name"', r.text)
        self.assertIn('value="DK.Admin@Northwind.Example"', r.text)
        self.assertNotIn(NEW_PASSWORD, r.text, 'a password is never sent back')
        tidy_check(r.text)
        r = c.post('/users/new', new_user_fields('DRIVER', 'Aarhus', email='other@example.test'))
        self.assertEqual(r.status, 400, r)
        self.assertEqual(error_of(r.text, 'username'), 'This username is already taken.')
        self.assertIn('value="other@example.test"', r.text)
        self.assertEqual(snapshot(), before)

    def test_bad_fields_are_refused_with_input_kept(self):
        c = self.logged_in('admin')
        before = snapshot()
        c.get('/users/new')
        cases = [
            ({'email': 'not-an-address'}, 'email'),
            ({'email': 'a@b.example\r\nBcc: x@y.example'}, 'email'),
            ({'username': 'has space'}, 'username'),
            ({'username': 'at@sign'}, 'username'),
            ({'username': 'x' * 65}, 'username'),
            ({'customer_id': ''}, 'customer_id'),
            ({'customer_id': 'abc'}, 'customer_id'),
            ({'password': 'short'}, 'password'),
            ({'password': 'bad.fields'}, 'password'),
            ({'password': ''}, 'password'),
            ({'password_mode': 'mail-it-in-clear'}, 'password_mode'),
            ({'password_mode': 'keep'}, 'password_mode'),
            ({'group': 'superuser'}, 'group'),
            ({'location': 'x'}, 'location'),
            ({'full_name': 'x' * 201}, 'full_name'),
            ({'phone': '1\n2'}, 'phone'),
            ({'password_mode': 'welcome', 'active': None}, 'password_mode'),
        ]
        for change, field in cases:
            with self.subTest(change=change):
                r = c.post('/users/new', new_user_fields('bad.fields', 'Aarhus', **change))
                self.assertEqual(r.status, 400, r)
                self.assertTrue(error_of(r.text, field), f'no error next to {field}')
                self.assertIn('class="error-summary"', r.text)
                self.assertIn('value="bad.fields"' if field != 'username' else 'value=', r.text)
        self.assertEqual(snapshot(), before)

    def test_groups_beyond_the_creators_are_refused(self):
        """dk.admin (Account Administrator only) cannot grant Full Device Access."""
        c = self.logged_in('dk.admin')
        before = snapshot()
        c.get('/users/new')
        r = c.post('/users/new', new_user_fields('escalate', 'Aarhus',
                                                 group=['account_admin', 'full_device_access']))
        self.assertEqual(r.status, 400, r)
        self.assertEqual(error_of(r.text, 'group'),
                         'You can only grant the groups you hold yourself.')
        self.assertEqual(snapshot(), before)
        # the group dk.admin holds may be granted
        new = self.create(c, 'granted.aa', 'Aarhus', group='account_admin')
        self.assertEqual(STACK.query('SELECT groups FROM users WHERE id = ?', new)[0][0], 1)

    def test_customers_outside_the_scope_are_refused(self):
        c = self.logged_in('dk.admin')
        before = snapshot()
        c.get('/users/new')
        for other in ('Northwind Fleet', 'Northwind Sweden', 'Contoso Charging'):
            with self.subTest(customer=other):
                r = c.post('/users/new', new_user_fields('outsider', other))
                self.assertEqual(r.status, 400, r)
                self.assertTrue(error_of(r.text, 'customer_id'))
        self.assertEqual(snapshot(), before)

    def test_locations_must_be_visible_and_at_the_customer_or_below(self):
        STACK.query("INSERT INTO locations (customer_id, name, created_at, updated_at) VALUES "
                    "(?, 'Aarhus depot', 0, 0), (?, 'Denmark HQ', 0, 0), (?, 'Malmo yard', 0, 0), "
                    "(?, 'Boston lot', 0, 0)", cid('Aarhus'), cid('Northwind Denmark'),
                    cid('Northwind Sweden'), cid('Contoso Charging'))
        loc = {n: STACK.query('SELECT id FROM locations WHERE name = ?', n)[0][0]
               for n in ('Aarhus depot', 'Denmark HQ', 'Malmo yard', 'Boston lot')}
        c = self.logged_in('dk.admin')
        r = c.get('/users/new')
        shown = {int(v) for v in re.findall(r'name="location" value="(\d+)"', r.text)}
        # every location of Denmark and below (the demo's too), none beside
        subtree = {r[0] for r in STACK.query(
            'SELECT l.id FROM locations l JOIN customers c ON c.id = l.customer_id '
            'WHERE c.name IN (?, ?)', 'Aarhus', 'Northwind Denmark')}
        self.assertEqual(shown, subtree)
        self.assertTrue({loc['Aarhus depot'], loc['Denmark HQ']} <= shown)
        before = snapshot()
        for name, customer in (('Malmo yard', 'Aarhus'), ('Boston lot', 'Aarhus'),
                               ('Denmark HQ', 'Aarhus')):   # above the user's customer
            with self.subTest(location=name):
                r = c.post('/users/new', new_user_fields('located', customer,
                                                         location=str(loc[name])))
                self.assertEqual(r.status, 400, r)
                self.assertTrue(error_of(r.text, 'location'))
        self.assertEqual(snapshot(), before)
        new = self.create(c, 'located', 'Northwind Denmark',
                          location=[str(loc['Aarhus depot']), str(loc['Denmark HQ'])])
        self.assertEqual({r[0] for r in STACK.query(
            'SELECT location_id FROM user_locations WHERE user_id = ?', new)},
            {loc['Aarhus depot'], loc['Denmark HQ']})
        r = c.get('/users?q=located')
        self.assertIn('Aarhus depot', r.text)

    def test_missing_csrf_token_is_403_and_changes_nothing(self):
        c = self.logged_in('admin')
        before = snapshot()
        r = c.post('/users/new', new_user_fields('no.csrf', 'Aarhus'), csrf=False)
        self.assertEqual(r.status, 403)
        r = c.post(f'/users/{uid("driver")}', form_of('driver', full_name='Hacked'), csrf=False)
        self.assertEqual(r.status, 403)
        r = c.post(f'/users/{uid("driver")}/delete', csrf='forged-token')
        self.assertEqual(r.status, 403)
        self.assertEqual(snapshot(), before)


class EditTests(UsersTest):
    def test_edit_page_shows_the_user(self):
        c = self.logged_in('dk.admin')
        r = c.get(f'/users/{uid("driver")}')
        self.assertEqual(r.status, 200, r)
        assert_html_page(r)
        tidy_check(r.text)
        self.assertIn('value="driver@northwind.example"', r.text)
        self.assertIn('Northwind Denmark › Aarhus', r.text)
        self.assertIn(f'href="/users/{uid("driver")}/delete"', r.text)

    def test_edit_saves_fields(self):
        target = self.make_user('edit.me', 'Aarhus')
        c = self.logged_in('dk.admin')
        c.get(f'/users/{target}')
        r = c.post(f'/users/{target}', form_of('edit.me', email='edited@example.test',
                                               username='edited.me', full_name='Ed Ited',
                                               customer_id=str(cid('Northwind Denmark')),
                                               group=['account_admin']))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.location, f'/users/{target}')
        row = STACK.query('SELECT email, username, full_name, customer_id, groups FROM users '
                          'WHERE id = ?', target)[0]
        self.assertEqual(row, ('edited@example.test', 'edited.me', 'Ed Ited',
                               cid('Northwind Denmark'), 1))
        self.assertIn((target, uid('dk.admin'), 'edited.me'), events('user_updated'))
        self.assertIn('Changes to edited.me were saved.', c.get(r.location).text)

    def test_edit_duplicate_is_refused(self):
        target = self.make_user('edit.dup', 'Aarhus')
        c = self.logged_in('dk.admin')
        before = snapshot()
        c.get(f'/users/{target}')
        r = c.post(f'/users/{target}', form_of('edit.dup', email='driver@northwind.example'))
        self.assertEqual(r.status, 400)
        self.assertEqual(error_of(r.text, 'email'), 'This e-mail address is already in use.')
        r = c.post(f'/users/{target}', form_of('edit.dup', username='Driver'))
        self.assertEqual(r.status, 400)
        self.assertEqual(error_of(r.text, 'username'), 'This username is already taken.')
        self.assertEqual(snapshot(), before)

    def test_moving_a_user_outside_the_scope_is_refused(self):
        target = self.make_user('stay.put', 'Aarhus')
        c = self.logged_in('dk.admin')
        before = snapshot()
        c.get(f'/users/{target}')
        for other in ('Northwind Fleet', 'Northwind Sweden', 'Contoso Charging'):
            r = c.post(f'/users/{target}', form_of('stay.put', customer_id=str(cid(other))))
            self.assertEqual(r.status, 400, r)
            self.assertTrue(error_of(r.text, 'customer_id'))
        self.assertEqual(snapshot(), before)

    def test_groups_the_editor_lacks_stay_as_they_were(self):
        """A user holding a group dk.admin lacks (Full Device Access) is out of dk.admin's
        reach (issue 12): shown without the form, and every change refused, the group
        kept; dk.admin cannot grant the group to anyone either."""
        target = self.make_user('strong.one', 'Aarhus', groups=1 | 2)
        c = self.logged_in('dk.admin')
        r = c.get(f'/users/{target}')
        self.assertEqual(r.status, 200)
        self.assertNotIn('name="group"', r.text)
        self.assertIn('they hold Full Device Access, which you do not', r.text)
        before = snapshot()
        for change in ({'group': ['account_admin'], 'full_name': 'Still Strong'},
                       {'group': []}, {'email': 'mine@example.test'},
                       {'password_mode': 'manual', 'password': NEW_PASSWORD},
                       {'password_mode': 'welcome'}):
            with self.subTest(change=change):
                r = c.post(f'/users/{target}', form_of('strong.one', **change))
                self.assertEqual(r.status, 403)
                self.assertIn('they hold Full Device Access, which you do not', r.text)
        self.assertEqual(snapshot(), before)
        self.assertEqual(STACK.query('SELECT groups FROM users WHERE id = ?', target)[0][0], 3)
        # granting a group dk.admin lacks, to someone without it
        plain = self.make_user('plain.one', 'Aarhus')
        r = c.post(f'/users/{plain}', form_of('plain.one', group=['device_management']))
        self.assertEqual(r.status, 400)
        self.assertEqual(error_of(r.text, 'group'),
                         'You can only grant the groups you hold yourself.')
        self.assertEqual(STACK.query('SELECT groups FROM users WHERE id = ?', plain)[0][0], 0)

    def test_deactivating_ends_the_users_sessions(self):
        target = self.make_user('to.deactivate', 'Aarhus')
        victim = self.logged_in('to.deactivate')
        other = self.logged_in('to.deactivate')
        self.assertEqual(victim.get('/accounts').status, 200)
        self.assertEqual(sessions_of('to.deactivate'), 2)
        c = self.logged_in('dk.admin')
        c.get(f'/users/{target}')
        r = c.post(f'/users/{target}', form_of('to.deactivate', active=None))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(STACK.query('SELECT active FROM users WHERE id = ?', target)[0][0], 0)
        self.assertEqual(sessions_of('to.deactivate'), 0)
        for client in (victim, other):
            r = client.get('/accounts')
            self.assertEqual(r.status, 303)
            self.assertTrue(r.location.startswith('/login'))
        self.assertIn((target, uid('dk.admin'), 'to.deactivate'), events('user_deactivated'))
        r = Client(STACK)
        r.get('/login')
        self.assertEqual(r.post('/login', [('username', 'to.deactivate'),
                                           ('password', PASSWORD)]).status, 401)

    def test_manual_password_on_edit_forces_a_change_and_ends_sessions(self):
        target = self.make_user('reset.by.admin', 'Aarhus')
        victim = self.logged_in('reset.by.admin')
        c = self.logged_in('dk.admin')
        c.get(f'/users/{target}')
        r = c.post(f'/users/{target}', form_of('reset.by.admin', password_mode='manual',
                                               password=NEW_PASSWORD))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(sessions_of('reset.by.admin'), 0)
        self.assertEqual(victim.get('/accounts').status, 303)
        self.assertEqual(STACK.query('SELECT must_change_password FROM users WHERE id = ?',
                                     target)[0][0], 1)

    def test_self_protection(self):
        """No self-deactivation, no removing one's own Account Administrator, no move, no
        password through this form, no self-delete."""
        c = self.logged_in('dk.admin')
        me = uid('dk.admin')
        before = snapshot()
        c.get(f'/users/{me}')
        cases = [({'active': None}, 'active'),
                 ({'group': []}, 'group'),
                 ({'customer_id': str(cid('Aarhus'))}, 'customer_id'),
                 ({'password_mode': 'manual', 'password': NEW_PASSWORD}, 'password_mode')]
        for change, field in cases:
            with self.subTest(change=change):
                r = c.post(f'/users/{me}', form_of('dk.admin', **change))
                self.assertEqual(r.status, 400, r)
                self.assertTrue(error_of(r.text, field))
        self.assertEqual(c.get(f'/users/{me}/delete').status, 403)
        c.get('/users')
        self.assertEqual(c.post(f'/users/{me}/delete').status, 403)
        self.assertEqual(snapshot(), before)
        r = c.get(f'/users/{me}')
        self.assertNotIn(f'href="/users/{me}/delete"', r.text)
        # other fields of one's own user may change
        r = c.post(f'/users/{me}', form_of('dk.admin', phone='+45 5555'))
        self.assertEqual(r.status, 303, r)
        self.assertAlive(c)

    def assertAlive(self, client):
        self.assertEqual(client.get('/accounts').status, 200)


class DeleteTests(UsersTest):
    def test_delete_asks_then_deletes(self):
        target = self.make_user('to.delete', 'Aarhus')
        victim = self.logged_in('to.delete')
        c = self.logged_in('dk.admin')
        r = c.get(f'/users/{target}/delete')
        self.assertEqual(r.status, 200, r)
        assert_html_page(r)
        tidy_check(r.text)
        self.assertIn(f'action="/users/{target}/delete"', r.text)
        self.assertIn('to.delete@example.test', r.text)
        self.assertIsNotNone(user_row('to.delete'), 'GET deletes nothing')
        r = c.post(f'/users/{target}/delete')
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.location, '/users')
        self.assertIsNone(user_row('to.delete'))
        self.assertEqual(STACK.query('SELECT count(*) FROM sessions WHERE user_id = ?',
                                     target)[0][0], 0)
        self.assertEqual(victim.get('/accounts').status, 303)
        self.assertIn('User to.delete was deleted.', c.get('/users').text)
        ev = [e for e in events('user_deleted') if 'to.delete' in e[2]]
        self.assertEqual(len(ev), 1)
        self.assertEqual(ev[0][1], uid('dk.admin'))
        # twice: gone, 404
        self.assertEqual(c.post(f'/users/{target}/delete').status, 404)


class CrossTenantTests(UsersTest):
    """A child, a sibling and an unrelated account try ids above or beside them."""

    def test_ids_outside_the_subtree_are_404_and_change_nothing(self):
        viewers = {
            'dk.admin': ['admin', 'former', 'se.user', 'se.admin', 'contoso.admin', 'operator'],
            'se.admin': ['admin', 'former', 'dk.admin', 'driver', 'contoso.admin', 'operator'],
            'contoso.admin': ['admin', 'dk.admin', 'driver', 'se.user', 'se.admin', 'operator'],
        }
        missing = STACK.query('SELECT max(id) + 1000 FROM users')[0][0]
        for viewer, targets in viewers.items():
            c = self.logged_in(viewer)
            c.get('/users')
            nowhere = c.get(f'/users/{missing}')
            self.assertEqual(nowhere.status, 404)
            for target in targets:
                tid = uid(target)
                before = snapshot()
                sessions_before = STACK.query('SELECT count(*) FROM sessions WHERE user_id = ?',
                                              tid)
                with self.subTest(viewer=viewer, target=target):
                    r = c.get(f'/users/{tid}')
                    self.assertEqual(r.status, 404)
                    self.assertEqual(r.stable_text.replace(str(tid), str(missing)),
                                     nowhere.stable_text.replace(str(tid), str(missing)),
                                     'the same page as for a missing id')
                    self.assertEqual(c.get(f'/users/{tid}/delete').status, 404)
                    c.get('/users')
                    r = c.post(f'/users/{tid}', form_of(
                        target, full_name='Taken Over', email=f'{viewer}.owns@example.test',
                        active=None, password_mode='manual', password=NEW_PASSWORD,
                        customer_id=str(STACK.query(
                            'SELECT customer_id FROM users WHERE username = ?', viewer)[0][0])))
                    self.assertEqual(r.status, 404)
                    r = c.post(f'/users/{tid}/delete')
                    self.assertEqual(r.status, 404)
                    self.assertEqual(snapshot(), before)
                    self.assertEqual(STACK.query(
                        'SELECT count(*) FROM sessions WHERE user_id = ?', tid), sessions_before)

    def test_create_in_another_account_and_move_into_it_are_refused(self):
        c = self.logged_in('contoso.admin')
        before = snapshot()
        c.get('/users/new')
        r = c.post('/users/new', new_user_fields('planted', 'Aarhus'))
        self.assertEqual(r.status, 400)
        self.assertTrue(error_of(r.text, 'customer_id'))
        r = c.post(f'/users/{uid("contoso.admin")}', form_of(
            'contoso.admin', customer_id=str(cid('Northwind Fleet'))))
        self.assertEqual(r.status, 400)
        self.assertEqual(snapshot(), before)

    def test_operator_manages_every_account(self):
        c = self.logged_in('operator')
        target = self.make_user('op.target', 'Contoso Charging')
        r = c.get(f'/users/{target}')
        self.assertEqual(r.status, 200)
        r = c.post(f'/users/{target}', form_of('op.target', customer_id=str(cid('Aarhus')),
                                               group=['device_management']))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(STACK.query('SELECT customer_id, groups FROM users WHERE id = ?',
                                     target)[0], (cid('Aarhus'), 4))



class ArborctlTests(UsersTest):
    """`arborctl operator add` and `arborctl passwd`: the Users model's rules on the
    command line, the password on standard input."""

    def test_operator_add(self):
        p = STACK.arborctl('operator', 'add', 'second.op', 'second.op@example.test',
                           input=NEW_PASSWORD + '\n')
        self.assertIn('operator second.op added', p.stdout)
        op = uid('second.op')
        self.assertEqual(STACK.query('SELECT is_operator, customer_id, groups, active, '
                                     'must_change_password FROM users WHERE id = ?', op)[0],
                         (1, None, 447, 1, 0))
        self.assertIn((op, None, 'second.op (arborctl)'), events('user_created'))
        self.assertIn((op, None, '(arborctl)'), events('password_set'))
        c = Client(STACK)
        self.assertEqual(c.login('second.op', NEW_PASSWORD).location, '/accounts',
                         'no forced change at the first sign-in')
        seen = {u for _, _, u in self.list_all(c)[0]}
        self.assertIn('contoso.admin', seen, 'an operator sees every account')

    def test_operator_add_refusals_change_nothing(self):
        cases = [(('taken.name', 'admin', 'fresh@example.test', NEW_PASSWORD), 'username'),
                 (('taken.email', 'fresh.op', 'Driver@Northwind.Example', NEW_PASSWORD),
                  'email'),
                 (('bad.name', 'has space', 'fresh@example.test', NEW_PASSWORD), 'username'),
                 (('bad.email', 'fresh.op', 'not-an-address', NEW_PASSWORD), 'email'),
                 (('short', 'fresh.op', 'fresh@example.test', 'short'), 'password'),
                 (('own.name', 'fresh.op.name', 'fresh@example.test', 'fresh.op.name'),
                  'password')]
        before = snapshot()
        for (what, username, email, password), field in cases:
            with self.subTest(what=what):
                p = STACK.arborctl('operator', 'add', username, email, input=password + '\n',
                                   check=False)
                self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
                self.assertIn(f'arborctl: {field}: ', p.stderr)
        p = STACK.arborctl('operator', 'add', 'fresh.op', 'fresh@example.test', check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn('no password on standard input', p.stderr)
        self.assertEqual(snapshot(), before)

    def test_passwd(self):
        target = self.make_user('cli.passwd', 'Aarhus')
        victim = self.logged_in('cli.passwd')
        before = snapshot()
        for name, password, message in (('nobody.here', NEW_PASSWORD, 'no such user'),
                                        ('cli.passwd', 'short', 'arborctl: password: ')):
            with self.subTest(name=name, password=password):
                p = STACK.arborctl('passwd', name, input=password + '\n', check=False)
                self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
                self.assertIn(message, p.stderr)
        self.assertEqual(snapshot(), before)
        self.assertEqual(sessions_of('cli.passwd'), 1)
        p = STACK.arborctl('passwd', 'cli.passwd', input=NEW_PASSWORD + '\n')
        self.assertIn('password of cli.passwd changed', p.stdout)
        self.assertEqual(sessions_of('cli.passwd'), 0)
        self.assertEqual(victim.get('/accounts').status, 303)
        self.assertEqual(STACK.query('SELECT must_change_password FROM users WHERE id = ?',
                                     target)[0][0], 0)
        self.assertEqual(Client(STACK).login('cli.passwd', NEW_PASSWORD).location, '/accounts')

if __name__ == '__main__':
    unittest.main()
