"""The browser harness itself: each of its checks reports what it is there
to catch, so that a clean run of the other scenarios means something."""
from browser import scenario


@scenario('harness: axe, HTTP and console checks report their findings')
def harness(run):
    page = run.page()
    page.goto('/login')
    assert page.problems == [], page.problems

    # a field without its label is an axe violation
    page.driver.execute_script('document.querySelector("label[for=username]").remove()')
    page.run_axe()
    assert any(p.startswith('axe on /login: label ') for p in page.problems), page.problems

    # an answer of 400 or more that the test did not expect is a problem ...
    page.problems.clear()
    page.goto('/no-such-page')
    assert page.problems == ['HTTP 404 for /no-such-page'], page.problems

    # ... and so is an expected one that does not come
    page.problems.clear()
    page.goto('/login', status=404)
    assert page.problems == ['/login: expected HTTP 404, got 200'], page.problems

    # a script error is reported from the console
    page.problems.clear()
    page.driver.execute_async_script(
        'const done = arguments[0];'
        'setTimeout(() => { setTimeout(done, 10); throw new Error("harness-probe"); });')
    page.inspect()
    assert any('harness-probe' in p for p in page.problems), page.problems
    page.problems.clear()
