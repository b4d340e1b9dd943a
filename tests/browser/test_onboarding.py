"""Seed 003's invitations as people meet them: Northwind's administrator
invites a person to Northwind Denmark with Fleet Management
(invite-form.png, invite.png); the person follows the mail's link,
chooses a username and password (invite-accept.png, first with a
mistyped second password) and signs in with them. Then a join link is
made (join-links.png) and a visitor asks to join through it
(join-sent.png)."""
import re

from browser import scenario, sign_in, spooled_mail

EMAIL = 'wren@newcomer.example'
PASSWORD = 'Plum-Orbit-Canyon-Whistle-77'


@scenario('onboarding: invite, accept, sign in; a join link')
def invite_accept_sign_in(run):
    admin = run.page()
    sign_in(admin, 'admin')
    admin.goto('/users')
    admin.submit(admin.link('Invitations'), path='/invites')
    assert 'No invitations yet' in admin.text('main')
    admin.submit(admin.link('Invite someone'), path='/invites/new')
    admin.fill(admin.label('E-mail address'), EMAIL)
    admin.select(admin.label('Customer', exact=True), 'Northwind Fleet › Northwind Denmark')
    admin.check(admin.label('Fleet Management'))
    admin.fill(admin.label('Message (optional, in the mail)'), 'Welcome to the Danish fleet!')
    admin.screenshot('invite-form.png')
    admin.submit(admin.button('Send the invitation'), path=lambda p: re.fullmatch(r'/invites/\d+', p))
    assert f'The invitation to {EMAIL} is sent' in admin.text('.flash')
    assert 'pending' in admin.text('main')
    admin.screenshot('invite.png')

    assert '1 sent' in run.stack.arborctl('mail', 'send').stdout
    link = re.search(r'https?://\S+/invite/[A-Za-z0-9_-]{43}', spooled_mail(run.stack, EMAIL))
    assert link, 'the mail holds the link'

    person = run.page()
    person.goto(link[0])
    assert person.text('h1') == 'Accept your invitation'
    assert 'Welcome to the Danish fleet!' in person.text('main')
    person.fill(person.label('Username'), 'wren.dk')
    person.fill(person.label('Full name (optional)'), 'Wren Larsen')
    person.fill(person.label('Password', exact=True), PASSWORD)
    person.fill(person.label('Password again'), PASSWORD + 'x')
    person.submit(person.button('Create my user'), status=400)
    assert 'differ' in person.text('.error')
    assert person.find('#username').get_attribute('value') == 'wren.dk', 'input kept'
    person.screenshot('invite-accept.png')
    person.fill(person.label('Password', exact=True), PASSWORD)
    person.fill(person.label('Password again'), PASSWORD)
    person.submit(person.button('Create my user'), path='/login')
    assert 'sign in' in person.text('.flash')
    sign_in(person, 'wren.dk', PASSWORD)
    assert person.path != '/login'

    admin.goto(admin.path)
    assert 'accepted' in admin.text('main') and 'wren.dk' in admin.text('main')

    # a join link: shown once, then a visitor asks to join
    admin.goto('/customers')
    admin.submit(admin.link('Northwind Denmark'), path=lambda p: re.fullmatch(r'/customers/\d+', p))
    admin.submit(admin.link('Join links'), path=lambda p: p.endswith('/join-links'))
    admin.fill(admin.label('Uses (1 to 10,000)'), '5')
    admin.submit(admin.button('Make the link'), path=lambda p: p.endswith('/join-links'))
    url = admin.find('#created-url').get_attribute('value')
    assert re.search(r'/join/[A-Za-z0-9_-]{43}$', url), url
    assert '0 of 5' in admin.text('tbody')
    admin.screenshot('join-links.png')

    visitor = run.page()
    visitor.goto(url)
    assert visitor.text('h1') == 'Join Northwind Denmark'
    visitor.fill(visitor.label('E-mail address'), 'joiner@newcomer.example')
    visitor.fill(visitor.label('Username'), 'joiner.dk')
    visitor.fill(visitor.label('Password', exact=True), PASSWORD)
    visitor.fill(visitor.label('Password again'), PASSWORD)
    visitor.submit(visitor.button('Join'))
    assert visitor.text('h1') == 'Check your mail'
    visitor.screenshot('join-sent.png')


@scenario('CSV import: a preview with row errors, then the import')
def csv_import(run):
    admin = run.page()
    sign_in(admin, 'admin')
    admin.goto('/users')
    admin.submit(admin.link('Import CSV'), path='/users/import')
    denmark = run.stack.query("SELECT id FROM customers WHERE name = 'Northwind Denmark'")[0][0]
    bad = ('email,username,customer_id,groups,locations,migrated\n'
           f'ada@import.example,ada.import,{denmark},fleet_management,Central Garage,false\n'
           f'bo@import.example,bo.import,{denmark},no_such_group,,false\n'
           f'cy@import.example,cy.import,{denmark},,Nowhere,maybe\n')
    admin.fill(admin.label('or paste it here'), bad)
    admin.submit(admin.button('Preview'), path='/users/import', status=400)
    assert '3 rows: 1 to create, 0 to change, 0 unchanged, 2 with an error' in admin.text('main')
    errors = admin.rows('error')
    assert len(errors) == 2 and 'groups' in errors[0].text, [r.text for r in errors]
    assert not admin.find_all('button[type="submit"]')[0].text.startswith('Import'), \
        'no import while a row has an error'
    admin.screenshot('import-preview.png')
    good = bad.splitlines()[0] + '\n' + bad.splitlines()[1] + '\n'
    admin.fill(admin.label('or paste it here'), good)
    admin.submit(admin.button('Preview'), path='/users/import')
    admin.submit(admin.button('Import 1 new and 0 changed users'), path='/users')
    assert 'Imported: 1 created, 0 updated, 0 unchanged.' in admin.text('.flash')
