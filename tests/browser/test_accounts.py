"""A person signs in, sees their account, signs out (login.png, accounts.png)."""
from browser import PASSWORD, scenario


@scenario('accounts: sign in via redirect, see own account and subsections, sign out')
def accounts(run):
    page = run.page()
    page.goto('/accounts')
    assert page.path == '/login', 'an anonymous visit should land on the login page'
    page.screenshot('login.png')

    page.fill(page.label('Username or e-mail'), 'admin')
    page.fill(page.label('Password', exact=True), PASSWORD)
    login_form = page.find('form[action="/login"]')
    page.submit(login_form.find_element('css selector', 'button, input[type="submit"]'),
                path='/accounts')

    h1s = page.find_all('h1')
    assert len(h1s) == 1, 'exactly one h1'
    assert h1s[0].is_displayed(), 'h1 visible'
    assert h1s[0].text.strip(), 'h1 has text'
    assert 'Northwind Fleet' in page.text(), 'the customer name is visible'
    for path in ('/users', '/customers'):
        page.link(href=path)        # a visible link to each subsection
    page.screenshot('accounts.png')

    page.submit(page.first('form[action="/logout"] button, '
                           'form[action="/logout"] input[type="submit"]'), path='/login')
    assert page.path == '/login', 'signing out goes back to the login page'

    page.goto('/accounts')
    assert page.path == '/login', 'after sign-out /accounts asks for login again'
