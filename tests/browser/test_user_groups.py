"""Seed 004's user groups as people meet them: an operator defines a
group of Northwind with a discount cap (operator-groups.png); Northwind's
administrator sets its discount and adds members by pasting their names,
with a preview (groups.png, group-members.png); the user's page then
shows the group, the discount and who pays (user-groups-on-user.png)."""
import re

from browser import scenario, sign_in


@scenario('user groups: an operator defines one, an account admin fills it')
def user_groups(run):
    op = run.page()
    sign_in(op, 'operator')
    op.goto('/operator/groups')
    op.submit(op.link('Create group'), path='/operator/groups/new')
    op.fill(op.label('Name', exact=True), 'Company drivers')
    op.fill(op.label('Description'), 'Drivers of the company cars')
    op.check(op.label('One account', exact=True))
    op.select(op.label('Account (for a group of one account)'), 'Northwind Fleet')
    op.check(op.label('Add every new user of the account to this group'))
    op.fill(op.label('Financial owner (username or e-mail; optional)'), 'admin')
    op.fill(op.label('Discount cap (percent)'), '25')
    op.submit(op.button('Create group'), path='/operator/groups')
    assert 'User group “Company drivers” was created.' in op.text('.flash')
    assert 'Company drivers' in op.rows('Company drivers')[0].text
    op.screenshot('operator-groups.png')

    admin = run.page()
    sign_in(admin, 'admin')
    admin.submit(admin.link('User groups', within='nav'), path='/groups')
    admin.screenshot('groups.png')
    admin.submit(admin.link('Company drivers'), path=lambda p: re.fullmatch(r'/groups/\d+', p))
    admin.fill(admin.label('Discount for the members (percent, 0 to 25)'), '15')
    admin.submit(admin.button('Save discount'), path=lambda p: re.fullmatch(r'/groups/\d+', p))
    assert 'The discount is now 15%.' in admin.text('.flash')
    admin.fill(admin.label('Add users: paste usernames or e-mail addresses (any separators)'),
               'driver, se.user@northwind.example nobody@nowhere.example')
    admin.submit(admin.button('Preview'), path=lambda p: p.endswith('/members'))
    assert 'Preview: 2 will be added, 0 already members, 1 not found' in admin.first('h3').text
    admin.submit(admin.button('Add members'), path=lambda p: p.endswith('/members'))
    assert '2 added' in admin.first('h3').text
    admin.screenshot('group-members.png')

    admin.goto('/users?q=driver')
    admin.submit(admin.link('driver@northwind.example'),
                 path=lambda p: re.fullmatch(r'/users/\d+', p))
    overview = admin.text('.details')
    assert 'Company drivers' in overview and '15 %' in overview and 'admin' in overview
    admin.screenshot('user-groups-on-user.png')
