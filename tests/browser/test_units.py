"""The units setting says what it affects: the fleet platform's distances
and speeds, none in Arbor (profile_units.png)."""
from browser import scenario, sign_in


@scenario('units: the profile explains that units affect the fleet platform, not Arbor')
def units(run):
    page = run.page()
    sign_in(page, 'admin', path='/accounts')
    page.goto('/profile')
    assert page.path == '/profile'
    hint = page.find('#units-hint')
    assert hint.is_displayed(), 'the explanation is shown next to the units'
    assert 'fleet platform' in hint.text and 'Arbor itself shows no distances' in hint.text
    fieldset = page.find('fieldset[aria-describedby~="units-hint"]')
    assert 'Units' in fieldset.text, 'the units fieldset is described by the explanation'
    page.screenshot('profile_units.png')

    page.goto('/customers/new')
    described = page.find('#units').get_attribute('aria-describedby')
    assert 'units-hint' in described.split(), 'the customer form links it too'
