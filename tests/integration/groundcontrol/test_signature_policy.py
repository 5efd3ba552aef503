"""A group's image signature policy (issue 13), through the real binary on both engines: the
policy a group sets reaches its members' desired state (by group, only when not off), an
artifact two groups ask for is governed by both there, and bad policies are refused naming
the field."""
import os
import subprocess
import tempfile

from conftest import BINARY, Client, enrolled

DIGEST = "sha256:" + "b" * 64


def public_key():
    prefix = os.path.join(tempfile.mkdtemp(prefix="gc-policy-"), "k")
    subprocess.run([BINARY, "keygen", "--output-key-prefix", prefix], check=True,
                   capture_output=True, env={**os.environ, "COSIGN_PASSWORD": ""})
    return open(prefix + ".pub").read()


def test_the_policy_reaches_the_members_state(server, contract, admin):
    key = public_key()
    _, cert = enrolled(server, contract, admin, "policy-sat")
    for name, policy in (("signed", {"mode": "enforce", "publicKeys": [key]}),
                         ("loose", {"mode": "off"})):
        status, body, _ = admin.call("POST", "/api/v1/groups", body={
            "metadata": {"name": name},
            "spec": {"artifacts": [{"repository": "library/app", "digest": DIGEST}],
                     "satellites": ["policy-sat"], "signaturePolicy": policy}})
        assert status == 201, body
        assert body["spec"]["signaturePolicy"]["mode"] == policy["mode"]
    satellite = Client(server.printed["satellite"], server.ca_file, contract, cert=cert)
    status, state, _ = satellite.call("GET", "/satellite/v1/state")
    assert status == 200, state
    assert state["signaturePolicies"] == {"signed": {"mode": "enforce", "publicKeys": [key]}}
    assert state["artifacts"][0]["groups"] == ["loose", "signed"]

    # Turning it off removes it from the state.
    assert admin.call("PATCH", "/api/v1/groups/{name}", {"name": "signed"},
                      body={"spec": {"signaturePolicy": None}},
                      headers={"Content-Type": "application/merge-patch+json"})[0] == 200
    status, state, _ = satellite.call("GET", "/satellite/v1/state")
    assert "signaturePolicies" not in state, state


def test_bad_policies_are_refused(admin):
    for policy, field in (({"mode": "strict"}, "spec.signaturePolicy.mode"),
                          ({"mode": "enforce"}, "spec.signaturePolicy.publicKeys"),
                          ({"mode": "warn", "publicKeys": ["not a key"]},
                           "spec.signaturePolicy.publicKeys[0]"),
                          ({"mode": "off", "keys": []}, "spec.signaturePolicy.keys")):
        status, body, _ = admin.call("POST", "/api/v1/groups", body={
            "metadata": {"name": "bad-policy"}, "spec": {"signaturePolicy": policy}})
        assert status == 400, (policy, body)
        assert field in body["error"]["message"], (policy, body)
