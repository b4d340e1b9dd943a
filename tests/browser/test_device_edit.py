"""An administrator opens a demo device that has no location, edits it
(a wrong VIN first: the error sits next to its field), gives it a location
of its customer and sees it on the device page (device-edit.png,
device-edit-error.png, device-edited.png)."""
import re

from browser import scenario, sign_in


@scenario('device edit: name, VIN refused then fixed, a location, the device page')
def device_edit(run):
    page = run.page()
    sign_in(page, 'admin', path='/accounts')
    page.goto('/devices?q=NW-100004')
    page.submit(page.link('NW-100004'), path=lambda p: re.fullmatch(r'/devices/\d+', p))
    assert 'none' in page.text('dl.details'), 'no location yet'
    page.submit(page.link('Edit device'), path=lambda p: p.endswith('/edit'))
    assert page.text('h1') == 'Edit device NW-100004'
    page.fill(page.label('Name', exact=True), 'Tracker 4 (cold chain)')
    page.fill(page.label('VIN'), '1HGCM82633A00435O')
    page.select(page.label('Location'), 'North Terminal')
    page.screenshot('device-edit.png')

    page.submit(page.button('Save changes'), status=400)
    assert 'never contains I, O or Q' in page.text('#vin-error')
    assert page.label('Name', exact=True).get_attribute('value') == 'Tracker 4 (cold chain)', 'input kept'
    page.screenshot('device-edit-error.png')

    page.fill(page.label('VIN'), '1HGCM82633A004352')
    page.submit(page.button('Save changes'), path=lambda p: re.fullmatch(r'/devices/\d+', p))
    assert 'Device NW-100004 saved.' in page.text('.flash')
    details = page.text('dl.details')
    assert 'Tracker 4 (cold chain)' in details and 'North Terminal' in details, details
    assert '1HGCM82633A004352' in details
    page.screenshot('device-edited.png')

    page.goto('/devices?q=NW-100004')
    assert page.rows('NW-100004')[0].text.count('North Terminal') == 1, 'the list shows it too'
