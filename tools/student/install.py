"""Set up nn-basics for a student (shipped as install.py at the top of the bundle).

    python3 install.py        (Windows: py install.py)

Checks the Python version first (the pinned packages need 3.11 or newer; on 3.10 pip fails only
later, with "conflicting dependencies"), creates .venv/ in this folder, installs the pinned packages
into it (about 120 MB to download, about 500 MB on disk; pip shows its progress), and turns off
nbgrader's instructor tools in that environment's JupyterLab (formgrader, Create Assignment, the
Courses and Assignments panels of nbgrader's exchange, the Nbgrader menu); the Validate button
stays. Run it again after unpacking a newer zip: it reuses .venv/ and updates the packages.

Runs on whatever Python the student has, so it stays plain (no syntax newer than Python 3.6).
"""

import json
import os
import subprocess
import sys

REQUIRED = (3, 11)
HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(HERE, ".venv")

# nbgrader's lab plugins and server extensions an instructor uses; a student keeps validate-assignment.
DISABLED_LAB_PLUGINS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:menu",  # the "Nbgrader" menu holds only the tools above
)
DISABLED_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.course_list",
    "nbgrader.server_extensions.assignment_list",
)
# Loaded after nbgrader's own nbgrader.json in the same folder (alphabetical order), so it wins.
SERVER_CONFIG = "nn-basics-student.json"


def check_python(version=None):
    """Stop with a message saying what is needed when ``version`` (default: this Python) is too old."""
    version = tuple((version or sys.version_info)[:3])
    if version[:2] < REQUIRED:
        need, have = ".".join(map(str, REQUIRED)), ".".join(map(str, version[:2]))
        raise SystemExit(
            f"nn-basics needs Python {need} or newer; you have {have} ({sys.executable}).\n"
            f"Install Python {need} or newer (python.org, or your system's python3.11 / python3.12 package) "
            "and run this script with it, e.g. `python3.11 install.py`."
        )


def venv_python(venv=VENV):
    """The Python inside ``venv`` (Scripts\\python.exe on Windows, bin/python elsewhere)."""
    if os.name == "nt":
        return os.path.join(venv, "Scripts", "python.exe")
    return os.path.join(venv, "bin", "python")


def write_jupyter_config(prefix=VENV):
    """Turn nbgrader's instructor tools off in the Jupyter of the environment at ``prefix``.

    Writes what `jupyter labextension disable --level=sys_prefix` and `jupyter server extension disable
    --sys-prefix` would, into prefix/etc/jupyter, keeping anything else already there.
    """
    etc = os.path.join(prefix, "etc", "jupyter")
    labconfig = os.path.join(etc, "labconfig")
    os.makedirs(labconfig, exist_ok=True)
    page_config = os.path.join(labconfig, "page_config.json")
    data = {}
    if os.path.exists(page_config):
        with open(page_config, encoding="utf-8") as f:
            data = json.load(f)
    disabled = data.setdefault("disabledExtensions", {})
    for plugin in DISABLED_LAB_PLUGINS:
        disabled[plugin] = True
    with open(page_config, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)
    server_d = os.path.join(etc, "jupyter_server_config.d")
    os.makedirs(server_d, exist_ok=True)
    extensions = {name: False for name in DISABLED_SERVER_EXTENSIONS}
    with open(os.path.join(server_d, SERVER_CONFIG), "w", encoding="utf-8") as f:
        json.dump({"ServerApp": {"jpserver_extensions": extensions}}, f, indent=2)


def main():
    check_python()
    python = venv_python()
    if not os.path.exists(python):
        print("Creating .venv/ (the course's own Python environment) ...", flush=True)
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
    print(
        "Installing the course's packages into .venv/: about 120 MB to download, about 500 MB on disk,\n"
        "a few minutes the first time.",
        flush=True,
    )
    command = [python, "-m", "pip", "install", "--disable-pip-version-check", "-r", "requirements.txt"]
    if subprocess.call(command, cwd=HERE) != 0:
        raise SystemExit("pip could not install the packages (see its message above).")
    write_jupyter_config()
    jupyter = os.path.join(".venv", "Scripts" if os.name == "nt" else "bin", "jupyter")
    print(f"\nDone. Open the course with:\n\n    {jupyter} lab\n")


if __name__ == "__main__":
    main()
