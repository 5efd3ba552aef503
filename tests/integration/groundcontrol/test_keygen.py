"""`ground-control keygen`: a cosign key pair that cosign 2.5 itself uses. cosign signs a
blob with PREFIX.key under the passphrase (COSIGN_PASSWORD, or the --password-file's content)
and verifies it with PREFIX.pub; a wrong passphrase does not open the key. The private key is
mode 0600 and existing files are never replaced; bad input gets a one-line error and a non-zero
exit. COSIGN names cosign (scripts/bootstrap unpacks it into .tools/cosign; ctest sets it)."""
import os
import pathlib
import stat
import subprocess

import pytest

from conftest import BINARY

COSIGN = os.environ.get("COSIGN", "")


def keygen(prefix, *flags, password=None):
    env = {k: v for k, v in os.environ.items() if k != "COSIGN_PASSWORD"}
    if password is not None:
        env["COSIGN_PASSWORD"] = password
    return subprocess.run([BINARY, "keygen", "--output-key-prefix", str(prefix), *flags],
                          capture_output=True, text=True, timeout=60, env=env)


def cosign(*args, password=None):
    if not (COSIGN and os.access(COSIGN, os.X_OK)):
        pytest.fail(f"cosign is missing (COSIGN={COSIGN!r}): run scripts/bootstrap, which "
                    "unpacks Debian 13's cosign 2.5 into .tools/cosign")
    env = dict(os.environ)
    if password is not None:
        env["COSIGN_PASSWORD"] = password
    return subprocess.run([COSIGN, *args], capture_output=True, text=True, timeout=60, env=env)


def sign_and_verify(tmp_path, prefix, password):
    blob = tmp_path / "blob"
    blob.write_text("state artifact\n")
    sig = tmp_path / "blob.sig"
    signed = cosign("sign-blob", "--key", f"{prefix}.key", "--tlog-upload=false", "-y",
                    "--output-signature", str(sig), str(blob), password=password)
    assert signed.returncode == 0, signed.stderr
    verified = cosign("verify-blob", "--key", f"{prefix}.pub", "--insecure-ignore-tlog=true",
                      "--signature", str(sig), str(blob))
    assert verified.returncode == 0, verified.stderr
    return blob


def one_line_error(result, *words):
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("ground-control: "), \
        result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


def test_cosign_signs_with_the_key_and_verifies_with_the_pub(tmp_path):
    prefix = tmp_path / "signer"
    made = keygen(prefix, password="correct horse")
    assert made.returncode == 0, made.stderr
    assert f"{prefix}.key" in made.stdout and f"{prefix}.pub" in made.stdout
    key = pathlib.Path(f"{prefix}.key")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_text().startswith("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n")
    assert pathlib.Path(f"{prefix}.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----\n")
    blob = sign_and_verify(tmp_path, prefix, "correct horse")

    wrong = cosign("sign-blob", "--key", f"{prefix}.key", "--tlog-upload=false", "-y", str(blob),
                   password="wrong")
    assert wrong.returncode != 0 and "decrypt" in wrong.stderr, wrong.stderr


def test_empty_passphrase_as_cosign_allows(tmp_path):
    prefix = tmp_path / "empty"
    assert keygen(prefix, password="").returncode == 0
    sign_and_verify(tmp_path, prefix, "")


def test_password_file_one_trailing_newline_dropped(tmp_path):
    password_file = tmp_path / "password"
    password_file.write_text("from a file\n")
    password_file.chmod(0o600)
    prefix = tmp_path / "filed"
    made = keygen(prefix, "--password-file", str(password_file), password="ignored")
    assert made.returncode == 0, made.stderr
    sign_and_verify(tmp_path, prefix, "from a file")


def test_existing_files_are_never_replaced(tmp_path):
    prefix = tmp_path / "taken"
    assert keygen(prefix, password="one").returncode == 0
    key_before = pathlib.Path(f"{prefix}.key").read_bytes()
    one_line_error(keygen(prefix, password="two"), f"{prefix}.key exists")
    assert pathlib.Path(f"{prefix}.key").read_bytes() == key_before

    lone_pub = tmp_path / "half"
    pathlib.Path(f"{lone_pub}.pub").write_text("someone else's\n")
    one_line_error(keygen(lone_pub, password="x"), f"{lone_pub}.pub exists")
    assert not pathlib.Path(f"{lone_pub}.key").exists()
    assert pathlib.Path(f"{lone_pub}.pub").read_text() == "someone else's\n"


def test_bad_input_gets_one_line_errors(tmp_path):
    one_line_error(keygen(tmp_path / "nopass"), "COSIGN_PASSWORD", "--password-file")
    one_line_error(keygen(tmp_path / "missing" / "k", password="x"), "no directory")
    one_line_error(keygen(tmp_path / "k", "--password-file", str(tmp_path / "absent")),
                   "--password-file", "absent")
    open_file = tmp_path / "readable"
    open_file.write_text("x")
    open_file.chmod(0o644)
    one_line_error(keygen(tmp_path / "k", "--password-file", str(open_file)), "chmod 600")
    assert list(tmp_path.glob("k.*")) == []
