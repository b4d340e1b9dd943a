"""Issue 13, HTML validity and the units setting.

Every page route of cgi/routes.c, fetched as admin (a customer account's
administrator) and as operator: whole pages, tidy-clean, and no required
drop-down <select> without an empty first <option> (the rule the Nu HTML
Checker reported; assert_html_page checks it on every page the other
modules fetch too). The customer forms keep their preselection and their
"choose" errors with the placeholder in place. The units setting says
what it affects, linked to its field with aria-describedby.
"""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arbor_stack import ROOT, assert_select_placeholders  # noqa: E402
from fixtures import (FM, STACK, PageTest, cid, client, field_error, logged_in,  # noqa: E402
                      make_location, make_user, selected_option, setUpModule)  # noqa: F401

UNITS_HINT = 'Arbor itself shows no distances or speeds'


def page_routes():
    """The GET paths of the route table that answer with HTML pages (not
    the API's, a .csv download, nor the probes' /healthz)."""
    with open(os.path.join(ROOT, 'cgi', 'routes.c')) as f:
        paths = re.findall(r'\{ METHOD_GET, "([^"]+)"', f.read())
    return [p for p in paths if not p.startswith('/api/') and not p.endswith('.csv')
            and p != '/healthz']


def first_id(sql, stack=None):
    rows = (stack or STACK).query(sql)
    return str(rows[0][0]) if rows else '0'


def concrete(path, stack=None):
    """path with its {placeholders} filled in by rows of the demo (on STACK,
    or on stack)."""
    ids = {'/customers/': "SELECT id FROM customers WHERE name = 'Northwind Denmark'",
           '/locations/': 'SELECT id FROM locations ORDER BY id',
           '/users/': "SELECT id FROM users WHERE username = 'dk.admin'",
           '/devices/': 'SELECT id FROM devices ORDER BY id',
           '/tokens/': 'SELECT id FROM api_tokens ORDER BY id'}
    for prefix, sql in ids.items():
        if path.startswith(prefix) and '{id}' in path:
            return path.replace('{id}', first_id(sql, stack))
    return path.replace('{token}', 'not-a-real-token')


def describedby(text, element_re):
    """The ids named by aria-describedby of the first element matching element_re."""
    m = re.search(element_re + r'[^>]*aria-describedby="([^"]*)"', text)
    return m.group(1).split() if m else []


class PageRulesTests(PageTest):
    def test_every_page_route_is_valid_for_admin_and_operator(self):
        """Every GET page route as admin and operator: tidy-clean, placeholders on required selects."""
        make_location('Html Test Site', 'Northwind Denmark')
        routes = page_routes()
        self.assertIn('/customers/new', routes)
        for username in ('admin', 'operator'):
            c = client(username)
            for path in map(concrete, routes):
                with self.subTest(user=username, path=path):
                    r = c.get(path)
                    if r.status in (302, 303):
                        continue
                    self.assertIn(r.status, (200, 403, 404), r)
                    self.assertPage(r, r.status)

    def test_the_forms_with_required_selects_have_placeholders(self):
        """The forms with required selects start each of them with an empty option."""
        admin = client('admin')
        for path, select_ids in (
                ('/customers/new', ('country', 'time_zone', 'time_format', 'units', 'parent_id')),
                (f'/customers/{cid("Northwind Denmark")}', ('time_zone', 'units')),
                ('/locations/new', ('customer_id',)),
                ('/users/new', ('customer_id',))):
            with self.subTest(path=path):
                r = admin.get(path)
                self.assertPage(r)
                for select_id in select_ids:
                    m = re.search(rf'<select id="{select_id}"[^>]* required[^>]*>\s*'
                                  r'<option value="">[^<]+</option>', r.text)
                    self.assertIsNotNone(m, select_id)
                assert_select_placeholders(r.text)

    def test_the_check_refuses_a_select_without_placeholder(self):
        """The shared check fails on the pattern the validator reported."""
        with self.assertRaises(AssertionError):
            assert_select_placeholders('<select id="x" required><option value="a">A</option>'
                                       '</select>')
        assert_select_placeholders('<select id="x"><option value="a">A</option></select>')

    def test_preselection_stays(self):
        """A customer's page keeps its own settings selected, not the placeholder."""
        r = client('admin').get(f'/customers/{cid("Northwind Denmark")}')
        self.assertPage(r)
        self.assertEqual(selected_option(r.text, 'time_zone'), 'Europe/Copenhagen')
        self.assertEqual(selected_option(r.text, 'time_format'), '24h')
        self.assertEqual(selected_option(r.text, 'units'), 'metric')

    def test_placeholder_posted_is_a_field_error(self):
        """Posting the placeholders (empty values): 400, the errors next to the fields."""
        c = client('admin')
        r = c.post('/customers/new', {'name': 'Html Empty', 'email': 'empty@example.com',
                                      'country': '', 'time_zone': '', 'time_format': '',
                                      'units': '', 'parent_id': str(cid('Northwind Denmark'))})
        self.assertPage(r, 400)
        for name in ('country', 'time_zone', 'time_format', 'units'):
            self.assertTrue(field_error(r.text, name), name)
        self.assertEqual(STACK.query("SELECT id FROM customers WHERE name = 'Html Empty'"), [])
        r = c.post('/locations/new', {'name': 'Html Nowhere', 'customer_id': ''})
        self.assertPage(r, 400)
        self.assertTrue(field_error(r.text, 'customer_id'))


class UnitsHintTests(PageTest):
    def hint_is_linked(self, text, element_re):
        m = re.search(r'<p class="hint" id="units-hint">([^<]*)</p>', text)
        self.assertIsNotNone(m, 'no units-hint')
        self.assertIn(UNITS_HINT, m.group(1))
        self.assertIn('fleet platform', m.group(1))
        self.assertIn('units-hint', describedby(text, element_re))

    def test_profile_says_what_units_affect(self):
        """/profile: the units fieldset is described by what the setting affects."""
        r = client('admin').get('/profile')
        self.assertPage(r)
        self.hint_is_linked(r.text, r'<fieldset class="choices"(?=[^>]*units-hint)')

    def test_customer_form_says_what_units_affect(self):
        """/customers/new and a customer's page: the units select is described by the hint."""
        c = client('admin')
        for path in ('/customers/new', f'/customers/{cid("Northwind Denmark")}'):
            with self.subTest(path=path):
                r = c.get(path)
                self.assertPage(r)
                self.hint_is_linked(r.text, r'<select id="units"')

    def test_units_error_keeps_the_hint(self):
        """A units error: described by both the hint and the error."""
        r = client('admin').post('/customers/new', {
            'name': 'Html Units', 'email': 'units@example.com', 'country': 'DK',
            'time_zone': 'Europe/Copenhagen', 'time_format': '24h', 'units': 'furlongs',
            'parent_id': str(cid('Northwind Denmark'))})
        self.assertPage(r, 400)
        self.assertEqual(describedby(r.text, r'<select id="units"'), ['units-hint', 'units-error'])
        self.assertTrue(field_error(r.text, 'units'))

    def test_refusals(self):
        """Wrong tenant 404 on another account's customer page, wrong group 403."""
        r = client('admin').get(f'/customers/{cid("Contoso Charging")}')
        self.assertPage(r, 404)
        self.assertNotIn('units-hint', r.text)
        make_user('fm.html', 'Northwind Denmark', FM)
        r = logged_in('fm.html').get('/customers/new')
        self.assertPage(r, 403)


if __name__ == '__main__':
    unittest.main()
