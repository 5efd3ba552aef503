"""Rate limits by identity, never by address: every client here comes from 127.0.0.1 (as a
fleet behind one NAT does), yet only the satellite or user over its own limit gets 429
with Retry-After, and it recovers once its bucket refills."""
import tempfile
import time

from conftest import Client, Server, enroll, login


def test_a_satellite_or_user_over_its_limit_is_held_back_alone(contract):
    server = Server(tempfile.mkdtemp(prefix="gc-limits-"),
                    ["--satellite-rate-limit", "2", "--satellite-rate-burst", "4",
                     "--user-rate-limit", "2", "--user-rate-burst", "30"])
    try:
        admin = login(server, contract, "admin", server.printed["admin"])
        certs = {}
        for name in ("sat-greedy", "sat-calm"):
            status, body, _ = admin.call("POST", "/api/v1/satellites",
                                         body={"metadata": {"name": name}})
            assert status == 201, body
            certs[name] = enroll(server, contract, body["enrollment"]["token"], name)[2]
        greedy = Client(server.printed["satellite"], server.ca_file, contract, cert=certs["sat-greedy"])
        calm = Client(server.printed["satellite"], server.ca_file, contract, cert=certs["sat-calm"])

        answers = [greedy.call("GET", "/satellite/v1/state") for _ in range(8)]
        statuses = [status for status, _, _ in answers]
        assert statuses[:4] == [200] * 4, statuses
        assert 429 in statuses[4:], statuses
        refused = next(a for a in answers if a[0] == 429)
        assert refused[1]["error"]["code"] == "TOOMANYREQUESTS"
        assert "sat-greedy" in refused[1]["error"]["message"]
        assert refused[2].getheader("Retry-After") == "1"
        assert calm.call("GET", "/satellite/v1/state")[0] == 200, "the same address, another identity"
        time.sleep(1.1)
        assert greedy.call("GET", "/satellite/v1/state")[0] == 200, "refilled at its rate"

        statuses = [admin.call("GET", "/api/v1/groups")[0] for _ in range(40)]
        assert 429 in statuses, statuses
        assert calm.call("GET", "/satellite/v1/state")[0] == 200, "users and satellites apart"
    finally:
        server.stop()
