"""A user whose password an administrator set must choose their own: the
forced change asks for it twice, refuses an easy one with the reason next
to the field (password-weak.png), and offers nothing in the header but
signing out until it is done."""
from browser import PASSWORD, scenario, sign_in

STRONG = 'Quiet-Harbor-Lantern-4471'


@scenario('passwords: the forced change refuses an easy password and says why')
def forced_change(run):
    run.stack.query("UPDATE users SET must_change_password = 1 WHERE username = 'driver'")
    page = run.page()
    sign_in(page, 'driver', path='/profile/password')
    assert not page.find_all('header a'), 'the header offers no link that leads back here'
    assert page.button('Sign out', within='header')

    page.fill(page.label('Current password'), PASSWORD)
    page.fill(page.label('New password', exact=True), 'password1234')
    page.fill(page.label('New password again'), 'password1234')
    page.submit(page.button('Change password'), status=400)
    why = page.text('#new_password-error')
    assert 'too easy to guess' in why and 'common password' in why, why
    page.screenshot('password-weak.png')

    page.fill(page.label('Current password'), PASSWORD)
    page.fill(page.label('New password', exact=True), STRONG)
    page.fill(page.label('New password again'), STRONG + '!')
    page.submit(page.button('Change password'), status=400)
    assert 'differ' in page.text('#confirm_password-error')

    page.fill(page.label('Current password'), PASSWORD)
    page.fill(page.label('New password', exact=True), STRONG)
    page.fill(page.label('New password again'), STRONG)
    page.submit(page.button('Change password'), path='/accounts')
    assert page.link('Profile', within='header')
