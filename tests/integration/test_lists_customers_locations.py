"""The Customers and Locations lists at scale (issue 14): counts from the counters,
search through the trigram and prefix indexes, pages from their position, and the
API's q on the same candidates.

setUpModule adds, in one transaction, an account "Lists Corp" with

  Lists Child A                 Lists Grand and 120 customers "Anchor NNN" below it;
                                lists.nested administers A (a tenth of the tree: the
                                list's scope plan, where lists.admin's is the scan)
  Lists Child B                 1,100 customers "Bulkhead NNNN" below it, each with
                                one location "Quay NNNN" (more than the 1,000 a
                                search counts up to)
  Per%cent Co, Under_score Co   names with LIKE's wildcards in them, each with a
                                location "Dock 50% off" / "Dock_1"

and lists.admin (Account Administrator + Nested Customer Administrator of Lists
Corp). A module cleanup deletes those rows again (before the module's stack, and
its database, go).
"""
import html
import os
import re
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures import (AA, NCA, STACK, Api, PageTest, cid, client,  # noqa: E402
                      db_enforcing_keys, insert_customer, make_user, new_token, pages,
                      start_stack, subtree_ids)

BULK = 1100
ANCHORS = 120
CUSTOMER_ROW_RE = re.compile(r'<th scope="row"><a href="/customers/(\d+)">')
LOCATION_ROW_RE = re.compile(r'<th scope="row"><a href="/locations/(\d+)">')
COUNT_RE = re.compile(r'<p class="list-count">(More than )?(\d+) (?:customers?|locations?)')
VIEWERS = ('operator', 'lists.admin', 'lists.nested')


def add_customer(con, name, parent_id, email):
    """A customer below parent_id (None: an account); returns its id."""
    return insert_customer(con, name, parent_id, email,
                           'owner@lists.example' if parent_id is None else None)


def add_location(con, name, customer_id):
    con.execute('INSERT INTO locations (customer_id, name, created_at, updated_at) '
                'VALUES (?, ?, 0, 0)', (customer_id, name))


def setUpModule():
    start_stack()
    con = STACK.db()
    try:
        con.execute('BEGIN')
        corp = add_customer(con, 'Lists Corp', None, 'corp@lists.example')
        child_a = add_customer(con, 'Lists Child A', corp, 'a@lists.example')
        add_customer(con, 'Lists Grand', child_a, 'grand@lists.example')
        for i in range(ANCHORS):
            add_customer(con, f'Anchor {i:03d}', child_a, f'anchor{(i * 7) % 5}@lists.example')
        child_b = add_customer(con, 'Lists Child B', corp, 'b@lists.example')
        for i in range(BULK):
            bulk = add_customer(con, f'Bulkhead {i:04d}', child_b, f'bh{i:04d}@lists.example')
            add_location(con, f'Quay {i:04d}', bulk)
        add_location(con, 'Dock 50% off', add_customer(con, 'Per%cent Co', child_a,
                                                       'pc@lists.example'))
        add_location(con, 'Dock_1', add_customer(con, 'Under_score Co', child_a,
                                                  'us@lists.example'))
        con.execute('COMMIT')
    finally:
        con.close()
    make_user('lists.admin', 'Lists Corp', AA | NCA)
    make_user('lists.nested', 'Lists Child A', AA | NCA)
    unittest.addModuleCleanup(remove_rows)


def remove_rows():
    """Delete what setUpModule added, the deepest customers first (a parent
    cannot go before its children)."""
    con = db_enforcing_keys()
    try:
        con.execute('BEGIN')
        top = con.execute("SELECT path FROM customers WHERE name = 'Lists Corp'").fetchone()[0]
        inside = 'SELECT id FROM customers WHERE substr(path, 1, ?) = ?'
        con.execute(f'DELETE FROM users WHERE customer_id IN ({inside})', (len(top), top))
        con.execute(f'DELETE FROM locations WHERE customer_id IN ({inside})', (len(top), top))
        for (id_,) in con.execute(f'{inside} ORDER BY depth DESC', (len(top), top)).fetchall():
            con.execute('DELETE FROM customers WHERE id = ?', (id_,))
        con.execute('COMMIT')
    finally:
        con.close()


# ------------------------------------------------------------------ helpers

def ids(text, kind):
    return [int(i) for i in (CUSTOMER_ROW_RE if kind == 'customers' else
                             LOCATION_ROW_RE).findall(text)]


def count_of(text):
    """(count, more than) of the count line above a list."""
    m = COUNT_RE.search(text)
    assert m, text[:2000]
    return int(m.group(2)), m.group(1) is not None


def link(text, rel):
    m = re.search(rf'<a href="([^"]*)" rel="{rel}">', text)
    return html.unescape(m.group(1)) if m else None


def walk(c, path, kind):
    """The pages of a list from path on, following rel=next: [(url, ids)]."""
    out = []
    while path:
        r = c.get(path)
        assert r.status == 200, r
        out.append((path, ids(r.text, kind)))
        path = link(r.text, 'next')
    return out


def every_row(c, path, kind):
    return [i for text in pages(c, path) for i in ids(text, kind)]


def visible(who, sql, *params):
    """The ids sql finds (its rows' first column, its customer the second) in
    who's view: everything for the operator, else the subtree of who's customer."""
    rows = STACK.query(sql, *params)
    if who == 'operator':
        return {r[0] for r in rows}
    top = STACK.query('SELECT customer_id FROM users WHERE username = ?', who)[0][0]
    inside = subtree_ids(top)
    return {r[0] for r in rows if r[1] in inside}


def customers_of(who):
    return visible(who, 'SELECT id, id FROM customers')


def locations_of(who):
    return visible(who, 'SELECT id, customer_id FROM locations')


def q(text):
    return urllib.parse.quote(text)


class CountTests(PageTest):
    def test_counts_equal_the_rows_each_viewer_sees(self):
        """Without a search the count (from the counters) is exact and is the number
        of rows the pages hold, for the operator, an account's and a nested
        administrator; each row once."""
        for who in VIEWERS:
            for kind, expected in (('customers', customers_of(who)),
                                   ('locations', locations_of(who))):
                with self.subTest(who=who, kind=kind):
                    r = client(who).get(f'/{kind}')
                    self.assertPage(r)
                    self.assertEqual(count_of(r.text), (len(expected), False))
                    got = every_row(client(who), f'/{kind}', kind)
                    self.assertEqual(len(got), len(set(got)))
                    self.assertEqual(set(got), expected)

    def test_counts_follow_a_change(self):
        """A customer and a location added and deleted move the counts at once."""
        c = client('lists.nested')
        before = (count_of(c.get('/customers').text)[0], count_of(c.get('/locations').text)[0])
        con = STACK.db()
        try:
            new = add_customer(con, 'Lists Counted', cid('Lists Grand'), 'n@lists.example')
            add_location(con, 'Counted yard', new)
        finally:
            con.close()
        self.assertEqual((count_of(c.get('/customers').text)[0],
                          count_of(c.get('/locations').text)[0]),
                         (before[0] + 1, before[1] + 1))
        STACK.query('DELETE FROM locations WHERE customer_id = ?', new)
        STACK.query('DELETE FROM customers WHERE id = ?', new)
        self.assertEqual((count_of(c.get('/customers').text)[0],
                          count_of(c.get('/locations').text)[0]), before)

    def test_nested_customers_filter_counts_the_children(self):
        """customer_id: the customers directly below that one, counted exactly."""
        c = client('lists.admin')
        path = f'/customers?customer_id={cid("Lists Child B")}'
        self.assertEqual(count_of(c.get(path).text), (BULK, False))
        got = every_row(c, path, 'customers')
        self.assertEqual(set(got), {r[0] for r in STACK.query(
            'SELECT id FROM customers WHERE parent_id = ?', cid('Lists Child B'))})

    def test_customer_filter_counts_its_locations(self):
        """Locations of one customer: its own (not those below it), counted exactly;
        with a search, those of them that match."""
        c = client('lists.admin')
        for name, text, expected in (('Per%cent Co', '', {'Dock 50% off'}),
                                     ('Lists Child A', '', set()),
                                     ('Bulkhead 0042', '', {'Quay 0042'}),
                                     ('Bulkhead 0042', 'quay', {'Quay 0042'}),
                                     ('Bulkhead 0042', 'dock', set())):
            with self.subTest(name=name, q=text):
                path = f'/locations?customer_id={cid(name)}&q={q(text)}'
                r = c.get(path)
                self.assertEqual(count_of(r.text), (len(expected), False))
                self.assertEqual(set(every_row(c, path, 'locations')), {
                    r[0] for r in STACK.query('SELECT id, name FROM locations WHERE '
                                              'customer_id = ?', cid(name)) if r[1] in expected})

    def test_a_search_counts_up_to_1000_then_says_more(self):
        """More than 1,000 matches: "More than 1000", and no last page promised."""
        for who, path in (('lists.admin', '/customers?q=bulkhead'),
                          ('operator', '/customers?q=Bu'),
                          ('lists.admin', '/locations?q=quay'),
                          ('lists.admin', '/locations?q=qu'),
                          ('lists.admin', '/locations?q=bulkhead')):
            with self.subTest(who=who, path=path):
                r = client(who).get(path)
                self.assertPage(r)
                self.assertEqual(count_of(r.text), (1000, True))
                self.assertIn('(a search counts up to 1000)', r.text)
                self.assertIn('of more than 1000', r.text)
                self.assertNotIn(' of 21<', r.text)
                self.assertIsNotNone(link(r.text, 'next'))

    def test_a_search_with_fewer_matches_is_counted_exactly(self):
        c = client('lists.admin')
        r = c.get('/customers?q=bulkhead+00')
        self.assertEqual(count_of(r.text), (100, False))
        self.assertIn('Page 1 of 2', r.text)
        r = c.get('/locations?q=' + q('Quay 000'))
        self.assertEqual(count_of(r.text), (10, False))


class SearchTests(PageTest):
    def search(self, who, kind, text):
        return set(every_row(client(who), f'/{kind}?q={q(text)}', kind))

    def customers_where(self, who, condition, *params):
        return visible(who, f'SELECT id, id FROM customers WHERE {condition}', *params)

    def locations_where(self, who, condition, *params):
        return visible(who, 'SELECT l.id, l.customer_id FROM locations l JOIN customers c '
                       f'ON c.id = l.customer_id WHERE {condition}', *params)

    def test_one_or_two_characters_match_the_start(self):
        """Under three characters a search matches the start of a name or e-mail
        (customers) or of the location's or its customer's name, ignoring case;
        three or more match anywhere."""
        for text in ('b', 'BH', 'Li', 'lk'):
            with self.subTest(text=text):
                self.assertEqual(self.search('lists.nested', 'customers', text),
                                 self.customers_where('lists.nested', 'lower(name) LIKE ? OR '
                                                      'lower(email) LIKE ?', text.lower() + '%',
                                                      text.lower() + '%'))
        self.assertEqual(self.search('lists.admin', 'customers', 'lk'), set())
        self.assertEqual(len(self.search('lists.admin', 'customers', 'ulk')), BULK)
        self.assertEqual(self.search('lists.nested', 'locations', 'do'),
                         self.locations_where('lists.nested', "lower(l.name) LIKE 'do%'"))
        self.assertEqual(self.search('lists.nested', 'locations', 'pe'),
                         self.locations_where('lists.nested', "lower(c.name) LIKE 'pe%'"))
        self.assertEqual(self.search('lists.nested', 'locations', 'ck'), set())
        self.assertEqual(self.search('lists.nested', 'locations', 'ock'),
                         self.locations_where('lists.nested', "lower(l.name) LIKE '%ock%'"))
        self.assertEqual(self.search('lists.admin', 'locations', 'head 0123'),
                         self.locations_where('lists.admin', "c.name = 'Bulkhead 0123'"))

    def test_like_wildcards_match_themselves(self):
        """% and _ are literal in a substring (three characters or more) and in a
        prefix search alike."""
        per = self.customers_where('lists.admin', "name = 'Per%cent Co'")
        under = self.customers_where('lists.admin', "name = 'Under_score Co'")
        for text, expected in (('r%c', per), ('r_s', under), ('r_c', set()), ('r%s', set()),
                               ('%', set()), ('_', set()), ('P%', set()), ('U_', set())):
            with self.subTest(text=text):
                self.assertEqual(self.search('lists.admin', 'customers', text), expected)
        dock50 = self.locations_where('lists.admin', "l.name = 'Dock 50% off'")
        dock1 = self.locations_where('lists.admin', "l.name = 'Dock_1'")
        for text, expected in (('0% ', dock50), ('k_1', dock1), ('k_5', set()),
                               ('k%1', set()), ('%', set()), ('_', set())):
            with self.subTest(text=text):
                self.assertEqual(self.search('lists.admin', 'locations', text), expected)

    def test_a_search_stays_in_the_scope(self):
        self.assertEqual(self.search('lists.nested', 'customers', 'bulkhead'), set())
        self.assertEqual(self.search('lists.nested', 'locations', 'quay'), set())
        self.assertEqual(self.search('admin', 'customers', 'lists'), set())
        self.assertEqual(self.search('admin', 'locations', 'Dock_'), set())


class PositionTests(PageTest):
    def assertWalk(self, who, path, kind, expected):
        """Following next from path gives expected (ids in order) exactly once; prev
        from the last page gives the same pages back."""
        forward = walk(client(who), path, kind)
        self.assertEqual([i for _, page in forward for i in page], expected)
        self.assertTrue(all(len(page) == 50 for _, page in forward[:-1]))
        back, url = [], forward[-1][0]
        while url:
            r = client(who).get(url)
            self.assertEqual(r.status, 200, r)
            back.append(ids(r.text, kind))
            url = link(r.text, 'prev')
        self.assertEqual(back[::-1], [page for _, page in forward])

    def customers(self, order):
        rows = STACK.query('SELECT id, name, email, country, user_count FROM customers')
        mine = customers_of('lists.admin')
        return [r[0] for r in sorted((r for r in rows if r[0] in mine), key=order)]

    def test_customers_by_each_key_and_direction(self):
        keys = {'name': lambda r: (r[1].lower(), r[0]), 'email': lambda r: (r[2].lower(), r[0]),
                'country': lambda r: (r[3], r[0]), 'users': lambda r: (r[4], r[0])}
        for key, order in keys.items():
            for desc in (False, True):
                with self.subTest(key=key, desc=desc):
                    expected = self.customers(order)
                    self.assertWalk('lists.admin', f'/customers?sort={key}&dir='
                                    f'{"desc" if desc else "asc"}', 'customers',
                                    expected[::-1] if desc else expected)

    def test_a_search_and_a_filter_page_by_position(self):
        expected = [r[0] for r in STACK.query(
            "SELECT id FROM customers WHERE lower(name) LIKE 'bulkhead 0%' "
            'ORDER BY name DESC, id DESC')]
        self.assertEqual(len(expected), 1000)
        self.assertWalk('lists.admin', '/customers?q=' + q('bulkhead 0') + '&dir=desc',
                        'customers', expected)
        expected = [r[0] for r in STACK.query(
            'SELECT id FROM customers WHERE parent_id = ? ORDER BY lower(email), id',
            cid('Lists Child B'))]
        self.assertWalk('lists.admin', f'/customers?customer_id={cid("Lists Child B")}'
                        '&sort=email', 'customers', expected)

    def test_a_narrow_scope_and_a_few_children_page_by_position(self):
        """The scope plan (lists.nested) and the children of a customer (few of them,
        read alone): every row once, in order, either way."""
        mine = customers_of('lists.nested')
        rows = [r for r in STACK.query('SELECT id, email, user_count FROM customers')
                if r[0] in mine]
        by_email = [r[0] for r in sorted(rows, key=lambda r: (r[1].lower(), r[0]))]
        self.assertWalk('lists.nested', '/customers?sort=email&dir=desc', 'customers',
                        by_email[::-1])
        by_users = [r[0] for r in sorted(rows, key=lambda r: (r[2], r[0]))]
        self.assertWalk('lists.nested', '/customers?sort=users', 'customers', by_users)
        expected = [r[0] for r in STACK.query(
            'SELECT id FROM customers WHERE parent_id = ? ORDER BY lower(email) DESC, '
            'id DESC', cid('Lists Child A'))]
        self.assertGreater(len(expected), 100)
        self.assertWalk('lists.admin', f'/customers?customer_id={cid("Lists Child A")}'
                        '&sort=email&dir=desc', 'customers', expected)

    def test_locations_by_each_key(self):
        rows = STACK.query('SELECT l.id, l.name, c.name FROM locations l JOIN customers c ON '
                           'c.id = l.customer_id')
        mine = locations_of('lists.admin')
        rows = [r for r in rows if r[0] in mine]
        by_name = [r[0] for r in sorted(rows, key=lambda r: (r[1].lower(), r[0]))]
        self.assertWalk('lists.admin', '/locations', 'locations', by_name)
        by_customer = [r[0] for r in sorted(rows, key=lambda r: (r[2].lower(), r[0]))]
        self.assertWalk('lists.admin', '/locations?sort=customer&dir=desc', 'locations',
                        by_customer[::-1])
        # nobody is assigned to these locations: the users sort is the id order
        self.assertWalk('lists.admin', '/locations?sort=users', 'locations',
                        sorted(r[0] for r in rows))

    def test_a_stale_position_answers_the_page_by_number(self):
        """after= or before= a row deleted since: the page by its number."""
        con = STACK.db()
        try:
            gone = add_customer(con, 'Bulkhead 0500a', cid('Lists Child B'), 'g@lists.example')
        finally:
            con.close()
        c = client('lists.admin')
        r = c.get('/customers?page=10')
        nxt = link(r.text, 'next')
        STACK.query('DELETE FROM customers WHERE id = ?', gone)
        for position in ('after', 'before'):
            with self.subTest(position=position):
                self.assertEqual(ids(c.get(f'/customers?page=11&{position}={gone}').text,
                                     'customers'),
                                 ids(c.get('/customers?page=11').text, 'customers'))
        self.assertEqual(ids(c.get(nxt).text, 'customers'),
                         ids(c.get('/customers?page=11').text, 'customers'))

    def test_a_position_outside_the_scope_answers_the_page_without_it(self):
        """after= / before= a row the viewer does not see: exactly the page without
        it (its place in the order is not given away)."""
        outside = {'customers': cid('Northwind Fleet'),
                   'locations': STACK.query('SELECT min(l.id) FROM locations l JOIN customers c '
                                            "ON c.id = l.customer_id WHERE c.name = "
                                            "'Northwind Fleet'")[0][0]}
        for who in ('lists.admin', 'lists.nested'):
            for kind in ('customers', 'locations'):
                for page in (2, 5):
                    for position in ('after', 'before'):
                        with self.subTest(who=who, kind=kind, page=page, position=position):
                            plain = client(who).get(f'/{kind}?page={page}')
                            r = client(who).get(f'/{kind}?page={page}&{position}='
                                                f'{outside[kind]}')
                            self.assertEqual(r.status, 200, r)
                            self.assertEqual(ids(r.text, kind), ids(plain.text, kind))
                            self.assertEqual(count_of(r.text), count_of(plain.text))


class ApiTests(unittest.TestCase):
    TOKENS = {}

    def api(self, who):
        if who not in self.TOKENS:
            self.TOKENS[who] = Api(new_token(who, name='lists')[0])
        return self.TOKENS[who]

    def api_ids(self, who, path):
        seen, cursor = [], None
        while True:
            r = self.api(who).call('GET', f'{path}&limit=500' + (f'&cursor={cursor}' if cursor
                                                                  else ''))
            self.assertEqual(r.status, 200, r.text)
            seen += [x['id'] for x in r.json['items']]
            cursor = r.json['next_cursor']
            if cursor is None:
                return seen

    def test_q_finds_the_rows_of_the_page(self):
        """The API's q (few candidates, many, a prefix) finds exactly the rows the
        page's search does, in id order, each once: for most of the tree and for a
        tenth of it."""
        for who, kind, texts in (
                ('lists.admin', 'customers', ('bulkhead 01', 'bulkhead', 'Bu', 'r%c', 'lk',
                                              'zzz')),
                ('lists.admin', 'locations', ('Quay 01', 'quay', 'qu', 'head 0007', 'k_1')),
                ('lists.nested', 'customers', ('anchor 01', 'anchor', 'an', 'r_s')),
                ('lists.nested', 'locations', ('dock', 'do', 'per'))):
            for text in texts:
                with self.subTest(who=who, kind=kind, q=text):
                    got = self.api_ids(who, f'/api/v1/{kind}?q={q(text)}')
                    self.assertEqual(got, sorted(set(got)))
                    self.assertEqual(set(got), set(every_row(client(who), f'/{kind}?q={q(text)}',
                                                             kind)))

    def test_without_q_every_row_of_the_scope(self):
        for who in ('lists.admin', 'lists.nested'):
            with self.subTest(who=who):
                self.assertEqual(set(self.api_ids(who, '/api/v1/customers?x=1')),
                                 customers_of(who))
                self.assertEqual(set(self.api_ids(who, '/api/v1/locations?x=1')),
                                 locations_of(who))
        one = cid('Bulkhead 0042')
        self.assertEqual(set(self.api_ids('lists.admin', f'/api/v1/locations?customer_id={one}')),
                         {r[0] for r in STACK.query('SELECT id FROM locations WHERE '
                                                    'customer_id = ?', one)})


if __name__ == '__main__':
    unittest.main()
