"""An administrator registers two devices, pastes their ids (and one unknown
id) into "Manage devices", previews, and processes (devices-preview.png,
devices.png). Then ticks devices on the searched selection list, one
already at the target and one whose location the move clears, and sees
both in the preview before processing (devices-manage-list.png,
devices-manage-preview.png, devices-manage-done.png)."""
import re

from browser import normalize, scenario, sign_in


@scenario('devices: register, paste ids, preview, process')
def devices(run):
    page = run.page()
    sign_in(page, 'admin', path='/accounts')

    for unit in ('BRW-0001', 'BRW-0002'):
        page.goto('/devices/new')
        page.fill('#unit_id', unit)
        page.fill('#name', f'Truck {unit}')
        page.select('#customer_id', 'Northwind Fleet › Northwind Denmark')
        page.submit(page.find('form[action="/devices/new"] button[type="submit"]'),
                    path=lambda p: re.fullmatch(r'/devices/\d+', p))
        assert page.find('.flash').is_displayed(), 'a confirmation is shown'

    page.goto('/devices/manage?mode=text')
    page.select('#customer_id', 'Northwind Fleet › Northwind Sweden')
    page.fill('#ids', 'BRW-0001\nBRW-0002, NO-SUCH-UNIT\n')
    page.submit(page.first('form[action="/devices/manage"] button[type="submit"]'))
    assert page.text('h1') == 'Preview: move devices to Northwind Fleet › Northwind Sweden'
    assert len(page.find_all('table tbody tr')) == 2, 'two devices will move'
    assert 'NO-SUCH-UNIT' in page.text(), 'the unknown id is listed'
    page.screenshot('devices-preview.png')

    page.submit(page.button('Process'), path='/devices')
    assert re.search(r'2 devices moved', page.text('.flash'))
    page.screenshot('devices.png')


@scenario('manage devices: search the list, tick, preview side effects, process')
def manage_from_list(run):
    page = run.page()
    sign_in(page, 'admin', path='/accounts')
    page.goto('/devices')
    page.submit(page.link('Manage devices'), path='/devices/manage')
    assert 'Only the devices ticked on this page are moved.' in page.text('#ticks-hint')
    page.fill(page.label('Search the list'), 'NW-10000')
    page.submit(page.button('Search'), path='/devices/manage')
    listed = [normalize(r.find_element('css selector', 'label').text)
              for r in page.find_all('form[method="post"] tbody tr')]
    assert listed and all(u.startswith('NW-10000') for u in listed), listed
    page.select('#customer_id', 'Northwind Fleet › Northwind Denmark › Aarhus')
    page.check(page.label('NW-100002', exact=True))   # Denmark, at Central Garage
    page.check(page.label('NW-100004', exact=True))   # already at Aarhus
    page.screenshot('devices-manage-list.png')

    page.submit(page.button('Preview'))
    assert page.text('h1') == 'Preview: move devices to Northwind Fleet › Northwind Denmark › Aarhus'
    assert page.text('#moves-heading') == 'Will move (1)'
    assert [normalize(r.text).split()[0] for r in page.find_all('#moves tbody tr')] == \
        ['NW-100002']
    assert 'Central Garage' in page.text('#cleared') and 'NW-100002' in page.text('#cleared')
    assert page.text('#unchanged-heading') == 'Already there, not moved (1)'
    assert 'NW-100004' in page.text('#unchanged')
    page.screenshot('devices-manage-preview.png')

    page.submit(page.button('Process'), path='/devices')
    assert re.search(r'1 device moved', page.text('.flash'))
    row = page.rows('NW-100002')[0].text
    assert 'Aarhus' in row and 'Central Garage' not in row, row
    page.screenshot('devices-manage-done.png')
