"""`ground-control serve --config FILE`: every key of the YAML file is also a flag; a flag on
the command line wins over the file; an unknown key is one clear line (then CLI11's --help hint) and no start."""
import pathlib
import subprocess
import tempfile

from conftest import BINARY, Server, login


def test_the_config_file_sets_what_flags_set_and_flags_win(fresh_deployment, contract):
    directory = tempfile.mkdtemp(prefix="gc-config-")
    config = pathlib.Path(directory, "ground-control.yaml")
    config.write_text("admin-password: from-the-file\n"
                      "trust-domain: fleet.example\n"
                      "certificate-validity: 48h\n"
                      "management-listen: 127.0.0.1:1\n")  # the flag below wins
    server = Server(directory, [*fresh_deployment(), "--config", str(config)])
    try:
        assert not server.printed["management"].endswith(":1"), server.printed  # the flag's port 0
        admin = login(server, contract, "admin", "from-the-file")  # the file's password
        status, body, _ = admin.call("POST", "/api/v1/satellites",
                                     body={"metadata": {"name": "from-config"}})
        assert status == 201, body
        ca = admin.call("GET", "/api/v1/ca")[1]
        assert "fleet.example" in str(ca), ca  # the CA was made for the file's trust domain
    finally:
        server.stop()


def test_an_unknown_key_is_refused_in_one_line(fresh_deployment):
    directory = tempfile.mkdtemp(prefix="gc-config-bad-")
    config = pathlib.Path(directory, "ground-control.yaml")
    config.write_text("admin-pasword: typo\n")
    done = subprocess.run([BINARY, "serve", "--data-dir", directory, "--config", str(config),
                           *fresh_deployment()], capture_output=True, text=True, timeout=30)
    assert done.returncode != 0
    first = done.stderr.strip().splitlines()[0]
    assert first == "config: unknown key 'admin-pasword' (no flag --admin-pasword)", done.stderr
