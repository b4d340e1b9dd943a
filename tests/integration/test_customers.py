"""Customers tab: the subtree list, creating, editing and moving customers, MFA enforcement.

One demo Stack serves the module. Besides the demo users, setUpModule adds users
with the groups these tests need (same password as the demo users):

  dk.nca      Northwind Denmark   Nested Customer Administrator only
  dk.boss     Northwind Denmark   Account Administrator + Nested Customer Administrator
  se.nca      Northwind Sweden    Nested Customer Administrator
  aarhus.nca  Aarhus              Account Administrator + Nested Customer Administrator
  fleet.nca   Northwind Fleet     Nested Customer Administrator only
  pager.nca   "Paging Corp"       Nested Customer Administrator (an account of 61 customers)

Tests that change shared rows put them back; tests that need their own rows
make them (names carry the test's name), so the order of tests does not matter.
"""
import html
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arbor_stack import Client, parse_page  # noqa: E402
from fixtures import (AA, NCA, STACK, PageTest, client, control, customer_ids,  # noqa: E402
                      field_error, last_event_id, make_customer, make_user, option_values,
                      pages, selected_option, start_stack, subtree_ids, uid as user_id)

IDS = {}          # demo customer name -> id

EXTRA_USERS = [
    ('dk.nca', 'Northwind Denmark', NCA),
    ('dk.boss', 'Northwind Denmark', AA | NCA),
    ('se.nca', 'Northwind Sweden', NCA),
    ('aarhus.nca', 'Aarhus', AA | NCA),
    ('fleet.nca', 'Northwind Fleet', NCA),
    ('pager.nca', 'Paging Corp', NCA),
]
PAGING_CHILDREN = 60


def setUpModule():
    start_stack()
    IDS.update(customer_ids())
    paging = make_customer('Paging Corp', None)
    for i in range(PAGING_CHILDREN):
        make_customer(f'Paging child {i:02d}', paging)
    IDS['Paging Corp'] = paging
    for username, customer, groups in EXTRA_USERS:
        make_user(username, customer, groups)


# ------------------------------------------------------------------ helpers

def fields(**kw):
    """A valid customer form; keyword None drops a field."""
    f = {'name': 'Test Co', 'email': 'test@example.com', 'country': 'DK',
         'time_zone': 'Europe/Copenhagen', 'time_format': '24h', 'units': 'metric'}
    f.update(kw)
    return {k: v for k, v in f.items() if v is not None}


def customers_table():
    return STACK.query('SELECT * FROM customers ORDER BY id')


def customer(cid):
    con = STACK.db()
    try:
        cur = con.execute('SELECT * FROM customers WHERE id = ?', (cid,))
        row = cur.fetchone()
        return dict(zip((d[0] for d in cur.description), row)) if row else None
    finally:
        con.close()


def events_since(mark):
    return STACK.query('SELECT kind, detail FROM events WHERE id > ? ORDER BY id', mark)


def list_rows(text):
    """[(id, name, path)] of the customers table on a list page."""
    rows = re.findall(r'<th scope="row"><a href="/customers/(\d+)">(.*?)</a></th>\s*'
                      r'<td class="muted">(.*?)</td>', text, re.S)
    return [(int(i), html.unescape(n), html.unescape(p)) for i, n, p in rows]


def all_rows(c, path):
    """list_rows over every page of a list, following the rel=next links."""
    return [row for text in pages(c, path) for row in list_rows(text)]


def field_block(text, field):
    """The <div class="field…"> (or fieldset) that holds the control named field."""
    for m in re.finditer(r'<div class="field[^"]*">.*?</div>', text, re.S):
        if f'for="{field}"' in m.group(0):
            return m.group(0)
    return None


def assert_labelled(test, text):
    """Every visible form control has a <label for=…>."""
    labels = set(re.findall(r'<label for="([^"]+)"', text))
    for a in parse_page(text)[1]:
        if a.get('type') in ('hidden', 'submit') or a.get('name') in ('csrf_token',):
            continue
        if 'id' not in a and a.get('type') is None and a.get('name') is None:
            continue
        if a.get('class') == 'link-button':
            continue
        test.assertIn(a.get('id'), labels, f'control {a} has no label')


class CustomersTest(PageTest):
    def assertFlash(self, c, location, contains):
        r = c.get(location)
        self.assertEqual(r.status, 200, r)
        m = re.search(r'<p class="flash"[^>]*>(.*?)</p>', r.text, re.S)
        self.assertIsNotNone(m, 'no flash message on the next page')
        self.assertIn(contains, html.unescape(m.group(1)))
        return r


# ------------------------------------------------------------------ the list

class ListTests(CustomersTest):
    def test_admin_sees_exactly_the_northwind_subtree(self):
        """admin: every customer under Northwind Fleet (incl. itself), count, never Contoso."""
        r = client('admin').get('/customers')
        self.assertPage(r)
        expected = subtree_ids(IDS['Northwind Fleet'])
        self.assertIn(f'{len(expected)} customers', r.text)
        self.assertNotIn('Contoso', r.text)
        self.assertNotIn('Paging', r.text)
        all_ = all_rows(client('admin'), '/customers')
        self.assertEqual({row[0] for row in all_}, expected)
        self.assertEqual(len(all_), len(expected), 'no row twice across pages')
        for _, name, path in all_:
            self.assertTrue(path.startswith('Northwind Fleet'), path)
            self.assertTrue(path.endswith(name), (path, name))
        rows = {row[0]: row[2] for row in all_}
        self.assertEqual(rows[IDS['Aarhus']], 'Northwind Fleet › Northwind Denmark › Aarhus')

    def test_nca_on_denmark_sees_denmark_and_below_only(self):
        """dk.nca: Denmark and Aarhus, paths start at Denmark, no name above or beside."""
        r = client('dk.nca').get('/customers')
        self.assertPage(r)
        rows = list_rows(r.text)
        self.assertEqual({row[0] for row in rows}, subtree_ids(IDS['Northwind Denmark']))
        self.assertIn(IDS['Aarhus'], {row[0] for row in rows})
        for hidden in ('Northwind Fleet', 'Northwind Sweden', 'Contoso'):
            self.assertNotIn(hidden, r.text)
        for _, _, path in rows:
            self.assertTrue(path.startswith('Northwind Denmark'), path)
        self.assertIn((IDS['Aarhus'], 'Aarhus', 'Northwind Denmark › Aarhus'), rows)

    def test_grandchild_and_other_account_see_their_own_only(self):
        """aarhus.nca sees Aarhus (and below) only; contoso.admin only Contoso."""
        rows = list_rows(client('aarhus.nca').get('/customers').text)
        self.assertEqual({r[0] for r in rows}, subtree_ids(IDS['Aarhus']))
        self.assertEqual(rows[0][2].split(' › ')[0], 'Aarhus')
        r = client('contoso.admin').get('/customers')
        self.assertEqual({row[0] for row in list_rows(r.text)}, {IDS['Contoso Charging']})
        self.assertNotIn('Northwind', r.text)

    def test_operator_sees_every_account(self):
        """operator: Northwind and Contoso customers alike (first page, sorted by name)."""
        r = client('operator').get('/customers?q=.example')
        self.assertPage(r)
        ids = {row[0] for row in all_rows(client('operator'), '/customers?q=.example')}
        self.assertIn(IDS['Contoso Charging'], ids)
        self.assertIn(IDS['Northwind Fleet'], ids)

    def test_search_by_name_and_email(self):
        """q matches the name or the e-mail, case-insensitively; % and _ are literal."""
        c = client('admin')
        rows = list_rows(c.get('/customers?q=AARHUS').text)
        self.assertEqual([r[0] for r in rows], [IDS['Aarhus']])
        rows = list_rows(c.get('/customers?q=sweden%40northwind').text)
        self.assertEqual([r[0] for r in rows], [IDS['Northwind Sweden']])
        for literal in ('%', '_', '\\'):
            r = c.get('/customers?q=' + {'%': '%25', '_': '_', '\\': '%5C'}[literal])
            self.assertEqual(r.status, 200, r)
            self.assertEqual(list_rows(r.text), [], f'q={literal!r} must match literally')
            self.assertIn('0 customers', r.text)
        r = c.get('/customers?q=Contoso')
        self.assertEqual(list_rows(r.text), [])
        self.assertIn('No customer matches', r.text)
        self.assertEqual(control(r.text, 'q').get('value'), 'Contoso', 'the search text is kept')

    def test_sort_by_each_column_and_direction(self):
        """sort=name/email/country/users with dir=asc/desc orders the rows; aria-sort marks it."""
        c = client('admin')
        names = [r[1] for r in list_rows(c.get('/customers?sort=name&dir=asc').text)]
        self.assertEqual(names, sorted(names, key=str.lower))
        desc = [r[1] for r in list_rows(c.get('/customers?sort=name&dir=desc').text)]
        self.assertEqual(desc, sorted(names, key=str.lower, reverse=True))
        r = c.get('/customers?sort=email&dir=desc')
        emails = re.findall(r'<td class="muted">.*?</td>\s*<td>(.*?)</td>', r.text)
        self.assertEqual(emails, sorted(emails, key=str.lower, reverse=True))
        self.assertRegex(r.text, r'<th scope="col" aria-sort="descending"><a href="[^"]*sort=email')
        r = c.get('/customers?sort=users&dir=desc')
        users = [int(u) for u in re.findall(r'<td class="num">(\d+)</td>', r.text)]
        self.assertEqual(users, sorted(users, reverse=True))
        self.assertGreater(users[0], users[-1])
        r = c.get('/customers?sort=country&dir=asc')
        countries = re.findall(r'<td>(Denmark|Sweden)</td>', r.text)
        self.assertEqual(countries, sorted(countries))
        # an unknown key falls back to name, never into SQL
        r = c.get('/customers?sort=name%3BDROP+TABLE+customers&dir=sideways')
        self.assertEqual(r.status, 200, r)
        self.assertEqual([x[1] for x in list_rows(r.text)], names)

    def test_pagination_50_a_page(self):
        """61 customers: page 1 has 50, page 2 has 11, links between them, no overlap."""
        c = client('pager.nca')
        r1 = c.get('/customers')
        self.assertPage(r1)
        self.assertIn('61 customers', r1.text)
        p1 = [r[0] for r in list_rows(r1.text)]
        self.assertEqual(len(p1), 50)
        self.assertIn('Page 1 of 2', r1.text)
        nxt = re.search(r'<a href="([^"]+)" rel="next">', r1.text)
        self.assertIsNotNone(nxt)
        r2 = c.get(html.unescape(nxt.group(1)))
        self.assertEqual(r2.status, 200, r2)
        p2 = [r[0] for r in list_rows(r2.text)]
        self.assertEqual(len(p2), 11)
        self.assertFalse(set(p1) & set(p2))
        self.assertEqual(set(p1) | set(p2), subtree_ids(IDS['Paging Corp']))
        self.assertIn('rel="prev"', r2.text)
        self.assertNotIn('rel="next"', r2.text)
        # the search and the sort survive paging
        r = c.get('/customers?q=child&sort=name&dir=desc&page=2')
        self.assertEqual([x[1] for x in list_rows(r.text)],
                         [f'Paging child {i:02d}' for i in range(9, -1, -1)])
        self.assertIn('q=child', html.unescape(re.search(r'href="([^"]+)" rel="prev"',
                                                         r.text).group(1)))

    def test_rows_link_to_customer_pages(self):
        """Each row links to /customers/{id}, which opens."""
        c = client('dk.nca')
        for cid, _, _ in list_rows(c.get('/customers').text):
            self.assertEqual(c.get(f'/customers/{cid}').status, 200)

    def test_customer_id_lists_the_nested_customers_location_id_is_ignored(self):
        """customer_id: the customers directly below it (issue 13: a customer page links
        there), 404 outside the view like a missing one; location_id is no filter here."""
        c = client('dk.nca')
        want = list_rows(c.get('/customers').text)
        r = c.get(f'/customers?customer_id={IDS["Aarhus"]}')
        self.assertEqual(r.status, 200, r)
        below = {r[0] for r in STACK.query('SELECT id FROM customers WHERE parent_id = ?',
                                           IDS['Aarhus'])}
        self.assertEqual({row[0] for row in list_rows(r.text)}, below)
        for query in (f'customer_id={IDS["Contoso Charging"]}', 'customer_id=999999'):
            with self.subTest(query=query):
                self.assertEqual(c.get(f'/customers?{query}').status, 404)
        r = c.get('/customers?location_id=999999')
        self.assertEqual(r.status, 200, r)
        self.assertEqual(list_rows(r.text), want)


# ------------------------------------------------------------------ the Accounts tab

ACCOUNT_ROW_RE = re.compile(
    r'<th scope="row"><a href="/customers/(\d+)">(.*?)</a></th>\s*<td>(.*?)</td>\s*'
    r'<td>(.*?)</td>\s*<td class="num">(\d+)</td>\s*<td class="num">(\d+)</td>')


def your_account(text):
    """{term: value} of the "Your account" panel, or None."""
    m = re.search(r'<h2 id="customer-heading">Your account</h2>\s*<dl class="details">(.*?)</dl>',
                  text, re.S)
    if not m:
        return None
    return {html.unescape(t): html.unescape(d)
            for t, d in re.findall(r'<dt>(.*?)</dt><dd>(.*?)</dd>', m.group(1))}


class AccountsTests(CustomersTest):
    def test_operator_sees_every_account_with_its_customers_and_users(self):
        """operator: one row per root customer, by name, with the counts of its whole subtree."""
        r = client('operator').get('/accounts')
        self.assertPage(r)
        self.assertIsNone(your_account(r.text))
        rows = ACCOUNT_ROW_RE.findall(r.text)
        roots = STACK.query('SELECT id, name, email, owner_email FROM customers '
                            'WHERE parent_id IS NULL')
        self.assertEqual(sorted(int(x[0]) for x in rows), sorted(x[0] for x in roots))
        names = [html.unescape(x[1]) for x in rows]
        self.assertEqual(names, sorted(names))
        self.assertIn(f'Accounts on this platform: <strong>{len(roots)}</strong>', r.text)
        for cid, name, email, owner in roots:
            row = next(x for x in rows if int(x[0]) == cid)
            below = subtree_ids(cid)
            users = STACK.query('SELECT count(*) FROM users WHERE customer_id IN (%s)'
                                % ','.join(map(str, below)))[0][0]
            with self.subTest(account=name):
                self.assertEqual((html.unescape(row[1]), html.unescape(row[2]),
                                  html.unescape(row[3]), int(row[4]), int(row[5])),
                                 (name, email, owner, len(below), users))

    def test_others_see_their_own_customer_only(self):
        """admin: the account with its owner; dk.nca: Denmark, no owner; no list of accounts."""
        cases = {'admin': {'Customer': 'Northwind Fleet', 'Main e-mail': 'fleet@northwind.example',
                           'Owner e-mail': 'owner@northwind.example', 'Country': 'Denmark',
                           'Time zone': 'Europe/Copenhagen'},
                 'dk.nca': {'Customer': 'Northwind Denmark',
                            'Main e-mail': 'denmark@northwind.example', 'Country': 'Denmark',
                            'Time zone': 'Europe/Copenhagen'},
                 'contoso.admin': {'Customer': 'Contoso Charging',
                                   'Main e-mail': 'ops@contoso.example',
                                   'Owner e-mail': 'owner@contoso.example',
                                   'Country': 'United States', 'Time zone': 'America/New_York'}}
        for username, want in cases.items():
            with self.subTest(user=username):
                r = client(username).get('/accounts')
                self.assertPage(r)
                self.assertEqual(your_account(r.text), want)
                self.assertIsNone(ACCOUNT_ROW_RE.search(r.text), 'no list of accounts')
                self.assertNotIn('All accounts', r.text)


# ------------------------------------------------------------------ create

class CreateTests(CustomersTest):
    def test_form_offers_the_subtree_and_the_catalogs(self):
        """GET /customers/new (dk.nca): parents = Denmark's subtree, countries, zones; labelled, tidy."""
        r = client('dk.nca').get('/customers/new')
        self.assertPage(r)
        assert_labelled(self, r.text)
        parents = {int(v) for v in option_values(r.text, 'parent_id') if v}
        self.assertEqual(parents, subtree_ids(IDS['Northwind Denmark']))
        self.assertEqual(selected_option(r.text, 'parent_id'), str(IDS['Northwind Denmark']))
        self.assertNotIn('Northwind Fleet', r.text)
        countries = option_values(r.text, 'country')
        self.assertIn('DK', countries)
        self.assertIn('US', countries)
        self.assertGreater(len(countries), 200)
        self.assertIn('Europe/Copenhagen', option_values(r.text, 'time_zone'))
        self.assertEqual(set(option_values(r.text, 'time_format')), {'', '12h', '24h'})
        self.assertEqual(set(option_values(r.text, 'units')), {'', 'metric', 'imperial'})
        for name in ('name', 'email', 'country', 'time_zone', 'time_format', 'units',
                     'parent_id', 'require_mfa', 'csrf_token'):
            self.assertIsNotNone(control(r.text, name), name)
        self.assertIsNone(control(r.text, 'owner_email'), 'only operators make accounts')

    def test_parent_id_query_preselects_a_visible_parent_only(self):
        """?parent_id=Aarhus preselects it; ?parent_id=Fleet (not visible) falls back to own."""
        c = client('dk.nca')
        r = c.get(f'/customers/new?parent_id={IDS["Aarhus"]}')
        self.assertEqual(selected_option(r.text, 'parent_id'), str(IDS['Aarhus']))
        r = c.get(f'/customers/new?parent_id={IDS["Northwind Fleet"]}')
        self.assertEqual(r.status, 200)
        self.assertEqual(selected_option(r.text, 'parent_id'), str(IDS['Northwind Denmark']))
        self.assertNotIn('Northwind Fleet', r.text)

    def test_create_nested_customer(self):
        """POST /customers/new: 303 to its page, flash there, row with path /1/2/…/ and depth."""
        c = client('dk.nca')
        mark = last_event_id()
        r = c.post('/customers/new', fields(name='Odense Test', email='odense@northwind.example',
                                            country='DK', time_zone='Europe/Copenhagen',
                                            time_format='12h', units='imperial',
                                            parent_id=str(IDS['Aarhus'])))
        self.assertEqual(r.status, 303, r)
        m = re.fullmatch(r'/customers/(\d+)', r.location or '')
        self.assertIsNotNone(m, r.location)
        new_id = int(m.group(1))
        page = self.assertFlash(c, r.location, 'Odense Test')
        self.assertIn('<h1>Odense Test</h1>', page.text)
        self.assertIn('Northwind Denmark › Aarhus › Odense Test', page.text)
        row = customer(new_id)
        parent = customer(IDS['Aarhus'])
        self.assertEqual(row['parent_id'], IDS['Aarhus'])
        self.assertEqual(row['path'], f'{parent["path"]}{new_id}/')
        self.assertTrue(row['path'].startswith(f'/{IDS["Northwind Fleet"]}/{IDS["Northwind Denmark"]}/'))
        self.assertEqual(row['depth'], parent['depth'] + 1)
        self.assertEqual((row['name'], row['email'], row['country'], row['time_zone'],
                          row['time_format'], row['units'], row['require_mfa'],
                          row['owner_email']),
                         ('Odense Test', 'odense@northwind.example', 'DK', 'Europe/Copenhagen',
                          '12h', 'imperial', 0, None))
        self.assertIn(('customer_created', f'customer {new_id}'), events_since(mark))
        # and it is in the list of the one who made it, not of a sibling
        self.assertIn(new_id, {x[0] for x in list_rows(c.get('/customers?q=Odense').text)})
        self.assertEqual(list_rows(client('se.nca').get('/customers?q=Odense').text), [])

    def test_rejected_form_keeps_input_and_marks_each_field(self):
        """Each bad field: 400, its error next to it (class error, has-error), input kept, nothing saved."""
        c = client('dk.nca')
        cases = [
            ('name', fields(name='')),
            ('name', fields(name='x' * 201)),
            ('name', fields(name='two\nlines')),
            ('email', fields(email='not-an-address')),
            ('email', fields(email='a@b')),
            ('email', fields(email='a' * 250 + '@example.com')),
            ('country', fields(country='XX')),
            ('country', fields(country=None)),
            ('time_zone', fields(time_zone='Mars/Olympus_Mons')),
            ('time_format', fields(time_format='25h')),
            ('units', fields(units='furlongs')),
            ('parent_id', fields(parent_id='abc')),
            ('parent_id', fields()),
        ]
        before = customers_table()
        for field, form in cases:
            form = dict(form)
            if field != 'parent_id':
                form['parent_id'] = str(IDS['Northwind Denmark'])
            with self.subTest(field=field, value=form.get(field)):
                r = c.post('/customers/new', form)
                self.assertPage(r, 400)
                self.assertTrue(field_error(r.text, field), f'no error next to {field}')
                block = field_block(r.text, field)
                self.assertIsNotNone(block)
                self.assertIn('has-error', block)
                self.assertIn('class="error"', block)
                self.assertIn('error-summary', r.text)
                errors = re.findall(r'<p class="error" id="([^"]+)-error">', r.text)
                self.assertEqual(errors, [field], 'only the bad field is marked')
                if field != 'name':
                    self.assertEqual(control(r.text, 'name').get('value'), 'Test Co')
                if field != 'email':
                    self.assertEqual(control(r.text, 'email').get('value'), 'test@example.com')
                if field != 'time_zone':
                    self.assertEqual(selected_option(r.text, 'time_zone'), 'Europe/Copenhagen')
                if field != 'country':
                    self.assertEqual(selected_option(r.text, 'country'), 'DK')
        self.assertEqual(customers_table(), before)

    def test_valid_page_has_no_errors_map(self):
        """A fresh form shows no error summary and no error messages."""
        r = client('admin').get('/customers/new')
        self.assertNotIn('error-summary', r.text)
        self.assertNotIn('class="error"', r.text)
        self.assertNotIn('has-error', r.text)

    def test_parent_outside_the_subtree_is_refused_like_a_missing_one(self):
        """dk.nca with parent Fleet, Sweden, Contoso or a missing id: the same field error, nothing made."""
        c = client('dk.nca')
        before = customers_table()
        messages = set()
        for parent in (IDS['Northwind Fleet'], IDS['Northwind Sweden'],
                       IDS['Contoso Charging'], IDS['Paging Corp'], 999999):
            with self.subTest(parent=parent):
                r = c.post('/customers/new', fields(name='Escape', parent_id=str(parent)))
                self.assertPage(r, 400)
                messages.add(field_error(r.text, 'parent_id'))
        self.assertEqual(len(messages), 1, f'different answers tell ids apart: {messages}')
        self.assertEqual(customers_table(), before)

    def test_only_operators_create_accounts(self):
        """admin with parent_id='' is refused; the operator gets a root with an owner e-mail."""
        before = customers_table()
        r = client('admin').post('/customers/new', fields(name='Rogue Root', parent_id=''))
        self.assertPage(r, 400)
        self.assertTrue(field_error(r.text, 'parent_id'))
        self.assertEqual(customers_table(), before)

        op = client('operator')
        form = op.get('/customers/new')
        self.assertIsNotNone(control(form.text, 'owner_email'))
        r = op.post('/customers/new', fields(name='Fabrikam Test', email='ops@fabrikam.example',
                                             parent_id='', owner_email='boss@fabrikam.example'))
        self.assertEqual(r.status, 303, r)
        cid = int(r.location.rsplit('/', 1)[1])
        row = customer(cid)
        self.assertEqual((row['parent_id'], row['depth'], row['path'], row['owner_email']),
                         (None, 0, f'/{cid}/', 'boss@fabrikam.example'))
        # empty owner e-mail: the main e-mail is the owner's
        r = op.post('/customers/new', fields(name='Fabrikam Two', email='two@fabrikam.example',
                                             parent_id='', owner_email=''))
        self.assertEqual(r.status, 303, r)
        cid = int(r.location.rsplit('/', 1)[1])
        self.assertEqual(customer(cid)['owner_email'], 'two@fabrikam.example')
        # a bad owner e-mail is an error next to it
        r = op.post('/customers/new', fields(name='Fabrikam Three', parent_id='',
                                             owner_email='nope'))
        self.assertPage(r, 400)
        self.assertTrue(field_error(r.text, 'owner_email'))

    def test_missing_csrf_token_is_403_and_creates_nothing(self):
        """POST /customers/new without csrf_token, or another session's: 403, nothing made."""
        before = customers_table()
        r = client('admin').post('/customers/new', fields(name='No Csrf',
                                                          parent_id=str(IDS['Northwind Fleet'])),
                                 csrf=False)
        self.assertEqual(r.status, 403, r)
        other = client('fleet.nca').csrf or client('fleet.nca').fetch_csrf('/customers')
        r = client('admin').post('/customers/new', fields(name='Wrong Csrf',
                                                          parent_id=str(IDS['Northwind Fleet'])),
                                 csrf=other)
        self.assertEqual(r.status, 403, r)
        r = client('admin').post(f'/customers/{IDS["Northwind Sweden"]}',
                                 fields(name='No Csrf'), csrf=False)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(customers_table(), before)


# ------------------------------------------------------------------ edit and move

class EditTests(CustomersTest):
    def tree(self, prefix, parent):
        """prefix-A under parent, prefix-B under A, prefix-C under B: their ids."""
        a = make_customer(f'{prefix}-A', parent)
        b = make_customer(f'{prefix}-B', a)
        c = make_customer(f'{prefix}-C', b)
        return a, b, c

    def edit(self, username, cid, **kw):
        row = customer(cid)
        form = fields(name=row['name'], email=row['email'], country=row['country'],
                      time_zone=row['time_zone'], time_format=row['time_format'],
                      units=row['units'])
        if row['parent_id'] is not None:
            form['parent_id'] = str(row['parent_id'])
        if row['require_mfa']:
            form['require_mfa'] = '1'
        form.update(kw)
        return client(username).post(f'/customers/{cid}',
                                     {k: v for k, v in form.items() if v is not None})

    def test_edit_page_shows_the_customer_and_its_settings(self):
        """GET /customers/{id}: one h1 with the name, the form filled in, tidy, labelled."""
        r = client('dk.nca').get(f'/customers/{IDS["Aarhus"]}')
        self.assertPage(r)
        assert_labelled(self, r.text)
        self.assertIn('<h1>Aarhus</h1>', r.text)
        self.assertEqual(control(r.text, 'name').get('value'), 'Aarhus')
        self.assertEqual(control(r.text, 'email').get('value'), 'aarhus@northwind.example')
        self.assertEqual(selected_option(r.text, 'country'), 'DK')
        self.assertEqual(selected_option(r.text, 'time_zone'), 'Europe/Copenhagen')
        self.assertEqual(selected_option(r.text, 'parent_id'), str(IDS['Northwind Denmark']))
        # the customer itself is not a parent it could be moved under
        self.assertNotIn(str(IDS['Aarhus']), option_values(r.text, 'parent_id'))
        self.assertNotIn('Northwind Fleet', r.text)

    def test_edit_saves_fields_with_flash(self):
        """POST /customers/{id}: 303 back to it, flash, the row changed."""
        cid = make_customer('Edit me', IDS['Northwind Sweden'])
        r = self.edit('admin', cid, name='Edited Co', email='edited@example.com', country='SE',
                      time_zone='Europe/Stockholm', time_format='12h', units='imperial')
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.location, f'/customers/{cid}')
        self.assertFlash(client('admin'), r.location, 'Edited Co')
        row = customer(cid)
        self.assertEqual((row['name'], row['email'], row['country'], row['time_zone'],
                          row['time_format'], row['units'], row['parent_id']),
                         ('Edited Co', 'edited@example.com', 'SE', 'Europe/Stockholm', '12h',
                          'imperial', IDS['Northwind Sweden']))

    def test_rejected_edit_keeps_input_and_changes_nothing(self):
        """A bad e-mail on edit: 400, error next to it, the typed name kept, row unchanged."""
        cid = make_customer('Keep me', IDS['Northwind Sweden'])
        before = customer(cid)
        r = self.edit('admin', cid, name='Typed name', email='broken')
        self.assertPage(r, 400)
        self.assertTrue(field_error(r.text, 'email'))
        self.assertEqual(control(r.text, 'name').get('value'), 'Typed name')
        self.assertEqual(control(r.text, 'email').get('value'), 'broken')
        self.assertEqual(customer(cid), before)

    def test_move_rewrites_the_paths_of_the_whole_subtree(self):
        """Moving A (with B and C below) from Denmark to Sweden: new prefix and depth for all three."""
        a, b, c = self.tree('Move', IDS['Northwind Denmark'])
        sweden = customer(IDS['Northwind Sweden'])
        mark = last_event_id()
        r = self.edit('admin', a, parent_id=str(sweden['id']))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(customer(a)['parent_id'], sweden['id'])
        self.assertEqual(customer(a)['path'], f'{sweden["path"]}{a}/')
        self.assertEqual(customer(b)['path'], f'{sweden["path"]}{a}/{b}/')
        self.assertEqual(customer(c)['path'], f'{sweden["path"]}{a}/{b}/{c}/')
        self.assertEqual([customer(x)['depth'] for x in (a, b, c)], [2, 3, 4])
        self.assertEqual(customer(b)['parent_id'], a)
        self.assertIn(('customer_moved',
                       f'customer {a}: parent {IDS["Northwind Denmark"]} -> {sweden["id"]}'),
                      events_since(mark))
        # now visible to Sweden's administrator and gone from Denmark's
        self.assertTrue({a, b, c} <= subtree_ids(IDS['Northwind Sweden']))
        se_ids = {x[0] for x in list_rows(client('se.nca').get('/customers?q=Move-').text)}
        self.assertEqual(se_ids, {a, b, c})
        self.assertEqual(list_rows(client('dk.nca').get('/customers?q=Move-').text), [])
        # deeper: move B under Aarhus (depth 2 → 3); C follows
        aarhus = customer(IDS['Aarhus'])
        r = self.edit('admin', b, parent_id=str(aarhus['id']))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(customer(b)['path'], f'{aarhus["path"]}{b}/')
        self.assertEqual(customer(c)['path'], f'{aarhus["path"]}{b}/{c}/')
        self.assertEqual((customer(b)['depth'], customer(c)['depth']), (3, 4))
        self.assertEqual(customer(a)['path'], f'{sweden["path"]}{a}/')
        # no two customers share a path, every path matches its parent's
        for cid, parent, path, depth in STACK.query('SELECT id, parent_id, path, depth '
                                                    'FROM customers'):
            if parent is not None:
                ppath, pdepth = STACK.query('SELECT path, depth FROM customers WHERE id = ?',
                                            parent)[0]
                self.assertEqual((path, depth), (f'{ppath}{cid}/', pdepth + 1))

    def test_move_with_ids_that_share_prefixes(self):
        """Paths like /…/1/ vs /…/10/: moving one subtree leaves the look-alike alone."""
        base = make_customer('Prefix base', IDS['Northwind Sweden'])
        made = [make_customer(f'Prefix {i}', base) for i in range(12)]
        # pick two whose ids are prefixes of each other as text, if the ids allow it
        by_text = {str(x): x for x in made}
        pair = next(((x, by_text[s + '0']) for s, x in by_text.items() if s + '0' in by_text),
                    None) or (made[0], made[1])
        child_of_first = make_customer('Prefix child', pair[0])
        second_before = customer(pair[1])
        r = self.edit('admin', pair[0], parent_id=str(IDS['Aarhus']))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(customer(pair[1]), second_before)
        self.assertEqual(customer(child_of_first)['path'],
                         f'{customer(IDS["Aarhus"])["path"]}{pair[0]}/{child_of_first}/')

    def test_move_under_itself_or_a_descendant_is_refused(self):
        """A under A, B or C: 400 with the error at parent_id, nothing changed."""
        a, b, c = self.tree('Loop', IDS['Northwind Denmark'])
        before = customers_table()
        for target in (a, b, c):
            with self.subTest(target=target):
                r = self.edit('admin', a, parent_id=str(target))
                self.assertPage(r, 400)
                self.assertIn('itself', field_error(r.text, 'parent_id'))
        self.assertEqual(customers_table(), before)
        # the form does not even offer them
        options = option_values(client('admin').get(f'/customers/{a}').text, 'parent_id')
        self.assertFalse({str(a), str(b), str(c)} & set(options))

    def test_own_customer_can_be_edited_but_not_moved(self):
        """dk.boss: Denmark's name changes; any parent_id is a field error; no parent select."""
        dk = IDS['Northwind Denmark']
        c = client('dk.boss')
        r = c.get(f'/customers/{dk}')
        self.assertPage(r)
        self.assertIsNone(control(r.text, 'parent_id'), 'own customer: no parent to choose')
        before = customers_table()
        for parent in (IDS['Aarhus'], IDS['Northwind Fleet'], IDS['Northwind Sweden'], ''):
            with self.subTest(parent=parent):
                r = self.edit('dk.boss', dk, parent_id=str(parent))
                if parent == '':
                    continue  # an empty choice is no move at all; checked below
                self.assertPage(r, 400)
                self.assertIn('cannot be moved', field_error(r.text, 'parent_id'))
                self.assertEqual(customers_table(), before)
        r = self.edit('dk.boss', dk, parent_id=None, name='Northwind Danmark')
        self.assertEqual(r.status, 303, r)
        try:
            row = customer(dk)
            self.assertEqual((row['name'], row['parent_id'], row['path']),
                             ('Northwind Danmark', IDS['Northwind Fleet'],
                              f'/{IDS["Northwind Fleet"]}/{dk}/'))
        finally:
            STACK.query("UPDATE customers SET name = 'Northwind Denmark' WHERE id = ?", dk)
        # admin's own customer is an account: name edits keep the owner e-mail
        fleet = customer(IDS['Northwind Fleet'])
        r = self.edit('admin', fleet['id'], owner_email='attacker@example.com')
        self.assertEqual(r.status, 303, r)
        self.assertEqual(customer(fleet['id'])['owner_email'], fleet['owner_email'])
        self.assertIsNone(customer(fleet['id'])['parent_id'])

    def test_move_to_a_parent_outside_the_subtree_is_refused(self):
        """dk.nca moves a Denmark customer under Sweden / Fleet / Contoso: 400, unchanged."""
        cid = make_customer('Stay home', IDS['Northwind Denmark'])
        before = customers_table()
        for parent in (IDS['Northwind Sweden'], IDS['Northwind Fleet'], IDS['Contoso Charging'],
                       999999):
            with self.subTest(parent=parent):
                r = self.edit('dk.nca', cid, parent_id=str(parent))
                self.assertPage(r, 400)
                self.assertEqual(field_error(r.text, 'parent_id'),
                                 'Choose a customer from the list.')
        r = self.edit('dk.nca', cid, parent_id='')
        self.assertPage(r, 400)
        self.assertEqual(customers_table(), before)

    def test_operator_moves_an_account_under_another_and_back(self):
        """operator: a root moves under Contoso (owner e-mail cleared) and back to a root."""
        root = make_customer('Loose account', None)
        kid = make_customer('Loose kid', root)
        contoso = customer(IDS['Contoso Charging'])
        r = self.edit('operator', root, parent_id=str(contoso['id']))
        self.assertEqual(r.status, 303, r)
        row = customer(root)
        self.assertEqual((row['parent_id'], row['depth'], row['path'], row['owner_email']),
                         (contoso['id'], 1, f'{contoso["path"]}{root}/', None))
        self.assertEqual(customer(kid)['path'], f'{contoso["path"]}{root}/{kid}/')
        r = self.edit('operator', root, parent_id='', owner_email='owner@loose.example')
        self.assertEqual(r.status, 303, r)
        row = customer(root)
        self.assertEqual((row['parent_id'], row['depth'], row['path'], row['owner_email']),
                         (None, 0, f'/{root}/', 'owner@loose.example'))
        self.assertEqual((customer(kid)['path'], customer(kid)['depth']), (f'/{root}/{kid}/', 1))


# ------------------------------------------------------------------ visibility matrix

class CrossTenantTests(CustomersTest):
    def test_ids_above_and_beside_answer_404_and_change_nothing(self):
        """Child, grandchild, sibling and other-account users: GET and POST on foreign ids → 404."""
        missing = 999999
        matrix = {
            'dk.nca': ['Northwind Fleet', 'Northwind Sweden', 'Contoso Charging', 'Paging Corp'],
            'aarhus.nca': ['Northwind Fleet', 'Northwind Denmark', 'Northwind Sweden',
                           'Contoso Charging'],
            'se.nca': ['Northwind Fleet', 'Northwind Denmark', 'Aarhus', 'Contoso Charging'],
            'contoso.admin': ['Northwind Fleet', 'Northwind Denmark', 'Aarhus',
                              'Northwind Sweden'],
        }
        before = customers_table()
        mark = last_event_id()
        for username, names in matrix.items():
            c = client(username)
            ref = c.get(f'/customers/{missing}')
            self.assertPage(ref, 404)
            own = STACK.query('SELECT customer_id FROM users WHERE username = ?', username)[0][0]
            for name in names:
                cid = IDS[name]
                with self.subTest(user=username, target=name):
                    r = c.get(f'/customers/{cid}')
                    self.assertEqual(r.status, 404, r)
                    self.assertNotIn(html.escape(name), r.text)
                    self.assertEqual(re.sub(r'value="[^"]*"', '', r.stable_text),
                                     re.sub(r'value="[^"]*"', '', ref.stable_text),
                                     'a hidden id must look exactly like a missing one')
                    for form in (fields(name='HACKED', parent_id=str(own)),
                                 fields(name='HACKED', require_mfa='1'),
                                 fields(name='', email='bad')):
                        r = c.post(f'/customers/{cid}', form)
                        self.assertEqual(r.status, 404, r)
                    r = c.post(f'/customers/{own}', fields(name='HACKED', parent_id=str(cid)))
                    self.assertEqual(r.status, 400, r)
        self.assertEqual(customers_table(), before)
        self.assertFalse([e for e in events_since(mark) if e[0].startswith(('customer', 'mfa'))])

    def test_ids_that_are_not_ids_are_404(self):
        """/customers/0, /customers/-1, /customers/abc, /customers/01: 404."""
        c = client('admin')
        for path in ('/customers/0', '/customers/-1', '/customers/abc', '/customers/01',
                     '/customers/99999999999999999999', '/customers/1/extra'):
            with self.subTest(path=path):
                self.assertEqual(c.get(path).status, 404)


# ------------------------------------------------------------------ groups

class GroupTests(CustomersTest):
    def test_users_without_nested_customer_administrator_get_403(self):
        """driver, dk.admin (AA only), se.user (FDA): 403 on every customers route, nothing made."""
        before = customers_table()
        for username in ('driver', 'dk.admin', 'se.user'):
            c = client(username)
            own = STACK.query('SELECT customer_id FROM users WHERE username = ?', username)[0][0]
            for path in ('/customers', '/customers/new', f'/customers/{own}'):
                with self.subTest(user=username, path=path):
                    self.assertEqual(c.get(path).status, 403)
            for path in ('/customers/new', f'/customers/{own}'):
                with self.subTest(user=username, post=path):
                    r = c.post(path, fields(name='Not allowed', parent_id=str(own)))
                    self.assertEqual(r.status, 403, r)
            r = c.get('/accounts')
            self.assertNotIn('href="/customers"', r.text)
        self.assertEqual(customers_table(), before)

    def test_nested_customer_administrator_sees_the_tab(self):
        """dk.nca: the Customers tab is in the navigation and marked current on /customers."""
        r = client('dk.nca').get('/customers')
        self.assertIn('<a href="/customers" aria-current="page">Customers</a>', r.text)

    def test_anonymous_is_sent_to_login(self):
        """No session: GET → login with next, POST → login; nothing made."""
        c = Client(STACK)
        r = c.get('/customers?q=x')
        self.assertEqual(r.status, 303)
        self.assertTrue(r.location.startswith('/login?next=%2Fcustomers'), r.location)


# ------------------------------------------------------------------ MFA setting

class MfaSettingTests(CustomersTest):
    def setUp(self):
        self.addCleanup(STACK.query, 'UPDATE customers SET require_mfa = 0 WHERE id IN (?, ?, ?)',
                        IDS['Northwind Fleet'], IDS['Northwind Denmark'], IDS['Aarhus'])

    def checkbox(self, text):
        return control(text, 'require_mfa') or {}

    def test_non_account_administrator_cannot_set_or_clear_it(self):
        """dk.nca (no AA): box disabled; posted require_mfa ignored on create and edit."""
        c = client('dk.nca')
        r = c.get('/customers/new')
        self.assertIn('disabled', self.checkbox(r.text))
        mark = last_event_id()
        r = c.post('/customers/new', fields(name='No MFA power',
                                            parent_id=str(IDS['Northwind Denmark']),
                                            require_mfa='1'))
        self.assertEqual(r.status, 303, r)
        cid = int(r.location.rsplit('/', 1)[1])
        self.assertEqual(customer(cid)['require_mfa'], 0)
        r = c.post(f'/customers/{cid}', fields(name='No MFA power',
                                               parent_id=str(IDS['Northwind Denmark']),
                                               require_mfa='1'))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(customer(cid)['require_mfa'], 0)
        # and one that requires it stays so when the box is not sent
        STACK.query('UPDATE customers SET require_mfa = 1 WHERE id = ?', cid)
        r = c.post(f'/customers/{cid}', fields(name='No MFA power',
                                               parent_id=str(IDS['Northwind Denmark'])))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(customer(cid)['require_mfa'], 1)
        self.assertFalse([e for e in events_since(mark) if e[0].startswith('mfa')])

    def test_account_administrator_enforces_and_lifts_it_with_events(self):
        """admin: require_mfa=1 → row 1 and an mfa_enforced event; unchecked → 0, mfa_unenforced."""
        cid = make_customer('MFA target', IDS['Northwind Sweden'])
        c = client('admin')
        self.assertNotIn('disabled', self.checkbox(c.get(f'/customers/{cid}').text))
        mark = last_event_id()
        r = c.post(f'/customers/{cid}', fields(name='MFA target',
                                               parent_id=str(IDS['Northwind Sweden']),
                                               require_mfa='1'))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(customer(cid)['require_mfa'], 1)
        self.assertIn(('mfa_enforced', f'customer {cid}'), events_since(mark))
        self.assertIn('checked', self.checkbox(c.get(f'/customers/{cid}').text))
        mark = last_event_id()
        r = c.post(f'/customers/{cid}', fields(name='MFA target',
                                               parent_id=str(IDS['Northwind Sweden'])))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(customer(cid)['require_mfa'], 0)
        self.assertIn(('mfa_unenforced', f'customer {cid}'), events_since(mark))
        # creating with it on logs it too
        mark = last_event_id()
        r = c.post('/customers/new', fields(name='MFA from birth',
                                            parent_id=str(IDS['Northwind Sweden']),
                                            require_mfa='1'))
        new_id = int(r.location.rsplit('/', 1)[1])
        self.assertEqual(customer(new_id)['require_mfa'], 1)
        self.assertIn(('mfa_enforced', f'customer {new_id}'), events_since(mark))

    def test_descendant_cannot_clear_an_ancestors_requirement(self):
        """Denmark requires MFA: Aarhus's own admin sees it locked and cannot clear Aarhus's flag."""
        c = client('aarhus.nca')
        # an enforced requirement sends users without MFA to enrolment first: this
        # one has MFA and passed it in this session
        uid = user_id('aarhus.nca')
        STACK.query('UPDATE users SET totp_enabled = 1 WHERE id = ?', uid)
        self.addCleanup(STACK.query, 'UPDATE users SET totp_enabled = 0 WHERE id = ?', uid)
        STACK.query('UPDATE sessions SET mfa_passed = 1 WHERE user_id = ?', uid)
        STACK.query('UPDATE customers SET require_mfa = 1 WHERE id IN (?, ?)',
                    IDS['Northwind Denmark'], IDS['Aarhus'])
        r = c.get(f'/customers/{IDS["Aarhus"]}')
        self.assertPage(r)
        box = self.checkbox(r.text)
        self.assertIn('checked', box)
        self.assertIn('disabled', box)
        self.assertIn('Required by a customer above', r.text)
        self.assertNotIn('Northwind Denmark', r.text, 'which customer above is not shown')
        mark = last_event_id()
        r = c.post(f'/customers/{IDS["Aarhus"]}', fields(name='Aarhus',
                                                          email='aarhus@northwind.example'))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(customer(IDS['Aarhus'])['require_mfa'], 1)
        self.assertEqual(customer(IDS['Northwind Denmark'])['require_mfa'], 1)
        self.assertFalse([e for e in events_since(mark) if e[0].startswith('mfa')])
        # a nested customer made below Aarhus shows the requirement as in force
        r = c.post('/customers/new', fields(name='Below Aarhus', parent_id=str(IDS['Aarhus'])))
        self.assertEqual(r.status, 303, r)
        page = c.get(r.location)
        self.assertIn('Required by a customer above', page.text)
        self.assertIn('checked', self.checkbox(page.text))
        # the top administrator can lift Denmark's own flag (nothing above it requires MFA)
        r = client('admin').post(f'/customers/{IDS["Northwind Denmark"]}',
                                 fields(name='Northwind Denmark', email='denmark@northwind.example',
                                        parent_id=str(IDS['Northwind Fleet'])))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(customer(IDS['Northwind Denmark'])['require_mfa'], 0)

    def test_moving_out_from_under_a_requirement_needs_account_administrator(self):
        """Denmark requires MFA: fleet.nca (no AA) cannot move a Denmark customer to Sweden; admin can."""
        STACK.query('UPDATE customers SET require_mfa = 1 WHERE id = ?', IDS['Northwind Denmark'])
        cid = make_customer('Wants out', IDS['Northwind Denmark'])
        before = customers_table()
        r = client('fleet.nca').post(f'/customers/{cid}', fields(
            name='Wants out', parent_id=str(IDS['Northwind Sweden'])))
        self.assertPage(r, 400)
        self.assertIn('MFA', field_error(r.text, 'parent_id'))
        self.assertEqual(customers_table(), before)
        r = client('admin').post(f'/customers/{cid}', fields(
            name='Wants out', parent_id=str(IDS['Northwind Sweden'])))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(customer(cid)['parent_id'], IDS['Northwind Sweden'])


if __name__ == '__main__':
    unittest.main(verbosity=2)
