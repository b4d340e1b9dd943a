"""Issue 13's rough edges as a person meets them: deleting a location after a
confirmation that counts what it detaches (location_delete.png); an API token
whose secret shows once, on the page the creation redirects to, and that is
revoked after a confirmation (token_created.png, token_revoke.png); "Create
user here" on a customer's page (customer_links.png)."""
import re

from browser import scenario, sign_in


@scenario('locations: delete one after a confirmation counting its users and devices')
def location_delete(run):
    page = run.page()
    sign_in(page, 'admin', path='/accounts')
    page.goto('/locations')
    page.submit(page.link('North Terminal'), path=lambda p: re.fullmatch(r'/locations/\d+', p))
    page.submit(page.link('Delete location'),
                path=lambda p: re.fullmatch(r'/locations/\d+/delete', p))
    assert page.text('h1') == 'Delete location North Terminal?'
    # the demo: driver works there, and one device stands there
    assert 'detaches 1 user and 1 device' in page.text('#detach-summary'), page.text()
    assert 'no longer be limited by location' in page.text('#detach-last')
    page.screenshot('location_delete.png')
    page.submit(page.button('Delete location'), path='/locations')
    flash = page.find('.flash')
    assert 'North Terminal' in flash.text and '1 user and 1 device detached' in flash.text
    assert not page.rows('North Terminal'), 'it is gone from the list'


@scenario('tokens: the secret shows once after a redirect; revoking asks first')
def tokens(run):
    page = run.page()
    sign_in(page, 'dk.admin', path='/accounts')
    page.goto('/tokens')
    page.fill(page.label('Name'), 'Nightly export')
    page.submit(page.button('Create token'),
                path=lambda p: re.fullmatch(r'/tokens/\d+/created', p))
    secret = page.text('#token-secret')
    assert secret.startswith('arbor_'), secret
    page.screenshot('token_created.png')
    page.driver.refresh()
    page.inspect()
    assert secret not in page.driver.page_source, 'a reload does not show it again'
    assert page.find('#token-shown').is_displayed()
    page.submit(page.link('Done'), path='/tokens')
    assert len(page.rows('Nightly export')) == 1, 'one token, not two'

    page.submit(page.link(href=None, name='Revoke Nightly export'),
                path=lambda p: re.fullmatch(r'/tokens/\d+/revoke', p))
    assert page.text('h1') == 'Revoke token “Nightly export”?'
    page.screenshot('token_revoke.png')
    page.submit(page.button('Revoke token'), path='/tokens')
    assert 'Token “Nightly export” was revoked' in page.find('.flash').text
    assert 'revoked' in page.rows('Nightly export')[0].text


@scenario('customers: the page links to what is below it; Create user here preselects it')
def customer_links(run):
    page = run.page()
    sign_in(page, 'admin', path='/accounts')
    page.goto('/customers')
    page.submit(page.link('Northwind Denmark'), path=lambda p: re.fullmatch(r'/customers/\d+', p))
    customer_path = page.path
    for name in ('Nested customers of this customer', 'Users of this customer',
                 'Devices of this customer'):
        assert page.link(name).is_displayed(), name
    page.screenshot('customer_links.png')
    page.submit(page.link('Nested customers of this customer'), path='/customers')
    assert page.rows('Aarhus') and not page.rows('Northwind Sweden'), page.text()
    page.goto(customer_path)
    page.submit(page.link('Create user here'), path='/users/new')
    chosen = page.driver.execute_script(
        'const s = document.getElementById("customer_id");'
        ' return s.options[s.selectedIndex].text')
    assert chosen.endswith('Northwind Denmark'), chosen
