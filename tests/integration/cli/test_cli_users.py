"""gcctl's users against a real ground control: create one with a password from stdin, list
and describe, change roles, change one's own password (which ends one's other sessions),
and the refusals, each one line."""
from conftest import Gcctl, management_url, one_error_line


def log_in(server, tmp_path, name, password):
    run = Gcctl(tmp_path / f"{name}.yaml")
    code, out, err = run("login", management_url(server), "-u", name, "--password-stdin",
                         "--certificate-authority", server.ca_file, stdin=password + "\n")
    return run if code == 0 else None


def test_create_list_and_change_a_role(gcctl, server, tmp_path):
    code, out, err = gcctl("user", "create", "ops", "--password-stdin", stdin="ops-pw\n")
    assert (code, out) == (0, "user/ops created (viewer)\n"), err
    code, out, err = gcctl("get", "users")
    assert code == 0, err
    rows = [line.split() for line in out.splitlines()]
    assert rows[0] == ["NAME", "ROLE", "AGE"]
    assert ["admin", "admin"] == rows[1][:2] and ["ops", "viewer"] == rows[2][:2], out
    code, out, err = gcctl("get", "user", "ops", "-o", "name")
    assert (code, out) == (0, "user/ops\n"), err

    ops = log_in(server, tmp_path, "ops", "ops-pw")
    assert ops is not None
    code, _, err = ops("apply", "-f", "-", stdin="kind: Group\nmetadata: {name: ops-group}\n")
    assert code == 1 and one_error_line(err), "a viewer writes nothing"
    code, out, err = gcctl("user", "set-role", "ops", "admin")
    assert (code, out) == (0, "user/ops is now admin\n"), err
    code, out, err = ops("apply", "-f", "-", stdin="kind: Group\nmetadata: {name: ops-group}\n")
    assert code == 0 and out == "group/ops-group created\n", err

    code, out, err = gcctl("delete", "user", "ops")
    assert (code, out) == (0, 'user "ops" deleted\n'), err
    code, _, err = ops("get", "groups")
    assert code == 4 and one_error_line(err), "a deleted user's session ends"


def test_passwd_changes_ones_own_password_and_ends_the_other_sessions(gcctl, server, tmp_path):
    assert gcctl("user", "create", "walker", "--password-stdin", stdin="first-pw\n")[0] == 0
    here = log_in(server, tmp_path, "walker", "first-pw")
    elsewhere = Gcctl(tmp_path / "elsewhere.yaml")
    assert elsewhere("login", management_url(server), "-u", "walker", "--password-stdin",
                     "--certificate-authority", server.ca_file, stdin="first-pw\n")[0] == 0

    code, _, err = here("user", "passwd", "--password-stdin", stdin="wrong\nsecond-pw\n")
    assert code == 1 and "wrong password" in one_error_line(err), err
    code, out, err = here("user", "passwd", "--password-stdin", stdin="first-pw\nsecond-pw\n")
    assert (code, out) == (0, "user/walker password changed; your other sessions ended\n"), err
    assert here("get", "users")[0] == 0
    code, _, err = elsewhere("get", "users")
    assert code == 4 and one_error_line(err).endswith("(log in again: gcctl login)"), err
    assert log_in(server, tmp_path, "walker", "first-pw") is None
    assert log_in(server, tmp_path, "walker", "second-pw") is not None

    # A viewer cannot set another user's password; an admin sets it without the old one.
    code, _, err = here("user", "passwd", "admin", "--password-stdin", stdin="mine\n")
    assert code == 1 and "only an admin" in one_error_line(err), err
    code, out, err = gcctl("user", "passwd", "walker", "--password-stdin", stdin="third-pw\n")
    assert (code, out) == (0, "user/walker password changed; the user's sessions ended\n"), err
    assert log_in(server, tmp_path, "walker", "third-pw") is not None


def test_apply_creates_a_user_and_sets_its_role(gcctl, server, tmp_path):
    doc = "kind: User\nmetadata: {name: applied}\nspec: {password: a-pw, role: viewer}\n"
    code, out, err = gcctl("apply", "-f", "-", stdin=doc)
    assert (code, out) == (0, "user/applied created\n"), err
    code, out, err = gcctl("apply", "-f", "-", stdin=doc.replace("viewer", "admin"))
    assert (code, out) == (0, "user/applied configured\n"), err
    code, out, err = gcctl("get", "user", "applied", "-o", "json")
    assert code == 0 and '"role": "admin"' in out and "a-pw" not in out, out
    assert log_in(server, tmp_path, "applied", "a-pw") is not None


def test_refusals_are_one_line(gcctl):
    code, _, err = gcctl("user", "create", "Bad_Name", "--password-stdin", stdin="x\n")
    assert code == 2 and "metadata.name" in one_error_line(err), err
    code, _, err = gcctl("user", "create", "empty", "--password-stdin", stdin="\n")
    assert code == 2 and one_error_line(err) == "error: the password is empty", err
    code, _, err = gcctl("user", "set-role", "admin", "viewer")
    assert code == 2 and "admin stays an admin" in one_error_line(err), err
    code, _, err = gcctl("user", "set-role", "ghost", "viewer")
    assert code == 6 and one_error_line(err), err
    code, _, err = gcctl("user", "set-role", "admin", "root")
    assert code == 2 and one_error_line(err), err
    code, _, err = gcctl("user", "create", "nopw", stdin="")
    assert code == 2 and "--password-stdin" in one_error_line(err), err
    assert gcctl("user", "create", "twice", "--password-stdin", stdin="x\n")[0] == 0
    code, _, err = gcctl("user", "create", "twice", "--password-stdin", stdin="x\n")
    assert code == 5 and "already exists" in one_error_line(err), err
