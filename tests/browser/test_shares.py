"""Seed 003's Location Facilitator as people meet it: Northwind's
administrator shares the location North Terminal with a person of
Contoso (location-shares.png); that person follows the mail's link,
accepts (share-accept.png) and reads the location's devices under
"Shared with me" (shared.png); once revoked, the share is gone on their
next page."""
import re

from browser import scenario, sign_in, spooled_mail

GUEST_EMAIL = 'admin@contoso.example'


@scenario('shares: a location shared with another account, accepted, read, revoked')
def location_share(run):
    owner = run.page()
    sign_in(owner, 'admin')
    owner.goto('/locations')
    owner.submit(owner.link('North Terminal'), path=lambda p: re.fullmatch(r'/locations/\d+', p))
    owner.submit(owner.link('Sharing'), path=lambda p: p.endswith('/shares'))
    assert owner.text('h1') == 'Sharing “North Terminal”'
    assert 'not shared with anyone' in owner.text()
    owner.fill(owner.label('E-mail address'), GUEST_EMAIL)
    owner.submit(owner.button('Send invitation'), path=lambda p: p.endswith('/shares'))
    assert f'The invitation to {GUEST_EMAIL} was sent' in owner.text('.flash')
    assert 'pending' in owner.rows(GUEST_EMAIL)[0].text
    owner.screenshot('location-shares.png')

    assert '1 sent' in run.stack.arborctl('mail', 'send').stdout
    link = re.search(r'https?://\S+/shares/[A-Za-z0-9_-]{43}',
                     spooled_mail(run.stack, GUEST_EMAIL))
    assert link, 'the mail holds the link'

    guest = run.page()
    sign_in(guest, 'contoso.admin')
    guest.goto(link[0])
    assert guest.text('h1') == 'A location is shared with you'
    assert 'North Terminal' in guest.text('main')
    guest.screenshot('share-accept.png')
    guest.submit(guest.button('Accept the shared location'),
                 path=lambda p: re.fullmatch(r'/shared/\d+', p))
    assert guest.text('h1') == 'North Terminal'
    units = [row.text.split()[0] for row in guest.find_all('tbody tr')]
    assert units, 'the devices at North Terminal are listed'
    guest.submit(guest.link('Shared with me', within='nav'), path='/shared')
    assert 'North Terminal' in guest.text('h2')
    guest.screenshot('shared.png')

    # the owner revokes; the guest's next page no longer shows it
    owner.goto(owner.path)
    owner.submit(owner.button(f'Revoke the share with {GUEST_EMAIL}'), path=lambda p: p.endswith('/shares'))
    assert 'revoked' in owner.rows(GUEST_EMAIL)[0].text
    guest.goto('/shared')
    assert 'No location is shared with you' in guest.text('main')
