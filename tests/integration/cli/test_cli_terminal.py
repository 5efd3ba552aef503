"""gcctl on a real terminal (a pty): the password prompt turns echo off, and a Ctrl-C at the
prompt must not leave the user's terminal without echo."""
import fcntl
import os
import select
import signal
import subprocess
import termios
import time

from conftest import GCCTL


def read_until(fd, marker, timeout=10):
    seen = b""
    deadline = time.time() + timeout
    while marker not in seen:
        left = deadline - time.time()
        assert left > 0, seen
        if select.select([fd], [], [], left)[0]:
            seen += os.read(fd, 1024)
    return seen


def run_on_pty(slave, tmp_path):
    """gcctl login at an unreachable server, with the pty as its controlling terminal (so
    ^C is the terminal's SIGINT)."""
    return subprocess.Popen(
        [GCCTL, "login", "https://127.0.0.1:1", "-u", "admin", "--insecure-skip-tls-verify"],
        stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
        preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        env={**os.environ, "GCCTL_CONFIG": str(tmp_path / "config.yaml")})


def echo_is_on(fd):
    return bool(termios.tcgetattr(fd)[3] & termios.ECHO)


def test_the_password_prompt_hides_typing_and_ctrl_c_there_restores_echo(tmp_path):
    master, slave = os.openpty()
    try:
        assert echo_is_on(slave)
        child = run_on_pty(slave, tmp_path)
        try:
            read_until(master, b"Password: ")
            assert not echo_is_on(slave)
            os.write(master, b"\x03")
            assert child.wait(timeout=10) == -signal.SIGINT  # ended by the signal, as ^C does
        finally:
            child.kill()
            child.wait()
        assert echo_is_on(slave), "echo left off after ^C"

        child = run_on_pty(slave, tmp_path)  # a password typed and sent: not shown
        try:
            read_until(master, b"Password: ")
            os.write(master, b"hunter2\n")
            assert child.wait(timeout=30) == 3
            output = read_until(master, b"cannot reach ground control")
            assert b"hunter2" not in output
        finally:
            child.kill()
            child.wait()
        assert echo_is_on(slave)
    finally:
        os.close(master)
        os.close(slave)
