"""Devices: the list and device pages under the visibility rule, registering,
and bulk re-assignment with preview and process.

Devices are inserted straight into the database (make_device) so each test controls where
they are; registration itself is tested over HTTP.
"""
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arbor_stack import Client, assert_html_page, on_postgresql, tidy_check  # noqa: E402
from fixtures import (DM, FDA, NCA, STACK, cid as customer_id, logged_in as client,  # noqa
                      make_device, make_location, make_user, setUpModule)


def unit_ids(page):
    return set(re.findall(r'<th scope="row"><a href="/devices/\d+">([^<]+)</a>', page))


def device_customer(unit_id):
    return STACK.query('SELECT c.name FROM devices d JOIN customers c ON '
                       'c.id = d.customer_id WHERE d.unit_id = ?', unit_id)[0][0]


class Fixture(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if STACK.query("SELECT count(*) FROM devices WHERE unit_id = 'FX-DK-1'")[0][0]:
            return
        cls.aarhus_loc = make_location('Aarhus depot', 'Aarhus')
        cls.other_loc = make_location('Aarhus harbour', 'Aarhus')
        make_device('FX-HQ-1', 'Northwind Fleet')
        make_device('FX-DK-1', 'Northwind Denmark')
        make_device('FX-AA-1', 'Aarhus', cls.aarhus_loc)
        make_device('FX-AA-2', 'Aarhus', cls.other_loc)
        make_device('FX-SE-1', 'Northwind Sweden')
        make_device('FX-CO-1', 'Contoso Charging')
        make_user('fx.located', 'Aarhus', FDA, [cls.aarhus_loc])
        make_user('fx.dm', 'Northwind Denmark', DM)
        make_user('fx.mover', 'Northwind Denmark', FDA | NCA)


class VisibilityTests(Fixture):
    def test_each_user_sees_exactly_their_devices(self):
        """The list shows the subtree's devices, only with FDA or AA, and only
        at the user's locations when they have some."""
        want = {
            'admin': {'FX-HQ-1', 'FX-DK-1', 'FX-AA-1', 'FX-AA-2', 'FX-SE-1'},
            'dk.admin': {'FX-DK-1', 'FX-AA-1', 'FX-AA-2'},
            'se.user': {'FX-SE-1'},
            'fx.located': {'FX-AA-1'},
            'contoso.admin': {'FX-CO-1'},
        }
        for username, units in want.items():
            r = client(username).get('/devices?q=FX-')
            self.assertEqual(r.status, 200, username)
            self.assertEqual(unit_ids(r.text) & {u for s in want.values() for u in s},
                             units, username)

    def test_groups_without_device_access_are_refused(self):
        """No groups: the list answers 403 (Device Management alone gets an
        empty list saying why: test_autopi_devices.py)."""
        self.assertEqual(client('driver').get('/devices').status, 403)

    def test_foreign_device_ids_answer_404(self):
        """A device outside the view answers 404 like a missing one."""
        ids = {u: STACK.query('SELECT id FROM devices WHERE unit_id = ?', u)[0][0]
               for u in ('FX-HQ-1', 'FX-SE-1', 'FX-CO-1', 'FX-AA-2')}
        dk = client('dk.admin')
        for unit in ('FX-HQ-1', 'FX-SE-1', 'FX-CO-1'):
            self.assertEqual(dk.get(f'/devices/{ids[unit]}').status, 404, unit)
        self.assertEqual(dk.get('/devices/999999').status, 404)
        self.assertEqual(dk.get(f'/devices/{ids["FX-AA-2"]}').status, 200)
        located = client('fx.located')
        self.assertEqual(located.get(f'/devices/{ids["FX-AA-2"]}').status, 404)

    def test_count_matches_the_rows(self):
        """The "N devices" line (from per-customer counters when unfiltered)
        equals the devices really in the scope, also after moves."""
        for username, root in (('admin', 'Northwind Fleet'), ('dk.admin', 'Northwind Denmark')):
            text = client(username).get('/devices').text
            shown = int(re.search(r'(\d+) devices?</p>', text).group(1))
            path = STACK.query('SELECT path FROM customers WHERE name = ?', root)[0][0]
            real = STACK.query('SELECT count(*) FROM devices d JOIN customers c ON '
                               'c.id = d.customer_id WHERE substr(c.path, 1, ?) = ?',
                               len(path), path)[0][0]
            self.assertEqual(shown, real, username)
        self.assertEqual(STACK.query(
            'SELECT count(*) FROM customers c WHERE device_count != '
            '(SELECT count(*) FROM devices d WHERE d.customer_id = c.id)')[0][0], 0)

    def test_list_page_is_valid_html_and_filters(self):
        """Filters by customer and location; search by unit id; valid HTML."""
        admin = client('admin')
        r = admin.get(f'/devices?customer_id={customer_id("Aarhus")}')
        assert_html_page(r)
        tidy_check(r.text)
        self.assertTrue({'FX-AA-1', 'FX-AA-2'} <= unit_ids(r.text))
        self.assertNotIn('FX-DK-1', unit_ids(r.text))
        loc = STACK.query("SELECT id FROM locations WHERE name = 'Aarhus depot'")[0][0]
        self.assertEqual(unit_ids(admin.get(f'/devices?location_id={loc}').text), {'FX-AA-1'})


class FilterTests(Fixture):
    def test_filters_outside_the_view_answer_404(self):
        """A customer_id or location_id filter outside the view answers 404
        like a missing one, on the list and on the manage page."""
        dk = client('dk.admin')
        stockholm = STACK.query("SELECT id FROM locations WHERE name = 'Stockholm Hub'")[0][0]
        for query in (f'customer_id={customer_id("Contoso Charging")}',
                      f'customer_id={customer_id("Northwind Sweden")}',
                      f'customer_id={customer_id("Northwind Fleet")}', 'customer_id=999999',
                      f'location_id={stockholm}', 'location_id=999999'):
            r = dk.get(f'/devices?{query}')
            self.assertEqual(r.status, 404, query)
            self.assertIn('There is no page at this address.', r.text, query)
            self.assertNotIn('Stockholm', r.text, query)
        r = dk.get(f'/devices?customer_id={customer_id("Aarhus")}&q=FX-')
        self.assertEqual(unit_ids(r.text), {'FX-AA-1', 'FX-AA-2'})
        mover = client('fx.mover')
        for target in ('Contoso Charging', 'Northwind Sweden'):
            r = mover.get(f'/devices/manage?customer_id={customer_id(target)}')
            self.assertEqual(r.status, 404, target)
        self.assertEqual(mover.get(f'/devices/manage?customer_id={customer_id("Aarhus")}').status,
                         200)


class HistoryTests(Fixture):
    def test_history_names_only_what_the_viewer_sees(self):
        """A move from a customer outside the view, by an administrator above
        it, names neither to the viewer; the administrator sees both."""
        dev_id, _ = make_device('HI-1', 'Northwind Sweden')
        admin = client('admin')
        admin.get('/devices/manage?mode=text')
        r = admin.post('/devices/manage', {'step': 'process',
                                           'customer_id': customer_id('Northwind Denmark'),
                                           'ids': 'HI-1'})
        self.assertEqual(r.status, 303, r)
        row = re.compile(r'<tbody>\s*<tr><td>[^<]+</td><td>([^<]+)</td><td>([^<]+)</td>'
                         r'<td>([^<]+)</td></tr>')
        page = client('dk.admin').get(f'/devices/{dev_id}')
        self.assertEqual(page.status, 200)
        self.assertEqual(row.search(page.text).groups(),
                         ('a customer outside your view', 'Northwind Denmark',
                          'an administrator outside your view'))
        self.assertNotIn('Sweden', page.text)
        page = admin.get(f'/devices/{dev_id}')
        self.assertEqual(row.search(page.text).groups(),
                         ('Northwind Fleet \u203a Northwind Sweden',
                          'Northwind Fleet \u203a Northwind Denmark', 'admin'))
        self.assertEqual(client('se.user').get(f'/devices/{dev_id}').status, 404)


class RegisterTests(Fixture):
    def test_register_and_refusals(self):
        """A valid device is registered with a new UUID; a duplicate unit id is
        refused without naming its customer; bad fields are refused."""
        admin = client('admin')
        admin.get('/devices/new')
        aarhus = customer_id('Aarhus')
        r = admin.post('/devices/new', {'unit_id': 'REG-0001', 'name': 'Van 1',
                                        'vehicle_name': 'Van', 'vin': '1HGCM82633A004352',
                                        'customer_id': aarhus, 'location_id': ''})
        self.assertEqual(r.status, 303, r)
        row = STACK.query("SELECT device_uuid, customer_id, registered_by FROM devices "
                          "WHERE unit_id = 'REG-0001'")[0]
        self.assertRegex(row[0], r'^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-'
                                 r'[0-9a-f]{12}$')
        self.assertEqual(row[1], aarhus)
        page = admin.get(r.location)
        self.assertIn('REG-0001', page.text)
        self.assertIn('class="flash"', page.text)

        contoso = client('contoso.admin')
        contoso.get('/devices/new')
        r = contoso.post('/devices/new', {'unit_id': 'reg-0001', 'name': 'Mine',
                                          'customer_id': customer_id('Contoso Charging')})
        self.assertEqual(r.status, 409)
        self.assertIn('already registered', r.text)
        self.assertNotIn('Aarhus', r.text)
        self.assertNotIn('Northwind', r.text)

        bad = [({'unit_id': 'x'}, 'unit_id'), ({'unit_id': 'has space'}, 'unit_id'),
               ({'vin': '1HGCM82633A00435O'}, 'vin'), ({'vin': 'SHORT'}, 'vin'),
               ({'customer_id': customer_id('Contoso Charging')}, 'customer_id'),
               ({'name': ''}, 'name')]
        for change, fieldname in bad:
            fields = {'unit_id': 'REG-0002', 'name': 'Van 2', 'customer_id': aarhus}
            fields.update(change)
            admin.get('/devices/new')
            r = admin.post('/devices/new', fields)
            self.assertEqual(r.status, 400, change)
            self.assertIn(f'id="{fieldname}-error"', r.text, change)
        self.assertEqual(STACK.query(
            "SELECT count(*) FROM devices WHERE unit_id = 'REG-0002'")[0][0], 0)

    def test_location_must_belong_to_the_customer(self):
        """A location of another customer is refused."""
        admin = client('admin')
        admin.get('/devices/new')
        loc = STACK.query("SELECT id FROM locations WHERE name = 'Aarhus depot'")[0][0]
        r = admin.post('/devices/new', {'unit_id': 'REG-0003', 'name': 'Van 3',
                                        'customer_id': customer_id('Northwind Sweden'),
                                        'location_id': loc})
        self.assertEqual(r.status, 400)
        self.assertIn('id="location_id-error"', r.text)

    def test_an_address_locked_for_taken_answers_gets_429_taken_or_not(self):
        """Once an address has had too many "taken" answers, registering from
        there answers 429 whether or not the unit id is taken: a 409 would
        still tell which unit ids exist."""
        make_device('REG-LOCKED-TAKEN', 'Aarhus')
        source = '127.0.0.77'
        now = int(time.time())
        STACK.query('INSERT INTO auth_failures (subject, failures, window_start, locked_until) '
                    'VALUES (?, 0, ?, ?)', f'taken:{source}', now, now + 600)
        admin = Client(STACK, source=source)
        admin.login('admin')
        for unit_id in ('REG-LOCKED-TAKEN', 'REG-LOCKED-FREE'):
            admin.get('/devices/new')
            r = admin.post('/devices/new', {'unit_id': unit_id, 'name': 'Van',
                                            'customer_id': customer_id('Aarhus')})
            self.assertEqual(r.status, 429, (unit_id, r))
            self.assertIn('Too many changes from your address', r.text)
            self.assertNotIn('already registered', r.text)
        self.assertEqual(STACK.query("SELECT count(*) FROM devices "
                                     "WHERE unit_id LIKE 'REG-LOCKED-%'")[0][0], 1)

    def test_device_management_alone_may_register(self):
        """Device Management without device access registers but cannot look."""
        dm = client('fx.dm')
        dm.get('/devices/new')
        r = dm.post('/devices/new', {'unit_id': 'REG-DM-1', 'name': 'DM van',
                                     'customer_id': customer_id('Northwind Denmark')})
        self.assertEqual((r.status, r.location), (303, '/devices/new'))


class ManageTests(Fixture):
    def preview(self, c, target, ids):
        c.get('/devices/manage?mode=text')
        return c.post('/devices/manage', {'step': 'preview', 'customer_id': target, 'ids': ids})

    def test_preview_and_process_mixed_list(self):
        """Valid unit ids and device ids, unknown, foreign, duplicates, odd
        separators and blank lines: the preview lists moves and not-found
        ids; process moves exactly the previewed devices and records them."""
        make_device('MV-1', 'Northwind Denmark')
        _, uuid2 = make_device('MV-2', 'Northwind Denmark')
        loc = make_location('Denmark yard', 'Northwind Denmark')
        make_device('MV-3', 'Northwind Denmark', loc)
        make_device('MV-FOREIGN', 'Contoso Charging')
        mover = client('fx.mover')
        target = customer_id('Aarhus')
        text = f'MV-1\n\n {uuid2.upper()} ,MV-3;mv-1\tNOPE-1\r\nMV-FOREIGN,,\n'
        r = self.preview(mover, target, text)
        self.assertEqual(r.status, 200, r)
        moves = set(re.findall(r'<tr><th scope="row">([^<]+)</th>', r.text))
        self.assertEqual(moves, {'MV-1', 'MV-2', 'MV-3'})
        missing = set(re.findall(r'<li><code>([^<]+)</code></li>', r.text))
        self.assertEqual(missing, {'NOPE-1', 'MV-FOREIGN'})
        self.assertEqual(device_customer('MV-1'), 'Northwind Denmark')  # nothing yet

        ids = re.search(r'name="ids" value="([^"]*)"', r.text).group(1)
        r = mover.post('/devices/manage', {'step': 'process', 'customer_id': target,
                                           'ids': ids})
        self.assertEqual(r.status, 303, r)
        for unit in ('MV-1', 'MV-2', 'MV-3'):
            self.assertEqual(device_customer(unit), 'Aarhus')
        self.assertEqual(device_customer('MV-FOREIGN'), 'Contoso Charging')
        self.assertIsNone(STACK.query(
            "SELECT location_id FROM devices WHERE unit_id = 'MV-3'")[0][0])
        moves = STACK.query('SELECT count(*) FROM device_moves m JOIN devices d ON '
                            "d.id = m.device_id WHERE d.unit_id LIKE 'MV-%'")[0][0]
        self.assertEqual(moves, 3)
        page = mover.get(r.location)
        self.assertIn('3 devices moved', page.text)

    def test_target_outside_subtree_refused(self):
        """A target customer outside the subtree is refused; nothing moves."""
        make_device('MV-OUT', 'Northwind Denmark')
        mover = client('fx.mover')
        for target in (customer_id('Contoso Charging'), customer_id('Northwind Fleet'),
                       customer_id('Northwind Sweden')):
            r = self.preview(mover, target, 'MV-OUT')
            self.assertEqual(r.status, 400)
            r = mover.post('/devices/manage', {'step': 'process', 'customer_id': target,
                                               'ids': 'MV-OUT'})
            self.assertEqual(r.status, 400)
        self.assertEqual(device_customer('MV-OUT'), 'Northwind Denmark')

    def test_too_many_ids(self):
        """More than 10,000 ids are refused."""
        mover = client('fx.mover')
        ids = '\n'.join(f'X{i:05d}' for i in range(10001))
        r = self.preview(mover, customer_id('Aarhus'), ids)
        self.assertEqual(r.status, 413)

    def test_failure_midway_changes_nothing(self):
        """If one move fails, the transaction rolls back every move."""
        make_device('MV-A', 'Northwind Denmark')
        make_device('MV-BOOM', 'Northwind Denmark')
        # the engines write a trigger that raises each their own way
        if on_postgresql():
            create = ("CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS "
                      "$$BEGIN RAISE EXCEPTION 'boom'; END$$; "
                      "CREATE TRIGGER boom BEFORE UPDATE ON devices FOR EACH ROW "
                      "WHEN (OLD.unit_id = 'MV-BOOM') EXECUTE FUNCTION boom()")
            drop = 'DROP TRIGGER boom ON devices; DROP FUNCTION boom()'
        else:
            create = ("CREATE TRIGGER boom BEFORE UPDATE ON devices WHEN "
                      "OLD.unit_id = 'MV-BOOM' BEGIN SELECT RAISE(ABORT, 'boom'); END")
            drop = 'DROP TRIGGER boom'
        with STACK.db() as db:
            db.executescript(create)
        try:
            mover = client('fx.mover')
            mover.get('/devices/manage')
            r = mover.post('/devices/manage', {'step': 'process',
                                               'customer_id': customer_id('Aarhus'),
                                               'ids': 'MV-A MV-BOOM'})
            self.assertEqual(r.status, 503)
        finally:
            with STACK.db() as db:
                db.executescript(drop)
        self.assertEqual(device_customer('MV-A'), 'Northwind Denmark')
        self.assertEqual(STACK.query('SELECT count(*) FROM device_moves m JOIN devices d '
                                     "ON d.id = m.device_id WHERE d.unit_id = 'MV-A'")[0][0], 0)

    def test_manage_needs_full_device_access_and_admin_group(self):
        """Account Administrator alone may list but not manage devices."""
        self.assertEqual(client('dk.admin').get('/devices/manage').status, 403)
        self.assertEqual(client('fx.mover').get('/devices/manage').status, 200)


if __name__ == '__main__':
    unittest.main()
