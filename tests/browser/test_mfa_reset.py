"""An Account Administrator (dk.admin: Account Administrator of Northwind
Denmark, no other group) requires MFA for Aarhus on the Accounts tab, then
resets the MFA of driver (Aarhus), who lost their phone; driver signs in
and is asked to enrol again instead of for a code (mfa-require.png,
mfa-reset-form.png, mfa-reset-done.png, mfa-reset-enrol.png); the Users list then
finds driver by the MFA filter (users-mfa-filter.png)."""
import re

from browser import PASSWORD, scenario, sign_in, totp


@scenario('mfa reset: the administrator requires MFA and resets a user\'s; the user enrols again')
def mfa_reset(run):
    driver_id = run.stack.query("SELECT id FROM users WHERE username = 'driver'")[0][0]
    aarhus = run.stack.query("SELECT id FROM customers WHERE name = 'Aarhus'")[0][0]

    user = run.page()
    sign_in(user, 'driver')
    user.goto('/profile/mfa')
    secret = user.text('#mfa-secret')
    user.fill('input[name="code"]', totp(secret))
    user.submit(user.find('form[action="/profile/mfa"] button[type="submit"]'))
    assert len(user.find_all('#recovery-codes li')) == 10

    admin = run.page()
    sign_in(admin, 'dk.admin', path='/accounts')
    admin.submit(admin.link('Security'), path='/accounts/security')
    admin.select(admin.label('Customer', exact=True), str(aarhus))
    admin.submit(admin.button('Show'), path='/accounts/security')
    admin.check(admin.label('Require MFA for every user of this customer and below'))
    admin.screenshot('mfa-require.png')
    admin.submit(admin.button('Save'), path='/accounts/security')
    assert 'require MFA' in admin.text('.flash'), admin.text('.flash')

    admin.goto(f'/users/{driver_id}')
    assert 'On' in admin.text('dl.details'), 'the MFA status is shown'
    admin.fill('#reset_password', PASSWORD)
    admin.screenshot('mfa-reset-form.png')
    admin.submit(admin.button('Reset MFA of driver'), path=f'/users/{driver_id}')
    assert 'was reset' in admin.text('.flash'), admin.text('.flash')
    assert 'Required but not set up' in admin.text('dl.details')
    admin.screenshot('mfa-reset-done.png')
    mail = run.stack.query("SELECT subject FROM mail_queue WHERE recipient = "
                           "'driver@northwind.example' ORDER BY id DESC LIMIT 1")
    assert mail and 'reset' in mail[0][0], mail

    # the reset signed driver out; signing in asks for enrolment, no code
    user.goto('/accounts')
    assert user.path == '/login', user.path
    sign_in(user, 'driver', path='/profile/mfa')
    assert re.fullmatch(r'[A-Z2-7]{32}', user.text('#mfa-secret'))
    assert user.text('#mfa-secret') != secret, 'a new secret'
    user.screenshot('mfa-reset-enrol.png')

    # the Users list finds driver by MFA status, with the filters beside the search
    admin.goto('/users')
    admin.select(admin.label('MFA', exact=True), 'required')
    admin.submit(admin.button('Search'), path='/users')
    rows = admin.rows('driver')
    assert len(rows) == 1 and 'Required, not set up' in rows[0].text, [r.text for r in rows]
    admin.screenshot('users-mfa-filter.png')
