"""Seed 003's account roles as a person meets them: an API Developer reads
the Customers, Users and Locations pages with every field shown and none
to change (api-developer-customer.png, api-developer-location.png), and
their tokens page offers read-only tokens only (api-developer-tokens.png);
a Billing Administrator keeps the account's profile, where a mistyped
IBAN is caught (account-profile-error.png, account-profile.png)."""
import re

from browser import scenario, sign_in

API_DEVELOPER = 64
BILLING_ADMIN = 128


@scenario('roles: an API Developer reads the pages and changes nothing')
def api_developer(run):
    # dk.admin of Northwind Denmark becomes an API Developer only
    run.stack.query('UPDATE users SET groups = ? WHERE username = ?', API_DEVELOPER, 'dk.admin')
    page = run.page()
    sign_in(page, 'dk.admin', path='/accounts')
    for tab in ('Customers', 'Users', 'Devices', 'Locations'):
        assert page.link(tab, within='nav').is_displayed(), tab

    page.goto('/customers')
    assert not page.find_all('a[href="/customers/new"]'), 'no Create customer'
    page.submit(page.link('Aarhus'), path=lambda p: re.fullmatch(r'/customers/\d+', p))
    assert 'allow reading only' in page.text('.notice')
    assert not page.label('Company name').is_enabled(), 'the fields are disabled'
    assert not page.find_all('button[type="submit"]:not(.link-button)'), 'no save button'
    page.screenshot('api-developer-customer.png')

    page.goto('/locations')
    page.submit(page.link('North Terminal'), path=lambda p: re.fullmatch(r'/locations/\d+', p))
    assert not page.label('Name').is_enabled()
    assert not page.find_all('a.danger'), 'no Delete location'
    page.screenshot('api-developer-location.png')

    page.goto('/users')
    assert not page.find_all('a[href="/users/new"]'), 'no Create user'
    page.submit(page.link('driver@northwind.example'),
                path=lambda p: re.fullmatch(r'/users/\d+', p))
    assert 'allow reading only' in page.text()

    page.goto('/tokens')
    assert 'Scope: read only' in page.text()
    assert not page.find_all('#scope_write')
    page.fill(page.label('Name'), 'Reporting')
    page.submit(page.button('Create token'),
                path=lambda p: re.fullmatch(r'/tokens/\d+/created', p))
    assert 'for reading only (GET)' in page.text()
    page.goto('/tokens')
    assert 'read' in page.rows('Reporting')[0].text
    page.screenshot('api-developer-tokens.png')


@scenario('roles: a Billing Administrator keeps the account profile; an IBAN is checked')
def account_profile(run):
    run.stack.query('UPDATE users SET groups = ? WHERE username = ?', BILLING_ADMIN,
                    'contoso.admin')
    page = run.page()
    sign_in(page, 'contoso.admin', path='/accounts')
    page.submit(page.link('Open the account profile'),
                path=lambda p: re.fullmatch(r'/customers/\d+/profile', p))
    assert page.text('h1') == 'Profile of Contoso Charging'
    page.select(page.label('Plan'), 'Fleet')
    page.check(page.label('Nederlands (Dutch)'))
    page.fill(page.label('Name', exact=True), 'Carla Contoso')
    page.fill(page.label('Street and number'), '1 Harbor Road')
    page.fill(page.label('Postal code'), '10001')
    page.fill(page.label('City'), 'New York')
    page.check(page.label('Direct debit', exact=True))
    page.fill(page.label('IBAN to debit'), 'GB82 WEST 1234 5698 7654 33')
    page.submit(page.button('Save profile'), status=400)
    assert 'not a valid IBAN' in page.text('#iban-error')
    page.screenshot('account-profile-error.png')
    page.fill(page.label('IBAN to debit'), 'GB82 WEST 1234 5698 7654 32')
    page.submit(page.button('Save profile'),
                path=lambda p: re.fullmatch(r'/customers/\d+/profile', p))
    assert 'The account profile was saved.' in page.text('.flash')
    assert page.label('IBAN to debit').get_attribute('value') == 'GB82WEST12345698765432'
    page.screenshot('account-profile.png')
    page.goto('/accounts')
    assert 'Fleet' in page.text('#profile-heading + dl')
