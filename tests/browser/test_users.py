"""An administrator creates a user with the welcome mail; the mail sender
spools it; the new user opens the set-up link from the .eml file, chooses a
password and signs in (user-form.png, users.png,
users-new-user-accounts.png)."""
import re

from browser import scenario, sign_in, spooled_mail

NEW_PASSWORD = 'Amber-Lighthouse-Quill-6034'


@scenario('users: create with the welcome mail, set the password by the link, sign in')
def users(run):
    page = run.page()
    sign_in(page, 'admin')
    page.goto('/users')
    assert page.text('h1') == 'Users'
    page.submit(page.link('Create user'), path='/users/new')
    page.fill(page.label('E-mail (required)'), 'nina.new@example.test')
    page.fill(page.label('Username (required)'), 'nina.new')
    page.select(page.label('Customer (required)'),
                'Northwind Fleet › Northwind Denmark › Aarhus')
    page.check(page.label('Fleet Management'))
    page.check(page.label('Send a welcome e-mail with a set-up link'))
    page.fill(page.label('Full name'), 'Nina Nyström')
    page.screenshot('user-form.png')
    page.submit(page.button('Create user'), path=lambda p: re.fullmatch(r'/users/\d+', p))
    assert 'welcome e-mail' in page.text('.flash')

    page.goto('/users?sort=username')
    rows = page.rows('nina.new@example.test', css='tr')
    assert len(rows) == 1 and rows[0].is_displayed(), 'the new user is listed'
    assert 'Aarhus' in rows[0].text
    assert 'Fleet Management' in rows[0].text
    page.screenshot('users.png')

    # the sender writes the welcome mail into the spool
    assert '1 sent' in run.stack.arborctl('mail', 'send').stdout
    mail = spooled_mail(run.stack, 'nina.new@example.test')
    link = re.search(r'https?://\S+/password/setup/[A-Za-z0-9_-]{43}', mail)
    assert link, 'the mail holds a set-up link'
    assert 'Hello Nina Nyström' in mail, 'the body is UTF-8'

    # the new user, in a browser of their own, follows the link
    user = run.page()
    user.goto(link[0])
    assert user.text('h1') == 'Set your password'
    user.fill(user.label('New password', exact=True), NEW_PASSWORD)
    user.fill(user.label('New password again'), NEW_PASSWORD)
    user.submit(user.button('Set password'), path='/login')
    assert 'password is set' in user.text('.flash')
    sign_in(user, 'nina.new', NEW_PASSWORD)
    assert user.path == '/accounts', 'the new user lands on Accounts'
    user.screenshot('users-new-user-accounts.png')

    # the link works once
    assert user.goto(link[0], status=404) == 404
    assert 'expired or was already used' in user.text('h1')
