"""A user enrols in TOTP from the page, signs out, and signs in again with a
code from oathtool, as their authenticator app would (mfa-enrol.png,
mfa-recovery-codes.png)."""
import re

from browser import scenario, sign_in, totp


@scenario('mfa: enrol from the page, sign out, sign in with a code')
def mfa(run):
    page = run.page()
    sign_in(page, 'driver')
    page.goto('/profile/mfa')
    qr = page.find('figure.qr svg')
    assert qr.is_displayed(), 'the QR code is visible'
    assert qr.size['width'] >= 150 and qr.size['height'] >= 150, \
        'the QR code is large enough to scan'
    secret = page.text('#mfa-secret')
    assert re.fullmatch(r'[A-Z2-7]{32}', secret)
    page.screenshot('mfa-enrol.png')

    page.fill('input[name="code"]', totp(secret))
    page.submit(page.find('form[action="/profile/mfa"] button[type="submit"]'))
    codes = page.find_all('#recovery-codes li')
    assert len(codes) == 10, 'ten recovery codes are shown'
    page.screenshot('mfa-recovery-codes.png')

    page.submit(page.first('form[action="/logout"] button'), path='/login')
    sign_in(page, 'driver')
    assert page.path == '/login/mfa', 'the password alone is not enough'
    page.fill('input[name="code"]', totp(secret, 30))
    page.submit(page.find('form[action="/login/mfa"] button[type="submit"]'),
                path='/accounts')
