"""The web UI in a real browser (headless Chromium) against a real ground control: what an
operator sees and does. Run by ctest as integration.webui (docs/web-ui.md)."""
import http.client
import json
import re
import ssl

from conftest import gc


def test_served_with_its_security_headers(server, base):
    host, port = server.printed["management"].rsplit(":", 1)
    context = ssl.create_default_context(cafile=server.ca_file)
    def get(path, headers=None):
        connection = http.client.HTTPSConnection(host, int(port), context=context, timeout=10)
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response, body
    response, _ = get("/")
    assert response.status == 302 and response.getheader("Location") == "/ui/"
    response, body = get("/ui/")
    assert response.status == 200 and b'<script type="module" src="app.js">' in body
    assert response.getheader("Content-Type").startswith("text/html")
    assert "default-src 'self'" in response.getheader("Content-Security-Policy")
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    response, _ = get("/ui/app.js")
    assert response.getheader("Content-Type").startswith("text/javascript")
    etag = response.getheader("ETag")
    response, body = get("/ui/app.js", {"If-None-Match": etag})
    assert response.status == 304 and body == b""
    response, body = get("/ui/missing.js")
    assert response.status == 404 and b'"NOT_FOUND"' in body


def test_bad_login_shows_an_error(page):
    page.login("admin", "not the password")
    page.text_in("#login-status", "Wrong user name or password")
    assert page.find("#username").is_displayed()


def test_log_in_and_see_the_fleet(page, server, admin):
    assert admin.call("POST", "/api/v1/satellites", body={"metadata": {"name": "edge-1"}})[0] == 201
    page.login("admin", server.printed["admin"])
    page.text_in("#who", "admin (admin)")
    page.find("#fleet-counts")
    page.text_in("#fleet-counts [data-count=satellites]", "1")
    page.text_in("#fleet-counts [data-count=offline]", "1")
    page.text_in("#attention", "edge-1")
    assert not page.errors(), page.errors()


def test_a_satellite_goes_live_and_follows_its_group(page, server, admin, upstream, satellites):
    """Created in the UI, seen offline; started for real with the token the UI showed, the
    same page (never reloaded) shows it online and in sync; the group edited in the UI, the
    satellite page shows the new artifact present."""
    app = gc.push_image(upstream, "library/app", "v1", "app-1")
    status, _, _ = admin.call("PATCH", "/api/v1/satelliteconfigs/{name}", {"name": "default"},
                              body={"spec": {"upstream": {"url": upstream},
                                             "heartbeatInterval": "5s"}},
                              headers={"Content-Type": "application/merge-patch+json"})
    assert status == 200
    assert admin.call("POST", "/api/v1/groups", body={
        "metadata": {"name": "edge"},
        "spec": {"selector": {"matchLabels": {"site": "edge"}},
                 "artifacts": [{"repository": "library/app", "digest": app, "tags": ["v1"]}]}})[0] == 201

    page.login("admin", server.printed["admin"])
    page.find("#fleet-counts")
    page.open("#/satellites")
    page.find("#new-name").send_keys("site-1")
    page.find("#new-labels").send_keys("site=edge,region=eu")
    page.find("#create-satellite button[type=submit]").click()
    token = page.find("#enrollment-token").text
    assert token.startswith("gce_"), token
    page.text_in("#satellite-table", "site-1")

    row = "#satellite-table tr[data-name=site-1]"
    page.text_in(f"{row} .connectivity", "offline")
    page.driver.execute_script("window.notReloaded = true")

    # Started for real: the list (the watch alone redraws it) shows it online and in sync.
    satellites.start("site-1", "--token", token)
    page.text_in(f"{row} .connectivity", "online", timeout=40)
    page.text_in(f"{row} .sync", "in-sync", timeout=40)
    assert page.driver.execute_script("return window.notReloaded") is True
    page.screenshot("satellites")

    page.find(f"{row} a[href='#/satellites/site-1']").click()
    page.text_in("#connectivity", "online")
    page.text_in("#groups", "edge")
    page.text_in(f"tr[data-artifact='library/app@{app}'] .actual", "present")
    page.text_in("#cert-expiry", "(in 30 d)")  # the default --certificate-validity
    # A command sent to it (ground control runs without NATS here: it stays Pending).
    page.text_in("#commands", "No commands sent.")
    status, sent, _ = admin.call("POST", "/api/v1/satellites/{name}/commands", {"name": "site-1"},
                                 body={"type": "report.status"})
    assert status == 201, sent
    page.text_in(f"tr[data-command='{sent['id']}'] .phase", "Pending")
    page.text_in("#commands", "user:admin")
    page.screenshot("satellite")

    # The group changes in the UI: a second artifact; the satellite follows.
    tool = gc.push_image(upstream, "library/tool", "v2", "tool-2")
    page.open("#/groups/edge")
    editor = page.find("#group-json")
    edited = json.loads(editor.get_attribute("value"))
    edited["spec"]["artifacts"].append({"repository": "library/tool", "digest": tool, "tags": ["v2"]})
    editor.clear()
    editor.send_keys(json.dumps(edited))
    page.find("#save").click()
    page.text_in("#save-result", "Saved")
    page.text_in("#artifacts", "library/tool")
    page.text_in("#members", "site-1")
    page.screenshot("group")

    # A stale save (someone changed the group meanwhile) is refused with a message.
    editor = page.find("#group-json")
    stale = editor.get_attribute("value")
    status, group, _ = admin.call("GET", "/api/v1/groups/{name}", {"name": "edge"})
    group["metadata"]["labels"] = {"changed": "elsewhere"}
    status, changed, _ = admin.call("PUT", "/api/v1/groups/{name}", {"name": "edge"}, body=group)
    assert status == 200
    page.text_in("#resource-version", changed["metadata"]["resourceVersion"])  # live redraw
    editor = page.find("#group-json")
    page.driver.execute_script("arguments[0].value = arguments[1];"
                               "arguments[0].dispatchEvent(new Event('input'))", editor, stale)
    page.find("#save").click()
    page.text_in("#save-result", "Conflict")

    page.find(f"#members a[href='#/satellites/site-1']").click()
    page.text_in(f"tr[data-artifact='library/tool@{tool}'] .actual", "present", timeout=40)
    page.text_in("#sync", "in-sync", timeout=40)
    page.open("#/overview")
    page.text_in("#fleet-counts [data-count=online]", "1", timeout=30)
    page.find("#label-key").send_keys("region")
    page.find("#label-key").submit()
    page.text_in("#by-label", "eu")
    page.screenshot("overview")
    assert not page.errors(), page.errors()


def test_approve_an_enrollment_request(page, server, admin, contract):
    page.login("admin", server.printed["admin"])
    page.find("#fleet-counts")
    page.open("#/enrollmentrequests")
    page.find("#requests")
    _, csr = gc.make_key_and_csr(server.data_dir, "asking-1")
    status, _ = gc.request_enrollment(server, contract, "asking-1", csr,
                                      labels={"site": "edge"}, deviceInfo={"model": "rpi5"})
    assert status == 201
    page.text_in("tr[data-name=asking-1] .phase", "Pending")  # live, without a reload
    page.find("#labels-asking-1").send_keys("region=eu")
    page.find("tr[data-name=asking-1] button.approve").click()
    page.text_in("tr[data-name=asking-1] .phase", "Approved")
    status, satellite, _ = admin.call("GET", "/api/v1/satellites/{name}", {"name": "asking-1"})
    assert status == 200 and satellite["metadata"]["labels"] == {"site": "edge", "region": "eu"}
    page.open("#/events")
    page.text_in("#events", "asking-1")
    assert not page.errors(), page.errors()


def test_a_viewer_sees_no_write_controls_and_cannot_write(page, server, admin, contract):
    assert admin.call("POST", "/api/v1/users", body={
        "metadata": {"name": "watcher"}, "spec": {"password": "watch-pw", "role": "viewer"}})[0] == 201
    _, csr = gc.make_key_and_csr(server.data_dir, "asking-2")
    assert gc.request_enrollment(server, contract, "asking-2", csr)[0] == 201
    page.login("watcher", "watch-pw")
    page.text_in("#who", "watcher (viewer)")
    page.open("#/satellites")
    page.text_in("#satellite-table", "site-1")
    assert not page.all("#create-satellite")
    page.open("#/satellites/site-1")
    page.text_in("#groups", "edge")
    assert not page.all("#issue-token")
    page.open("#/groups")
    page.text_in("#group-table", "edge")
    # Members as the server counts them: those its selector matches, not only those it names.
    members = admin.call("GET", "/api/v1/satellites", query="labelSelector=site%3Dedge")[1]["items"]
    assert members
    page.text_in("tr[data-name=edge] .members", str(len(members)))
    assert not page.all("#create-group")
    page.open("#/groups/edge")
    page.text_in("#members", "site-1")
    assert not page.all("#group-json") and not page.all("#save")
    page.open("#/enrollmentrequests")
    page.text_in("tr[data-name=asking-2] .phase", "Pending")
    assert not page.all("button.approve") and not page.all("button.deny")
    # A write made anyway, with the viewer's token, is refused by the server.
    answer = page.driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const token = JSON.parse(sessionStorage.getItem("groundcontrol.session")).token;
        fetch("/api/v1/groups/edge", {method: "DELETE", headers: {Authorization: "Bearer " + token}})
          .then(async (r) => done([r.status, await r.json()]));""")
    assert answer[0] == 403 and answer[1]["error"]["code"] == "PERMISSION_DENIED", answer
    assert admin.call("GET", "/api/v1/groups/{name}", {"name": "edge"})[0] == 200


def test_readable_on_a_small_screen(page, server):
    """At a phone's width the pages fit: no sideways scrolling of the page itself (wide
    tables scroll inside their own box), and the navigation is still reachable."""
    page.login("admin", server.printed["admin"])
    page.find("#fleet-counts")
    page.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 375, "height": 740, "deviceScaleFactor": 2, "mobile": True})
    try:
        for where, ready in (("#/overview", "#fleet-counts"), ("#/satellites", "#satellite-table"),
                             ("#/satellites/site-1", "#heartbeat"), ("#/groups/edge", "#members"),
                             ("#/enrollmentrequests", "#requests"), ("#/events", "#events")):
            page.open(where)
            page.find(ready)
            width = page.driver.execute_script(
                "return [document.documentElement.scrollWidth, window.innerWidth]")
            assert width[0] <= width[1], f"{where} is {width[0]} px wide on a {width[1]} px screen"
            assert page.find("#nav a[href='#/groups']").is_displayed()
    finally:
        page.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_satellites_filter_sort_and_page(page, server, admin):
    """A fleet larger than a page: the label selector narrows it, a column header sorts it
    (again for descending), and the pager walks it 50 at a time, each page one API call."""
    for i in range(120):
        assert admin.call("POST", "/api/v1/satellites", body={"metadata": {
            "name": f"rack-{i:03d}", "labels": {"rack": "a" if i % 2 == 0 else "b"}}})[0] == 201
    page.login("admin", server.printed["admin"])
    page.find("#fleet-counts")
    page.open("#/satellites")
    page.find("#selector").send_keys("rack=a")
    page.find("#selector").submit()

    def names():  # read in one script: a live reload may replace the rows at any moment
        return page.driver.execute_script(
            "return [...document.querySelectorAll('#satellite-table tbody tr')]"
            ".map((row) => row.dataset.name)")

    page.wait(lambda _: names() == [f"rack-{i:03d}" for i in range(0, 100, 2)], what="page 1")
    def click(css):  # found and clicked in one script, for the same reason
        page.find(css)
        page.driver.execute_script("document.querySelector(arguments[0]).click()", css)

    click("#next")
    page.wait(lambda _: names() == [f"rack-{i:03d}" for i in range(100, 120, 2)], what="page 2")
    page.wait(lambda driver: driver.execute_script("return document.getElementById('next').disabled"),
              what="no page 3")
    click("#previous")
    page.wait(lambda _: names()[:1] == ["rack-000"], what="page 1 again")
    # Name is the default order; its header sorts descending, back on page 1.
    click("button[data-sort='metadata.name']")
    page.wait(lambda _: names() == [f"rack-{i:03d}" for i in range(118, 18, -2)], what="descending")
    # The address keeps the filter and the order, so a link to this view shows the same.
    assert re.search(r"labelSelector=rack(%3D|=)a", page.driver.current_url), page.driver.current_url
    assert "sortBy=-metadata.name" in page.driver.current_url, page.driver.current_url


def test_users_are_added_promoted_and_change_their_own_password(page, server, admin, contract):
    from selenium.webdriver.support.ui import Select
    page.login("admin", server.printed["admin"])
    page.find("#fleet-counts")
    page.open("#/users")
    page.text_in("#users", "admin")
    page.find("#new-user-name").send_keys("web-ops")
    page.find("#new-user-password").send_keys("web-ops-pw")
    page.find("#new-user button[type=submit]").click()
    page.text_in("#new-user-result", "User web-ops created")
    page.text_in("tr[data-name=web-ops] .role-name", "viewer")
    Select(page.find("tr[data-name=web-ops] select.role")).select_by_value("admin")
    page.text_in("#users-status", "web-ops is now admin")
    page.text_in("tr[data-name=web-ops] .role-name", "admin")
    assert admin.call("GET", "/api/v1/users/{name}", {"name": "web-ops"})[1]["spec"]["role"] == "admin"
    assert not page.all("tr[data-name=admin] select.role"), "admin stays an admin"

    page.login("web-ops", "web-ops-pw")
    page.text_in("#who", "web-ops (admin)")
    page.open("#/users")
    page.find("#current-password").send_keys("wrong")
    page.find("#new-password").send_keys("web-ops-new")
    page.find("#repeat-password").send_keys("web-ops-new")
    page.find("#own-password button[type=submit]").click()
    page.text_in("#password-result", "wrong password")
    page.find("#current-password").clear()
    page.find("#current-password").send_keys("web-ops-pw")
    page.find("#own-password button[type=submit]").click()
    page.text_in("#password-result", "Password changed")
    assert gc.login(server, contract, "web-ops", "web-ops-new").token

    page.login("admin", server.printed["admin"])
    page.find("#fleet-counts")
    page.open("#/users")
    page.find("tr[data-name=web-ops] button.delete").click()
    page.driver.switch_to.alert.accept()
    page.text_in("#users-status", "User web-ops deleted")
    assert admin.call("GET", "/api/v1/users/{name}", {"name": "web-ops"})[0] == 404
    assert not page.errors(), page.errors()
