"""An administrator creates a nested customer and finds it in the Customers
tab (customer.png, customers.png)."""
import re

from browser import scenario, sign_in


@scenario('customers: create a nested customer under Denmark and see it in the list')
def customers(run):
    page = run.page()
    sign_in(page, 'admin', path='/accounts')

    page.submit(page.link('Customers', within='nav.main-nav'), path='/customers')
    assert page.text('h1') == 'Customers'

    page.submit(page.link(href='/customers/new'), path='/customers/new')
    # every field is reachable by its label, as a person (or a screen reader) finds it
    page.fill(page.label('Company name'), 'Odense Charging')
    page.fill(page.label('Main work e-mail'), 'odense@northwind.example')
    page.select(page.label('Country'), 'DK')
    page.select(page.label('Time zone'), 'Europe/Copenhagen')
    page.select(page.label('Time format'), '24h')
    page.select(page.label('Units'), 'metric')
    page.select(page.label('Parent customer'), 'Northwind Fleet › Northwind Denmark')
    page.check(page.label('Require MFA for every user of this customer and below'))
    page.submit(page.button('Create customer'),
                path=lambda p: re.fullmatch(r'/customers/\d+', p))

    flash = page.find('.flash')
    assert flash.is_displayed(), 'a confirmation is shown after creating'
    assert 'Odense Charging' in flash.text
    assert page.text('h1') == 'Odense Charging'
    assert 'Northwind Fleet › Northwind Denmark › Odense Charging' in page.text(), \
        'the new customer sits under Denmark'
    page.screenshot('customer.png')

    page.goto('/customers')
    assert page.path == '/customers'
    rows = page.rows('Odense Charging')
    assert len(rows) == 1, 'the new customer is listed once'
    assert 'MFA required' in rows[0].text
    assert '5 customers' in page.text(), 'the count includes it'
    assert 'Contoso' not in page.driver.page_source, 'no other account shows'
    page.screenshot('customers.png')
