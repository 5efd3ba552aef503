"""The web UI in a real browser (headless Chromium) against a real ground control: what an
operator sees and does. Run by ctest as integration.webui (docs/web-ui.md)."""
import http.client
import ssl

from conftest import By


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
