"""A uid of its own for each sandbox running on this machine (``UIDS.acquire()``)."""

from __future__ import annotations

import fcntl
import os
import pwd
import tempfile
import threading
from pathlib import Path

# One uid per sandbox running at once, none of them in /etc/passwd: a kernel cannot signal, ptrace or
# share an RLIMIT_NPROC count with another student's kernel. Far above the distributions' ranges
# (system < 1000, users < 60000, nobody 65534) and the usual /etc/subuid blocks (100000 + 65536 n).
UID_RANGE = range(1_900_000, 1_901_000)


class UidPool:
    """Hands out uids of UID_RANGE, one per live sandbox, across every grader on this machine.

    A uid is taken by locking ``<tmp>/autograder-uids/<uid>`` (flock, released when the sandbox ends
    or the grader dies) and only if no account and no running process uses it.
    """

    def __init__(self, uids: range = UID_RANGE):
        self.uids = uids
        self.folder = Path(tempfile.gettempdir()) / "autograder-uids"
        self.next = 0
        self.lock = threading.Lock()

    def _in_use(self, uid: int) -> bool:
        try:
            pwd.getpwuid(uid)
            return True
        except KeyError:
            pass
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    if entry.stat().st_uid == uid:
                        return True
                except OSError:
                    pass
        return False

    def acquire(self) -> tuple[int, int] | None:
        """(uid, lock fd), or None when every uid of the range is taken."""
        self.folder.mkdir(mode=0o700, exist_ok=True)
        st = os.lstat(self.folder)
        if not os.path.isdir(self.folder) or os.path.islink(self.folder) or st.st_uid != os.geteuid():
            return None
        with self.lock:
            for step in range(len(self.uids)):
                uid = self.uids[(self.next + step) % len(self.uids)]
                fd = os.open(self.folder / str(uid), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    os.close(fd)
                    continue
                if self._in_use(uid):
                    os.close(fd)
                    continue
                self.next = (self.next + step + 1) % len(self.uids)
                return uid, fd
        return None


UIDS = UidPool()
