"""Issue 13, the Devices tab: editing a device (name, vehicle name, VIN,
location of its customer), the Devices list of a Device Management user
without device access, the API's next_cursor on a last page, and the
manage-devices preview.

Devices and users are inserted with sqlite3 (fixtures) so each test knows
where they are; the edits themselves go over HTTP.
"""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures import (DM, FDA, STACK, Api, PageTest, cid, client, events,  # noqa: E402
                      field_error, make_device, make_location, make_user, new_token,
                      option_values, selected_option, setUpModule, tables)

VIN = '1HGCM82633A004352'


def device_row(device_id):
    return STACK.query('SELECT name, vehicle_name, vin, location_id, customer_id, unit_id '
                       'FROM devices WHERE id = ?', device_id)[0]


class Fixture(PageTest):
    @classmethod
    def setUpClass(cls):
        if STACK.query("SELECT count(*) FROM devices WHERE unit_id = 'ED-AA-1'")[0][0]:
            return
        Fixture.depot = make_location('Edit depot', 'Aarhus')
        Fixture.harbour = make_location('Edit harbour', 'Aarhus')
        Fixture.dk_yard = make_location('Edit yard', 'Northwind Denmark')
        Fixture.contoso_loc = make_location('Edit Contoso site', 'Contoso Charging')
        Fixture.aa1, _ = make_device('ED-AA-1', 'Aarhus')
        Fixture.aa2, _ = make_device('ED-AA-2', 'Aarhus', Fixture.depot)
        Fixture.se1, _ = make_device('ED-SE-1', 'Northwind Sweden')
        Fixture.co1, _ = make_device('ED-CO-1', 'Contoso Charging')
        make_user('ed.tech', 'Northwind Denmark', DM | FDA)
        make_user('ed.dm', 'Northwind Denmark', DM)
        make_user('ed.fda', 'Northwind Denmark', FDA)
        make_user('ed.located', 'Aarhus', DM | FDA, [Fixture.depot])


class EditTests(Fixture):
    def test_edit_sets_fields_and_location_and_logs(self):
        """Device Management with device access edits name, vehicle, VIN and
        gives the device a location of its customer; the device page shows
        it, the event names what changed; clearing goes back to none."""
        tech = client('ed.tech')
        r = tech.get(f'/devices/{self.aa1}')
        self.assertIn(f'href="/devices/{self.aa1}/edit"', r.text)
        r = tech.get(f'/devices/{self.aa1}/edit')
        self.assertPage(r)
        aarhus = {str(i) for (i,) in STACK.query(
            'SELECT id FROM locations WHERE customer_id = ?', cid('Aarhus'))}
        self.assertTrue({str(self.depot), str(self.harbour)} <= aarhus)
        values = option_values(r.text, 'location_id')
        self.assertEqual((values[0], set(values[1:])), ('', aarhus))
        self.assertEqual(selected_option(r.text, 'location_id'), None)
        before = len(events('device_updated'))
        r = tech.post(f'/devices/{self.aa1}/edit', {
            'name': 'Edited van', 'vehicle_name': 'Transit', 'vin': VIN,
            'location_id': self.harbour})
        self.assertEqual((r.status, r.location), (303, f'/devices/{self.aa1}'))
        self.assertEqual(device_row(self.aa1)[:5],
                         ('Edited van', 'Transit', VIN, self.harbour, cid('Aarhus')))
        page = tech.get(r.location)
        self.assertPage(page)
        self.assertIn('Device ED-AA-1 saved.', page.text)
        self.assertRegex(page.text, r'<dt>Location</dt><dd>Edit harbour</dd>')
        self.assertIn('Transit', page.text)
        logged = events('device_updated')[before:]
        self.assertEqual(len(logged), 1)
        self.assertEqual(logged[0][1], STACK.query(
            "SELECT id FROM users WHERE username = 'ed.tech'")[0][0])
        self.assertEqual(logged[0][2], 'device ED-AA-1: name, vehicle name, VIN, location')
        r = tech.get(f'/devices/{self.aa1}/edit')
        self.assertEqual(selected_option(r.text, 'location_id'), str(self.harbour))
        r = tech.post(f'/devices/{self.aa1}/edit', {
            'name': 'Edited van', 'vehicle_name': '', 'vin': '', 'location_id': ''})
        self.assertEqual(r.status, 303)
        self.assertEqual(device_row(self.aa1)[:4], ('Edited van', '', None, None))
        self.assertEqual(events('device_updated')[-1][2],
                         'device ED-AA-1: vehicle name, VIN, location')

    def test_unchanged_edit_writes_nothing(self):
        """Saving the form as shown changes nothing and logs nothing."""
        tech = client('ed.tech')
        before = len(events('device_updated'))
        name, vehicle, vin, loc = device_row(self.aa2)[:4]
        r = tech.post(f'/devices/{self.aa2}/edit', {
            'name': name, 'vehicle_name': vehicle, 'vin': vin or '', 'location_id': loc})
        self.assertEqual(r.status, 303)
        self.assertEqual(len(events('device_updated')), before)

    def test_bad_input_is_refused_next_to_its_field(self):
        """Empty name, bad VIN, a location of another customer, of another
        account, or not an id: 400 with the error next to the field and
        the input kept; nothing changes."""
        tech = client('ed.tech')
        snapshot = tables('devices', 'events')
        cases = [({'name': ''}, 'name'), ({'vin': '1HGCM82633A00435O'}, 'vin'),
                 ({'vin': 'SHORT'}, 'vin'), ({'vehicle_name': 'v' * 201}, 'vehicle_name'),
                 ({'location_id': self.dk_yard}, 'location_id'),
                 ({'location_id': self.contoso_loc}, 'location_id'),
                 ({'location_id': 'abc'}, 'location_id'),
                 ({'location_id': 999999}, 'location_id')]
        for change, name in cases:
            fields = {'name': 'Kept name', 'vehicle_name': '', 'vin': '', 'location_id': ''}
            fields.update(change)
            r = tech.post(f'/devices/{self.aa2}/edit', fields)
            self.assertPage(r, 400)
            self.assertIsNotNone(field_error(r.text, name), change)
            self.assertIn('value="Kept name"' if name != 'name' else 'value=""', r.text)
            self.assertNotIn('Contoso', r.text)
        self.assertEqual(field_error(tech.post(f'/devices/{self.aa2}/edit', {
            'name': 'x', 'location_id': self.dk_yard}).text, 'location_id'),
            'That location belongs to another customer.')
        self.assertEqual(tables('devices', 'events'), snapshot)

    def test_refusals(self):
        """Outside the view (another account, a sibling, a missing id, Device
        Management without device access): 404; without Device Management
        or Account Administrator (Full Device Access alone): 403 and no
        link; an Account Administrator without Device Management edits
        only the user groups (issue 15): the settings are neither shown
        nor changed; without a CSRF token: 403."""
        snapshot = tables('devices')
        tech = client('ed.tech')
        for device in (self.co1, self.se1, 999999):
            self.assertEqual(tech.get(f'/devices/{device}/edit').status, 404, device)
            self.assertEqual(tech.post(f'/devices/{device}/edit', {'name': 'x'}).status, 404)
        self.assertEqual(client('admin').get(f'/devices/{self.co1}/edit').status, 404)
        dm = client('ed.dm')
        self.assertEqual(dm.get(f'/devices/{self.aa1}/edit').status, 404)
        self.assertEqual(dm.post(f'/devices/{self.aa1}/edit', {'name': 'x'}).status, 404)
        c = client('ed.fda')
        page = c.get(f'/devices/{self.aa1}')
        self.assertEqual(page.status, 200)
        self.assertNotIn('/edit"', page.text)
        self.assertEqual(c.get(f'/devices/{self.aa1}/edit').status, 403)
        self.assertEqual(c.post(f'/devices/{self.aa1}/edit', {'name': 'x'}).status, 403)
        c = client('dk.admin')
        self.assertNotIn('id="name"', c.get(f'/devices/{self.aa1}/edit').text)
        self.assertEqual(c.post(f'/devices/{self.aa1}/edit', {'name': 'x'}).status, 303)
        r = tech.post(f'/devices/{self.aa1}/edit', {'name': 'x'}, csrf=False)
        self.assertEqual(r.status, 403)
        self.assertEqual(tables('devices'), snapshot)

    def test_user_with_locations_keeps_the_device_in_view(self):
        """A user with locations is offered only theirs and cannot put the
        device at none or at another location (it would leave their view)."""
        located = client('ed.located')
        self.assertEqual(located.get(f'/devices/{self.aa1}/edit').status, 404)
        r = located.get(f'/devices/{self.aa2}/edit')
        self.assertPage(r)
        self.assertEqual(option_values(r.text, 'location_id'), ['', str(self.depot)])
        self.assertEqual(selected_option(r.text, 'location_id'), str(self.depot))
        for loc in ('', self.harbour):
            r = located.post(f'/devices/{self.aa2}/edit', {'name': 'Mine', 'location_id': loc})
            self.assertPage(r, 400)
            self.assertIn('your locations', field_error(r.text, 'location_id'))
        r = located.post(f'/devices/{self.aa2}/edit', {'name': 'Mine',
                                                       'location_id': self.depot})
        self.assertEqual(r.status, 303)
        self.assertEqual(device_row(self.aa2)[0], 'Mine')



class DeviceManagementAloneTests(Fixture):
    def test_empty_list_says_why(self):
        """Device Management without Full Device Access: the Devices tab and
        page open with no device and a line saying why, and the register
        button; a device page stays 403, the API list keeps its 403."""
        dm = client('ed.dm')
        r = dm.get('/devices')
        self.assertPage(r)
        self.assertIn('<a href="/devices"', r.text)        # the tab
        self.assertIn('id="no-device-access"', r.text)
        self.assertIn('only together with Full Device Access', r.text)
        self.assertIn('href="/devices/new"', r.text)
        self.assertNotIn('<tbody>', r.text)
        self.assertNotIn('ED-AA-1', r.text)
        # a filter changes nothing: nothing is read, nothing is told
        r = dm.get(f'/devices?customer_id={cid("Contoso Charging")}&q=ED')
        self.assertEqual(r.status, 200)
        self.assertNotIn('Contoso', r.text)
        self.assertIn('href="/devices"', dm.get('/accounts').text)
        self.assertEqual(dm.get(f'/devices/{self.aa1}').status, 403)
        secret, _ = new_token('ed.dm')
        self.assertEqual(Api(secret).call('GET', '/api/v1/devices').status, 403)

    def test_others_unchanged(self):
        """Full Device Access still lists with no such line; no group at all
        is still 403."""
        r = client('ed.tech').get('/devices?q=ED-AA')
        self.assertPage(r)
        self.assertNotIn('no-device-access', r.text)
        self.assertIn('ED-AA-1', r.text)
        self.assertEqual(client('driver').get('/devices').status, 403)



class ApiCursorTests(Fixture):
    def walk(self, api, path, limit):
        """The ids of every page of path at limit, and the pages' sizes."""
        ids, sizes, cursor = [], [], None
        while True:
            r = api.call('GET', f'{path}?limit={limit}' + (f'&cursor={cursor}' if cursor else ''))
            self.assertEqual(r.status, 200, r.text)
            ids += [item['id'] for item in r.json['items']]
            sizes.append(len(r.json['items']))
            cursor = r.json['next_cursor']
            if cursor is None:
                return ids, sizes

    def test_no_cursor_past_the_last_row(self):
        """On two resources (devices and locations): a page that ends at
        the last row has next_cursor null, whatever the limit, so no page
        is ever empty; limit=1 walks every row once."""
        secret, _ = new_token('admin', name='cursor')
        api = Api(secret)
        for path in ('/api/v1/devices', '/api/v1/locations'):
            everything = api.call('GET', f'{path}?limit=500').json
            self.assertIsNone(everything['next_cursor'], path)
            all_ids = [item['id'] for item in everything['items']]
            n = len(all_ids)
            self.assertGreater(n, 2, path)
            for limit in (1, 2, n - 1, n, n + 1):
                ids, sizes = self.walk(api, path, limit)
                self.assertEqual(ids, all_ids, (path, limit))
                self.assertNotIn(0, sizes, (path, limit))
                self.assertEqual(len(sizes), -(-n // limit), (path, limit))
            r = api.call('GET', f'{path}?limit=1&cursor={all_ids[-1]}')
            self.assertEqual((r.json['items'], r.json['next_cursor']), ([], None))



class ManageTests(Fixture):
    def test_preview_counts_apart_and_lists_side_effects(self):
        """The preview puts the devices that move, those already at the
        target and the locations the move clears in sections of their own,
        each counted; process then does exactly that."""
        make_device('ED-MV-1', 'Northwind Denmark', self.dk_yard)
        make_device('ED-MV-2', 'Aarhus', self.depot)
        make_device('ED-MV-3', 'Northwind Denmark')
        admin = client('admin')
        admin.get('/devices/manage?mode=text')
        fields = {'step': 'preview', 'customer_id': cid('Aarhus'),
                  'ids': 'ED-MV-1 ED-MV-2 ED-MV-3 ED-NOPE'}
        r = admin.post('/devices/manage', fields)
        self.assertPage(r)
        self.assertIn('Will move (2)', r.text)
        moves = re.search(r'<table id="moves">.*?</table>', r.text, re.S).group(0)
        self.assertEqual(re.findall(r'<th scope="row">([^<]+)</th>', moves),
                         ['ED-MV-1', 'ED-MV-3'])
        self.assertIn('Side effects: locations cleared (1)', r.text)
        cleared = re.search(r'<ul id="cleared">(.*?)</ul>', r.text, re.S).group(1)
        self.assertIn('ED-MV-1', cleared)
        self.assertIn('Edit yard', cleared)
        self.assertNotIn('ED-MV-3', cleared)
        self.assertIn('Already there, not moved (1)', r.text)
        unchanged = re.search(r'<ul id="unchanged">(.*?)</ul>', r.text, re.S).group(1)
        self.assertIn('ED-MV-2', unchanged)
        self.assertNotIn('ED-MV-1', unchanged)
        self.assertIn('<code>ED-NOPE</code>', r.text)
        r = admin.post('/devices/manage', dict(fields, step='process'))
        self.assertEqual(r.status, 303)
        self.assertIn('2 devices moved', admin.get(r.location).text)
        self.assertEqual(STACK.query(
            "SELECT unit_id, location_id FROM devices WHERE unit_id IN ('ED-MV-1', 'ED-MV-2', 'ED-MV-3') "
            'ORDER BY unit_id'), [('ED-MV-1', None), ('ED-MV-2', self.depot), ('ED-MV-3', None)])

    def test_nothing_to_move_says_so(self):
        """Only devices already at the target: nothing will move, no Process."""
        make_device('ED-MV-9', 'Northwind Sweden')
        admin = client('admin')
        admin.get('/devices/manage?mode=text')
        r = admin.post('/devices/manage', {'step': 'preview', 'ids': 'ED-MV-9',
                                           'customer_id': cid('Northwind Sweden')})
        self.assertPage(r)
        self.assertIn('Will move (0)', r.text)
        self.assertIn('nothing will move', r.text)
        self.assertNotIn('>Process</button>', r.text)

    def test_selection_list_search_and_ticks_hint(self):
        """The selection list has a search box that narrows it, and says that
        only this page's ticks count, pointing to pasting ids; the paste mode
        has neither."""
        make_device('ED-SR-1', 'Northwind Denmark', name='Searchable one')
        make_device('ED-SR-2', 'Aarhus', name='Searchable two')
        admin = client('admin')
        r = admin.get('/devices/manage?q=Searchable')
        self.assertPage(r)
        self.assertIn('<label for="q">', r.text)
        self.assertIn('value="Searchable"', r.text)
        ticked = re.findall(r'<label for="device-[^"]+">([^<]+)</label>', r.text)
        self.assertEqual(sorted(ticked), ['ED-SR-1', 'ED-SR-2'])
        self.assertIn('Only the devices ticked on this page are moved.', r.text)
        self.assertIn('href="/devices/manage?mode=text">paste their ids', r.text)
        r = admin.get('/devices/manage?q=ED-SR-2')
        self.assertEqual(re.findall(r'<label for="device-[^"]+">([^<]+)</label>', r.text),
                         ['ED-SR-2'])
        r = admin.get('/devices/manage?mode=text')
        self.assertNotIn('ticks-hint', r.text)
        self.assertNotIn('<label for="q">', r.text)


if __name__ == '__main__':
    unittest.main()
