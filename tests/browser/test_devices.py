"""An administrator registers two devices, pastes their ids (and one unknown
id) into "Manage devices", previews, and processes (devices-preview.png,
devices.png)."""
import re

from browser import scenario, sign_in


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
