"""Access Control Management as people meet it: Northwind's administrator
adds an RFID tag for a driver (access-tag-form.png, access-tags.png); a
charger reports scans through the API, one of the driver's card and one of
a card nobody registered; the scan history shows both, newest first, in
the administrator's time zone (access-scans.png), and filters the denied
ones."""
import json
import re
import urllib.request

from browser import scenario, sign_in


def report_scan(run, token, unit_id, rfid):
    """POST /api/v1/access/scans as the charger would: the decision."""
    req = urllib.request.Request(run.stack.url('/api/v1/access/scans'), method='POST',
                                 data=json.dumps({'unit_id': unit_id, 'rfid': rfid}).encode(),
                                 headers={'Authorization': f'Bearer {token}',
                                          'Content-Type': 'application/json'})
    with urllib.request.urlopen(req) as answer:
        assert answer.status == 201, answer.status
        return json.load(answer)


@scenario('access control: a tag, scans reported by a charger, the history')
def access_control(run):
    page = run.page()
    sign_in(page, 'admin', path='/accounts')
    page.submit(page.link('Access control', within='nav'), path='/access')
    assert 'No device has reported a scan yet' in page.text('main')
    page.submit(page.link('Add a tag'), path='/access/tags/new')
    page.fill(page.label('Uid'), '04:a2:1f:9c')
    page.fill(page.label('Label (optional)'), 'Van 11 key card')
    page.fill(page.label('Holder', exact=True), 'driver')
    page.screenshot('access-tag-form.png')
    page.submit(page.button('Add tag'), path='/access/tags')
    assert 'Tag 04A21F9C was added.' in page.text('.flash')
    assert 'driver' in page.rows('04A21F9C')[0].text
    page.screenshot('access-tags.png')

    page.goto('/tokens')
    page.fill(page.label('Name'), 'Charger NW-100003')
    page.submit(page.button('Create token'),
                path=lambda p: re.fullmatch(r'/tokens/\d+/created', p))
    token = page.text('#token-secret')
    allowed = report_scan(run, token, 'NW-100003', '04A21F9C')
    assert allowed['allowed'] and allowed['status'] == 'Accepted', allowed
    denied = report_scan(run, token, 'NW-100003', 'DEADBEEF')
    assert not denied['allowed'] and denied['status'] == 'Invalid', denied

    page.goto('/access')
    rows = [r.text for r in page.find_all('tbody tr')]
    assert len(rows) == 2, rows
    assert 'DEADBEEF' in rows[0] and 'Denied' in rows[0]
    assert '04A21F9C' in rows[1] and 'driver' in rows[1] and 'Allowed' in rows[1]
    page.screenshot('access-scans.png')
    page.select(page.label('Result'), 'Denied')
    page.submit(page.button('Show'), path='/access')
    assert [r.text for r in page.find_all('tbody tr')] == rows[:1]
