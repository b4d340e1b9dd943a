"""The Users and Devices lists at scale (issue 14): pages by position
(next/previous links naming a row, a position outside the scope or gone
falling back to the page number), counts from counters or bounded at 1000,
trigram and prefix search, exact e-mail/username/unit id/device id
matches, and the hint that replaces the customer select beyond 200
customers.

Each test class adds its rows to the database in one transaction (the
triggers keep the counters and search indexes in step) and removes every
row with a higher id than it found when it is done, so the other classes
see the demo data unchanged. Expected answers are computed here from the
tables: ASCII case folding is what SQLite's NOCASE and LIKE do.
"""
import html
import os
import re
import string
import sys
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures import (AA, FDA, STACK, PageTest, cid, db_enforcing_keys,  # noqa: E402
                      insert_customer, logged_in, setUpModule, user_rows)
from test_customers import assert_labelled  # noqa: E402

ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
PAGE_SIZE = 50
BOUND = 1000
# the tables a class adds to, children first: the order they are emptied in
ADDED_TABLES = ('devices', 'users', 'locations', 'customers')
DEVICE_ROW_RE = re.compile(r'<th scope="row"><a href="/devices/(\d+)">([^<]*)</a></th>')


def fold(text):
    return (text or '').translate(ASCII_LOWER)


# ------------------------------------------------------------------ rows

def highest_ids():
    return {t: STACK.query(f'SELECT coalesce(max(id), 0) FROM {t}')[0][0] for t in ADDED_TABLES}


def remove_added(since):
    """Delete every row above the ids since holds, customers leaves first."""
    con = db_enforcing_keys()
    try:
        con.execute('BEGIN')
        for table in ADDED_TABLES[:-1]:
            con.execute(f'DELETE FROM {table} WHERE id > ?', (since[table],))
        for (customer,) in con.execute('SELECT id FROM customers WHERE id > ? ORDER BY depth DESC',
                                       (since['customers'],)).fetchall():
            con.execute('DELETE FROM customers WHERE id = ?', (customer,))
        con.execute('COMMIT')
    finally:
        con.close()


def add_user(con, customer_id, email, username, full_name='', groups=0):
    """A user with the demo password (admin's hash); returns its id."""
    return con.execute(
        'INSERT INTO users (customer_id, email, username, full_name, password_hash, groups, '
        "created_at, updated_at) SELECT ?, ?, ?, ?, password_hash, ?, 0, 0 FROM users "
        "WHERE username = 'admin'", (customer_id, email, username, full_name, groups)).lastrowid


def add_device(con, customer_id, unit_id, name, vehicle='', vin=None, location_id=None,
               registered=1700000000):
    """A device; returns (id, device id)."""
    device_uuid = str(uuid.uuid4())
    new = con.execute(
        'INSERT INTO devices (unit_id, device_uuid, name, vehicle_name, vin, customer_id, '
        'location_id, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        (unit_id, device_uuid, name, vehicle, vin, customer_id, location_id,
         registered)).lastrowid
    return new, device_uuid


def add_customer(con, parent_id, name):
    """A customer below parent_id with its path and depth set as the app sets them."""
    return insert_customer(con, name, parent_id, 'x@example.com', None)


def scope_path(viewer):
    """The path of viewer's customer ('/' for an operator)."""
    return STACK.query('SELECT coalesce(c.path, \'/\') FROM users u LEFT JOIN customers c '
                       'ON c.id = u.customer_id WHERE u.username = ?', viewer)[0][0]


def visible_users(viewer):
    """[(id, email, username, full name, customer path, last sign-in or 0, groups,
    active)] of the users viewer's scope holds."""
    path = scope_path(viewer)
    return STACK.query('SELECT u.id, u.email, u.username, u.full_name, c.path, '
                       'coalesce(u.last_login_at, 0), u.groups, u.active FROM users u JOIN '
                       'customers c ON c.id = u.customer_id WHERE substr(c.path, 1, ?) = ?',
                       len(path), path)


def visible_devices(viewer):
    """{id: (unit id, device id, name, vehicle, VIN, customer path, location name or '',
    registered)} of the devices viewer sees: the subtree's, only at the viewer's
    locations when they have some."""
    path = scope_path(viewer)
    return {r[0]: r[1:] for r in STACK.query(
        'SELECT d.id, d.unit_id, d.device_uuid, d.name, d.vehicle_name, d.vin, c.path, '
        "coalesce(l.name, ''), d.registered_at FROM devices d JOIN customers c ON "
        'c.id = d.customer_id LEFT JOIN locations l ON l.id = d.location_id JOIN users u ON '
        'u.username = ? WHERE substr(c.path, 1, ?) = ? AND (NOT EXISTS (SELECT 1 FROM '
        'user_locations ul WHERE ul.user_id = u.id) OR d.location_id IN (SELECT location_id '
        'FROM user_locations ul WHERE ul.user_id = u.id))', viewer, len(path), path)}


# per sort key of a list: its place in the rows above, and whether it compares NOCASE
USER_SORTS = {'email': (1, True), 'username': (2, True), 'customer': (4, False),
              'last_login': (5, False), 'groups': (6, False), 'active': (7, False)}
DEVICE_SORTS = {'unit_id': (1, True), 'name': (3, True), 'customer': (6, False),
                'location': (7, False), 'registered': (8, False)}


def in_order(rows, sort, desc):
    """The ids of rows (id first) in a list's order: the sort key (column, nocase),
    then the id, both in the direction asked."""
    column, nocase = sort
    return [r[0] for r in sorted(rows, key=lambda r: (fold(r[column]) if nocase else r[column],
                                                       r[0]), reverse=desc)]


def face_value(mine, outsider, position):
    """The ids of the page after (before) outsider's place among mine, (sort key, id)
    pairs: what a position outside the scope would show if it were obeyed."""
    side = sorted(r for r in mine if (r > outsider) == (position == 'after'))
    return [i for _, i in (side[:PAGE_SIZE] if position == 'after' else side[-PAGE_SIZE:])]


def device_matches(q, fields):
    """Whether a device's fields (unit id, device id, name, vehicle, VIN) answer search q:
    a substring of one of them from three characters on, the start of one below; the
    device id (a UUID) by its start only, at any length."""
    q = fold(q)
    folded = [fold(f) for f in fields]
    if folded[1].startswith(q):
        return True
    others = folded[:1] + folded[2:]
    if len(q) < 3:
        return any(f.startswith(q) for f in others)
    return any(q in f for f in others)


# ------------------------------------------------------------------ pages

def user_ids(text):
    return [i for i, _, _ in user_rows(text)]


def device_ids(text):
    return [int(i) for i, _ in DEVICE_ROW_RE.findall(text)]


def link(text, rel):
    """The href of the pagination link rel (next, prev), or None."""
    m = re.search(rf'<a href="([^"]*)" rel="{rel}">', text)
    return html.unescape(m.group(1)) if m else None


def query_of(href):
    return urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)


def walk(client, path, rel, ids):
    """[(path, ids of its rows, text)] of path and every page rel leads to from it."""
    out = []
    while path:
        r = client.get(path)
        assert r.status == 200, (path, r)
        out.append((path, ids(r.text), r.text))
        path = link(r.text, rel)
        assert len(out) < 100, f'{rel} links go round: {path}'
    return out


def every_row(client, path, ids):
    """The ids of every row of a list from path on, and its first page's text."""
    pages = walk(client, path, 'next', ids)
    return [i for _, page, _ in pages for i in page], pages[0][2]


def list_count(text):
    m = re.search(r'<p class="list-count">(.*?)</p>', text, re.S)
    return html.unescape(m.group(1)) if m else None


def page_label(text):
    m = re.search(r'<span class="pagination-page">([^<]*)</span>', text)
    return m.group(1) if m else None


def without_csrf(text):
    return re.sub(r'name="csrf_token" value="[^"]*"', '', text)


def exact_any_href(text):
    """The link of the notice that q is exactly one row's e-mail, username or id."""
    m = re.search(r'<p class="notice">“[^<]*” is exactly this [^<]*<a href="([^"]*)">', text)
    return html.unescape(m.group(1)) if m else None


class ScaleTest(PageTest):
    """Adds rows (add_rows, one transaction) for the class and removes them after it."""

    @classmethod
    def setUpClass(cls):
        cls.since = highest_ids()
        cls.clients = {}
        con = STACK.db()
        try:
            con.execute('BEGIN')
            cls.add_rows(con)
            con.execute('COMMIT')
        finally:
            con.close()

    @classmethod
    def tearDownClass(cls):
        remove_added(cls.since)

    def assert_walk(self, c, start, ids, want):
        """Next links from start (page 1) to the end show want; previous links from
        there lead back through the same pages."""
        forward = walk(c, start, 'next', ids)
        self.assertGreater(len(forward), 1, 'the list should span pages')
        self.assertEqual([i for _, page, _ in forward for i in page], want)
        self.assertEqual([len(page) for _, page, _ in forward[:-1]],
                         [PAGE_SIZE] * (len(forward) - 1))
        for number, (path, _, _) in enumerate(forward[1:], 2):
            asked = query_of(path)
            self.assertEqual(asked['page'], [str(number)], path)
            self.assertEqual(asked['after'], [str(forward[number - 2][1][-1])], path)
            self.assertNotIn('before', asked, path)
        back = walk(c, forward[-1][0], 'prev', ids)
        self.assertEqual([page for _, page, _ in reversed(back)],
                         [page for _, page, _ in forward])
        # back[j] is page len(back) - j, reached by the link on back[j - 1]
        for j in range(1, len(back)):
            number, asked = len(back) - j, query_of(back[j][0])
            if number == 1:
                self.assertFalse({'page', 'after', 'before'} & asked.keys(), back[j][0])
            else:
                self.assertEqual(asked['page'], [str(number)], back[j][0])
                self.assertEqual(asked['before'], [str(back[j - 1][1][0])], back[j][0])
                self.assertNotIn('after', asked, back[j][0])

    def client(self, viewer):
        if viewer not in self.clients:
            self.clients[viewer] = logged_in(viewer)
        return self.clients[viewer]

    def assert_by_number(self, c, path, position, row_id, ids, leaked=None):
        """path (a page number) with a position of row_id answers what path answers;
        leaked: the rows the position would show if it were taken at face value."""
        base = c.get(path)
        self.assertEqual(len(ids(base.text)), PAGE_SIZE)
        if leaked is not None:
            self.assertNotEqual(leaked, ids(base.text), 'the test cannot tell them apart')
        r = c.get(f'{path}&{position}={row_id}')
        self.assertEqual(r.status, 200)
        self.assertEqual(without_csrf(r.text), without_csrf(base.text))
        return r


# ------------------------------------------------------------------ users: positions

def paged_user(i, domain, tag):
    """User i of a paged set: e-mails in an order unlike the ids', their first letter
    in either case (NOCASE order is not byte order), usernames in a third order."""
    k = (i * 37) % 211
    return (f'{string.ascii_letters[k % 52]}{k:03d}.pos@{domain}',
            f'{"Pos" if i % 2 else "pos"}.{tag}.{(i * 53) % 211:03d}')


class UserPositionTests(ScaleTest):
    """200 users in Aarhus (dk.admin's scope is most of the table: the scan plan) and
    70 in Contoso (contoso.admin's is under a third: the scope plan)."""

    @classmethod
    def add_rows(cls, con):
        for customer, count, domain, tag in (('Aarhus', 200, 'aarhus.scale.example', 'aa'),
                                             ('Contoso Charging', 70, 'contoso.scale.example',
                                              'co')):
            for i in range(count):
                add_user(con, cid(customer), *paged_user(i, domain, tag))
        # the other sort keys, with ties that the id breaks
        con.execute('UPDATE users SET groups = id % 4, active = CASE WHEN id % 5 = 0 THEN 0 '
                    'ELSE 1 END, last_login_at = CASE WHEN id % 7 != 0 THEN 1700000000 + '
                    'id % 13 * 1000 END '
                    "WHERE email LIKE '%.pos@%.scale.example'")

    def expected(self, viewer, sort, desc, q):
        found = [r for r in visible_users(viewer) if any(fold(q) in fold(f) for f in r[1:4])]
        return in_order(found, USER_SORTS[sort], desc)

    def test_next_and_prev_links_walk_every_user_once(self):
        """Following rel=next from page 1 yields every visible user once in the list's
        order; rel=prev from the last page yields the same pages back; next links name
        the last row shown (after=), prev links the first (before=), page 1 neither. In
        each plan: the scan (dk.admin), the scope (contoso.admin), the search's hits; by
        every sort key but locations, whose ties the id breaks."""
        for viewer, q in (('dk.admin', ''), ('contoso.admin', ''), ('dk.admin', '.pos@')):
            for sort, desc in [(key, desc) for key in USER_SORTS for desc in (False, True)]:
                with self.subTest(viewer=viewer, sort=sort, desc=desc, q=q):
                    start = (f'/users?sort={sort}&dir={"desc" if desc else "asc"}'
                             f'&q={urllib.parse.quote(q)}')
                    self.assert_walk(self.client(viewer), start, user_ids,
                                     self.expected(viewer, sort, desc, q))

    def test_a_position_keeps_its_page_when_rows_come_before_it(self):
        """Page 2 reached by its next link starts after the row that link names: a user
        added at the top since shifts page 2 by number, not page 2 by position."""
        c = self.client('dk.admin')
        page1 = c.get('/users?sort=email&dir=asc')
        by_position = link(page1.text, 'next')
        before = user_ids(c.get(by_position).text)
        con = STACK.db()
        try:
            top = add_user(con, cid('Aarhus'), '0.top@aarhus.scale.example', '0.top')
        finally:
            con.close()
        try:
            self.assertEqual(user_ids(c.get(by_position).text), before)
            self.assertEqual(user_ids(c.get('/users?sort=email&dir=asc&page=2').text),
                             user_ids(page1.text)[-1:] + before[:-1])
        finally:
            STACK.query('DELETE FROM users WHERE id = ?', top)

    def test_a_position_that_is_gone_falls_back_to_the_page_number(self):
        con = STACK.db()
        try:
            gone = add_user(con, cid('Aarhus'), 'aaa.gone@aarhus.scale.example', 'aaa.gone')
            con.execute('DELETE FROM users WHERE id = ?', (gone,))
        finally:
            con.close()
        c = self.client('dk.admin')
        for position in ('after', 'before'):
            with self.subTest(position=position):
                self.assert_by_number(c, '/users?sort=email&dir=asc&page=3', position, gone,
                                      user_ids)

    def test_a_position_outside_the_scope_leaks_no_order(self):
        """A Contoso user's id as dk.admin's position answers page 3 by its number, not
        the rows next to that user's e-mail in dk.admin's order."""
        mine = [(fold(e), i) for i, e, *_ in visible_users('dk.admin')]
        theirs = sorted((fold(e), i) for i, e, *_ in visible_users('contoso.admin'))
        for position, outsider in (('after', theirs[0]), ('before', theirs[-1])):
            with self.subTest(position=position):
                r = self.assert_by_number(
                    self.client('dk.admin'), '/users?sort=email&dir=asc&page=3', position,
                    outsider[1], user_ids, face_value(mine, outsider, position))
                self.assertNotIn('contoso', r.text)


# ------------------------------------------------------------------ users: counts

class UserCountTests(ScaleTest):
    """1100 users of Aarhus whose e-mails hold the rare token "zqxv": n0000…n1099, the
    first 1000 "Quokka Keeper", the other 100 "Quokka Visitor"; inner.n0, whose "n0" is
    not at the start."""

    @classmethod
    def add_rows(cls, con):
        aarhus = cid('Aarhus')
        cls.bulk = {add_user(con, aarhus, f'n{i:04d}.zqxv@count.scale.example', f'cnt{i:04d}',
                             'Quokka Keeper' if i < BOUND else 'Quokka Visitor')
                    for i in range(1100)}
        cls.inner = add_user(con, aarhus, 'inner.n0@count.scale.example', 'inner.n0')

    def test_a_search_beyond_the_bound_says_more_than(self):
        """"More than 1000 users", "of more than 1000", "Page N" without "of M", and the
        next links still reach every match once."""
        c = self.client('dk.admin')
        pages = walk(c, '/users?q=zqxv', 'next', user_ids)
        first = pages[0][2]
        self.assertEqual(list_count(first),
                         'More than 1000 users match “zqxv” (a search counts up to 1000)')
        self.assertIn('Showing 1–50 of more than 1000', first)
        for number, (_, _, text) in enumerate(pages, 1):
            self.assertEqual(page_label(text), f'Page {number}')
        self.assertIn('Showing 1051–1100 of more than 1000', pages[-1][2])
        got = [i for _, ids, _ in pages for i in ids]
        self.assertEqual(len(got), len(self.bulk))
        self.assertEqual(set(got), self.bulk)

    def test_a_prefix_search_beyond_the_bound_says_more_than(self):
        """Two characters (a prefix search) count up to the bound the same way."""
        r = self.client('admin').get('/users?q=n0')    # n0000…n0999: exactly the bound
        self.assertEqual(list_count(r.text), '1000 users match “n0”')
        self.assertIn('Showing 1–50 of 1000', r.text)
        self.assertEqual(page_label(r.text), 'Page 1 of 20')
        STACK.query("UPDATE users SET email = 'n0' || email WHERE username = 'cnt1099'")
        try:
            pages = walk(self.client('admin'), '/users?q=n0', 'next', user_ids)
            self.assertEqual(list_count(pages[0][2]),
                             'More than 1000 users match “n0” (a search counts up to 1000)')
            self.assertEqual(page_label(pages[0][2]), 'Page 1')
            # the start only, in the plan for many candidates too: not the inner n0
            got = [i for _, ids, _ in pages for i in ids]
            starts = {i for i, e, u, n, *_ in visible_users('admin')
                      if any(fold(f).startswith('n0') for f in (e, u, n))}
            self.assertEqual(len(starts), BOUND + 1)
            self.assertEqual(len(got), len(starts))
            self.assertEqual(set(got), starts)
            self.assertNotIn(self.inner, got)
        finally:
            STACK.query("UPDATE users SET email = substr(email, 3) WHERE username = 'cnt1099'")

    def test_exactly_the_bound_is_an_exact_count(self):
        c = self.client('dk.admin')
        for q, n in (('keeper', 1000), ('Visitor', 100), ('n1', 100)):
            with self.subTest(q=q):
                r = c.get(f'/users?q={q}')
                self.assertEqual(list_count(r.text), f'{n} users match “{q}”')
                self.assertIn(f'Showing 1–50 of {n}', r.text)
                self.assertEqual(page_label(r.text), f'Page 1 of {n // PAGE_SIZE}')

    def test_a_filter_beyond_the_bound_says_more_than(self):
        r = self.client('dk.admin').get('/users?active=1')
        self.assertEqual(list_count(r.text), 'More than 1000 users (a search counts up to 1000)')
        self.assertIn('Showing 1–50 of more than 1000', r.text)
        self.assertEqual(page_label(r.text), 'Page 1')

    def test_unfiltered_lists_count_exactly(self):
        """Without a search or filter the count is exact, from the counters, and equals
        the users the rule lets each viewer see."""
        for viewer in ('dk.admin', 'admin', 'operator', 'contoso.admin'):
            with self.subTest(viewer=viewer):
                n = len(visible_users(viewer))
                r = self.client(viewer).get('/users')
                self.assertEqual(list_count(r.text), '1 user' if n == 1 else f'{n} users')
                self.assertIn(f'Showing 1–{min(n, PAGE_SIZE)} of {n}', r.text)
                self.assertEqual(page_label(r.text), f'Page 1 of {-(-n // PAGE_SIZE)}')
        self.assertGreater(len(visible_users('dk.admin')), BOUND)

    def test_the_search_stays_in_the_scope(self):
        r = self.client('contoso.admin').get('/users?q=zqxv')
        self.assertEqual(user_ids(r.text), [])
        self.assertIn('No user matches your search.', r.text)
        self.assertEqual(list_count(r.text), '0 users match “zqxv”')


# ------------------------------------------------------------------ exact matches

class ExactMatchTests(ScaleTest):
    """ann (Aarhus) and big.ann, whose e-mail, username and name hold ann's; Contoso's
    loner; for devices EXU-7000 (Aarhus) and EXU-70001, named after EXU-7000's device
    id; Contoso's EXU-9000."""

    @classmethod
    def add_rows(cls, con):
        aarhus, contoso = cid('Aarhus'), cid('Contoso Charging')
        cls.ann = add_user(con, aarhus, 'exact.ann@scale.example', 'exact.ann')
        cls.big_ann = add_user(con, aarhus, 'big.exact.ann@scale.example.org', 'big.exact.ann')
        cls.loner = add_user(con, contoso, 'loner@contoso.scale.example', 'contoso.loner')
        cls.pat = add_user(con, contoso, 'pat@contoso.scale.example', 'contoso.pat')
        cls.my_pat = add_user(con, aarhus, 'my.pat@contoso.scale.example.dk', 'my.pat')
        cls.unit, cls.unit_uuid = add_device(con, aarhus, 'EXU-7000', 'Exact unit')
        cls.spare, _ = add_device(con, aarhus, 'EXU-70001', f'Spare for {cls.unit_uuid}')
        cls.foreign, cls.foreign_uuid = add_device(con, contoso, 'EXU-9000', 'Contoso unit')

    def assert_exact_then_any(self, c, path, ids, q, alone, every):
        noun = path.strip('/')[:-1]
        r = c.get(f'{path}?q={urllib.parse.quote(q)}')
        self.assertPage(r)
        self.assertEqual(ids(r.text), [alone])
        self.assertEqual(list_count(r.text), f'1 {noun} match “{q}”')
        href = exact_any_href(r.text)
        self.assertIsNotNone(href, 'no link that searches the text')
        self.assertEqual(query_of(href).get('match'), ['any'])
        self.assertEqual(query_of(href).get('q'), [q])
        got, text = every_row(c, href, ids)
        self.assertEqual(sorted(got), sorted(every))
        self.assertIsNone(exact_any_href(text))

    def assert_nothing_exact(self, c, path, ids, q, want):
        r = c.get(f'{path}?q={urllib.parse.quote(q)}')
        self.assertEqual(r.status, 200)
        self.assertEqual(ids(r.text), want)
        self.assertNotIn('is exactly this', r.text)
        self.assertNotIn('match=any', r.text)

    def test_an_exact_email_or_username_shows_that_user_alone(self):
        c = self.client('dk.admin')
        for q in ('exact.ann@scale.example', 'exact.ann'):
            with self.subTest(q=q):
                self.assert_exact_then_any(c, '/users', user_ids, q, self.ann,
                                           [self.ann, self.big_ann])

    def test_an_exact_email_outside_the_scope_is_not_a_match(self):
        """Another tenant's e-mail shows nothing and no notice; where a user of the scope
        contains it, that user, as a plain search."""
        c = self.client('dk.admin')
        self.assert_nothing_exact(c, '/users', user_ids, 'loner@contoso.scale.example', [])
        self.assert_nothing_exact(c, '/users', user_ids, 'contoso.loner', [])
        self.assert_nothing_exact(c, '/users', user_ids, 'pat@contoso.scale.example',
                                  [self.my_pat])

    def test_an_exact_unit_id_or_device_id_shows_that_device_alone(self):
        c = self.client('dk.admin')
        for q in ('EXU-7000', self.unit_uuid):
            with self.subTest(q=q):
                self.assert_exact_then_any(c, '/devices', device_ids, q, self.unit,
                                           [self.unit, self.spare])

    def test_an_exact_device_outside_the_scope_is_not_a_match(self):
        c = self.client('dk.admin')
        for q in ('EXU-9000', self.foreign_uuid):
            with self.subTest(q=q):
                self.assert_nothing_exact(c, '/devices', device_ids, q, [])


# ------------------------------------------------------------------ devices

SEARCHED = [  # unit id, name, vehicle, VIN; at North Terminal when the fifth is true
    ('SRCH-001', 'Kestrel tracker', 'Volvo FH16', 'YV2RT40A0KB123456', True),
    ('SRCH-002', 'Heron tracker', 'Scania R450', 'YS2R4X20005399999', False),
    ('QB-17', 'Quayside unit', 'Bus 7', None, True),
    ('ZT-1', '50% Tank', 'Zephyr', None, False),
    ('U_SCORE', 'Underscore', 'Utility van', None, True),
    ('UXSCORE', 'Ux', 'Utility truck', None, False),
    ('OE-1', 'Ølstue van', 'Åben vogn', None, True),
]
SEARCHES = ['q', 'QB', 'ke', 'Vo', 'yv', 'YS', 'ze', 'bu', 'FH1', 'R450', 'KB1234', '5399',
            'olvo', 'lv', 'tracker', 'TRACK', '%', '_', 'U_', 'U_S', '0% ', '50%', 'Ø', 'Øl',
            'Åben', 'ben vo', 'fl-0']


class DeviceListTests(ScaleTest):
    """160 filler devices in Aarhus (a third at North Terminal) and the SEARCHED ones
    (dk.admin's scope is most of the table: the wide plan); 60 in Contoso and a twin of
    the first SEARCHED (contoso.admin's is a third: the narrow plan); scale.located
    holds Full Device Access in Aarhus at North Terminal only."""

    @classmethod
    def add_rows(cls, con):
        aarhus = cid('Aarhus')
        terminal = con.execute("SELECT id FROM locations WHERE name = 'North Terminal'"
                               ).fetchone()[0]
        yard = con.execute("INSERT INTO locations (customer_id, name, created_at, updated_at) "
                           "VALUES (?, 'Scale Yard', 0, 0)", (aarhus,)).lastrowid
        for i in range(160):
            add_device(con, aarhus, f'FL-{(i * 7) % 160:03d}', f'Filler {(i * 11) % 40:02d}',
                       location_id=(terminal, None, yard)[i % 3],
                       registered=1700000000 + (i % 5) * 86400)
        for unit, name, vehicle, vin, at_terminal in SEARCHED:
            add_device(con, aarhus, unit, name, vehicle, vin, terminal if at_terminal else None)
        contoso = cid('Contoso Charging')
        add_device(con, contoso, 'SRCH-901', 'Kestrel tracker', 'Volvo FH16',
                   'YV2RT40A0KB123457')
        for i in range(60):
            add_device(con, contoso, f'CF-{(i * 7) % 60:02d}', f'Contoso {(i * 13) % 20:02d}')
        located = add_user(con, aarhus, 'located@scale.example', 'scale.located', groups=FDA)
        con.execute('INSERT INTO user_locations (user_id, location_id) VALUES (?, ?)',
                    (located, terminal))

    def assert_search(self, viewer, q):
        """The rows and the count of q equal what the fields of viewer's devices say."""
        devices = visible_devices(viewer)
        want = sorted(i for i, fields in devices.items() if device_matches(q, fields[:5]))
        got, text = every_row(self.client(viewer), f'/devices?q={urllib.parse.quote(q)}',
                              device_ids)
        self.assertEqual(sorted(got), want)
        self.assertEqual(len(got), len(set(got)))
        self.assertEqual(int(re.match(r'(\d+) devices?', list_count(text)).group(1)), len(want))
        return want

    def test_short_and_long_searches_match_as_documented(self):
        """One or two characters: the start of the unit id, device id, name, vehicle or
        VIN; three or more: inside any of them; % and _ only themselves."""
        for q in SEARCHES:
            with self.subTest(q=q):
                self.assert_search('dk.admin', q)
        # the oracle agrees with the documentation on the cases that tell them apart
        devices = visible_devices('dk.admin')
        unit = {fields[0]: i for i, fields in devices.items()}
        self.assertEqual(self.assert_search('dk.admin', 'lv'), [])
        self.assertEqual(self.assert_search('dk.admin', 'olvo'), [unit['SRCH-001']])
        self.assertEqual(self.assert_search('dk.admin', '5399'), [unit['SRCH-002']])
        self.assertEqual(self.assert_search('dk.admin', 'U_S'), [unit['U_SCORE']])
        self.assertEqual(self.assert_search('dk.admin', '%'), [])
        self.assertEqual(self.assert_search('dk.admin', '0% '), [unit['ZT-1']])

    def test_a_device_id_by_its_start(self):
        """A device id matches by its start at any length, in any case; not in the middle."""
        devices = visible_devices('dk.admin')
        some = devices[max(devices)][1]
        for q in (some[:2], some[:2].upper(), some[:13], some[:13].upper()):
            with self.subTest(q=q):
                self.assertIn(max(devices), self.assert_search('dk.admin', q))
        self.assertNotIn(max(devices), self.assert_search('dk.admin', some[9:20]))

    def test_a_located_viewer_counts_their_rows(self):
        """Restricted to a location: the count (counted, not from the counters) equals
        the rows shown, unfiltered and searched, and the rows are the location's."""
        viewer = 'scale.located'
        c = self.client(viewer)
        got, text = every_row(c, '/devices', device_ids)
        self.assertEqual(sorted(got), sorted(visible_devices(viewer)))
        self.assertGreater(len(got), PAGE_SIZE)
        self.assertEqual(list_count(text), f'{len(got)} devices')
        for q in ('tracker', 'SRCH', 'U', 'fl-1'):
            with self.subTest(q=q):
                self.assert_search(viewer, q)
        # an exact unit id elsewhere in Aarhus is no match; one at the location is
        self.assertEqual(self.assert_search(viewer, 'SRCH-002'), [])
        self.assertNotIn('is exactly this', c.get('/devices?q=SRCH-002').text)
        self.assertEqual(len(self.assert_search(viewer, 'SRCH-001')), 1)
        self.assertIsNotNone(exact_any_href(c.get('/devices?q=SRCH-001').text))

    def test_a_position_outside_the_scope_leaks_no_order(self):
        mine = [(fold(f[0]), i) for i, f in visible_devices('dk.admin').items()]
        theirs = sorted((fold(f[0]), i) for i, f in visible_devices('contoso.admin').items())
        for position, outsider in (('after', theirs[0]), ('before', theirs[-1])):
            with self.subTest(position=position):
                self.assert_by_number(
                    self.client('dk.admin'), '/devices?sort=unit_id&dir=asc&page=2', position,
                    outsider[1], device_ids, face_value(mine, outsider, position))

    def test_next_and_prev_links_walk_every_device_once(self):
        """As for users: in the wide plan (dk.admin), the narrow one (contoso.admin) and a
        location's (scale.located), by every sort key, ties broken by the id."""
        for viewer in ('dk.admin', 'scale.located', 'contoso.admin'):
            devices = [(i, *fields) for i, fields in visible_devices(viewer).items()]
            for sort, desc in [(key, desc) for key in DEVICE_SORTS for desc in (False, True)]:
                with self.subTest(viewer=viewer, sort=sort, desc=desc):
                    self.assert_walk(self.client(viewer),
                                     f'/devices?sort={sort}&dir={"desc" if desc else "asc"}',
                                     device_ids, in_order(devices, DEVICE_SORTS[sort], desc))


# ------------------------------------------------------------------ many customers

class ManyCustomersTests(ScaleTest):
    """Below Northwind Denmark: Many A > Many A1 > 199 leaves (Many A's view: 201
    customers, Many A1's: 200), and Many B with 9 leaves; dk.admin's view: 213. A user
    and a device in one leaf; many.a administers Many A, many.a1 Many A1."""

    @classmethod
    def add_rows(cls, con):
        denmark = cid('Northwind Denmark')
        a = add_customer(con, denmark, 'Many A')
        a1 = add_customer(con, a, 'Many A1')
        leaves = [add_customer(con, a1, f'Many leaf {i:03d}') for i in range(199)]
        b = add_customer(con, denmark, 'Many B')
        leaves += [add_customer(con, b, f'Many B leaf {i}') for i in range(9)]
        cls.leaf = leaves[150]
        add_user(con, cls.leaf, 'leaf.user@scale.example', 'leaf.user')
        add_device(con, cls.leaf, 'LEAF-1', 'Leaf tracker')
        add_user(con, a, 'many.a@scale.example', 'many.a', groups=AA | FDA)
        add_user(con, a1, 'many.a1@scale.example', 'many.a1', groups=AA | FDA)

    def assert_hint(self, r, many, kept):
        self.assertPage(r)
        assert_labelled(self, r.text)
        self.assertNotIn('<select id="customer_id"', r.text)
        self.assertIn(f'Your view holds {many} customers, too many to list here', r.text)
        hidden = re.findall(r'<input type="hidden" name="customer_id" value="(\d+)">', r.text)
        self.assertEqual(hidden, [str(kept)] if kept else [])
        form = re.search(r'<form class="search.*?</form>', r.text, re.S).group(0)
        self.assertEqual(len(re.findall('name="customer_id"', form)), 1 if kept else 0)

    def test_more_than_200_customers_show_the_hint(self):
        for viewer, many in (('dk.admin', 213), ('many.a', 201)):
            for path in ('/users', '/devices'):
                with self.subTest(viewer=viewer, path=path):
                    self.assert_hint(self.client(viewer).get(path), many, None)

    def test_the_customer_filter_stays_as_a_hidden_field(self):
        c = self.client('dk.admin')
        r = c.get(f'/users?customer_id={self.leaf}')
        self.assert_hint(r, 213, self.leaf)
        self.assertEqual([u for _, _, u in user_rows(r.text)], ['leaf.user'])
        r = c.get(f'/devices?customer_id={self.leaf}&q=leaf')
        self.assert_hint(r, 213, self.leaf)
        self.assertEqual(len(device_ids(r.text)), 1)

    def test_rows_link_their_customer_filter(self):
        """The hint sends people to the Customer column: its links filter the list."""
        c = self.client('dk.admin')
        for path, ids in (('/users?q=leaf.user', user_ids), ('/devices?q=LEAF-1', device_ids)):
            with self.subTest(path=path):
                r = c.get(path)
                href = f'{path.split("?")[0]}?customer_id={self.leaf}'
                self.assertIn(f'href="{href}"', r.text)
                r = c.get(href)
                self.assert_hint(r, 213, self.leaf)
                self.assertEqual(len(ids(r.text)), 1)

    def test_200_customers_still_get_the_select(self):
        c = self.client('many.a1')
        for path in ('/users', '/devices'):
            with self.subTest(path=path):
                r = c.get(path)
                self.assertPage(r)
                assert_labelled(self, r.text)
                select = re.search(r'<select id="customer_id".*?</select>', r.text, re.S)
                self.assertIsNotNone(select, 'no customer select')
                self.assertEqual(len(re.findall(r'<option value="\d+"', select.group(0))), 200)
                self.assertNotIn('too many to list here', r.text)
