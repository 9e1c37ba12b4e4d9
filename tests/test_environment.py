"""Project set-up: pinned dependencies agree, state stays out of HOME, CI wiring is in place."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + [
        d for group in project["optional-dependencies"].values() for d in group
    ]
    pins = {}
    for spec in specs:
        name, sep, version = spec.partition("==")
        assert sep, f"pyproject.toml: {spec!r} is not pinned with =="
        pins[name.strip().lower()] = version.strip()
    return pins


# PyPI names that conda-forge does not have under the same name (or not as the same package): these
# come through environment.yml's `pip:` list, anything else must be a conda-forge package name.
NOT_ON_CONDA_FORGE = {
    "playwright": "playwright-python (and its builds trail PyPI's)",
    "psycopg2-binary": "psycopg2 (built against conda-forge's libpq)",
    "axe-playwright-python": "goes with the pip playwright it drives (bundles axe-core; pure Python)",
}


# conda-forge packages that are a PyPI package under another name (conda-forge's ``dask`` is a
# bundle that also pulls pandas, bokeh and pyarrow; ``dask-core`` is PyPI's ``dask``).
CONDA_FORGE_NAMES = {"dask-core": "dask"}


def environment_sections() -> tuple[dict[str, str], dict[str, str]]:
    """environment.yml's pins: (conda packages ``name=version``, pip packages ``name==version``).

    conda packages are keyed by their PyPI name (``CONDA_FORGE_NAMES``).
    """
    conda, pip = {}, {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        m = re.match(r"^\s+-\s+([A-Za-z0-9_.-]+)\s*(==?)\s*([0-9][^\s#]*)", line)
        if m and m.group(1) != "python":
            if m.group(2) == "==":
                pip[m.group(1).lower()] = m.group(3)
            else:
                conda[CONDA_FORGE_NAMES.get(m.group(1).lower(), m.group(1).lower())] = m.group(3)
    return conda, pip


def environment_pins() -> dict[str, str]:
    conda, pip = environment_sections()
    assert not set(conda) & set(pip), "a package is listed for both conda and pip"
    return {**conda, **pip}


def test_environment_yml_matches_pyproject():
    assert environment_pins() == pyproject_pins()


def test_environment_yml_uses_conda_forge_names():
    conda, pip = environment_sections()
    wrong = {name: NOT_ON_CONDA_FORGE[name] for name in conda if name in NOT_ON_CONDA_FORGE}
    assert not wrong, f"not conda-forge packages (conda-forge has {wrong}): list them under pip:"
    assert set(pip) <= set(NOT_ON_CONDA_FORGE), f"only PyPI-only packages go under pip: {sorted(pip)}"
    assert re.search(r"^  - pip:$", (ROOT / "environment.yml").read_text(), re.M)


def test_lock_agrees_with_pyproject():
    lock = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            lock[name.strip().lower().replace("_", "-")] = version.strip()
    for name, version in pyproject_pins().items():
        assert lock.get(name) == version, (
            f"requirements.lock has {name}=={lock.get(name)}, pyproject {version}"
        )


def test_environment_yml_python_matches_requires_python():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
    assert re.search(r"^\s+-\s+python=3\.11\s*$", (ROOT / "environment.yml").read_text(), re.M)


def test_makefile_keeps_state_out_of_home():
    makefile = (ROOT / "Makefile").read_text()
    for var in (
        "JUPYTER_CONFIG_DIR",
        "JUPYTER_DATA_DIR",
        "JUPYTER_RUNTIME_DIR",
        "JUPYTERLAB_WORKSPACES_DIR",
        "IPYTHONDIR",
        "MPLCONFIGDIR",
        "XDG_CONFIG_HOME",
        "XDG_CACHE_HOME",
    ):
        assert re.search(rf"^export {var}\s*:=\s*\$\(STATE\)/", makefile, re.M), f"{var} not under .state/"
    assert ".state/" in (ROOT / ".gitignore").read_text().split()


def test_ci_sets_cifar_and_runs_make_test():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "NN_BASICS_CIFAR10" in ci and "shared/data/cifar-10-python.tar.gz" in ci
    assert re.search(r"^make test$", ci, re.M)
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme


def test_grades_and_hand_ins_are_ignored_by_git():
    ignored = (ROOT / ".gitignore").read_text().split()
    # nbgrader export writes grades.csv in the folder it runs in (the repository root, with make lab).
    for entry in (
        "grades.csv",
        "gradebook.db",
        "submitted/",
        "submissions/",
        "graded/",
        "grading/",
        "feedback/",
    ):
        assert entry in ignored, f".gitignore does not cover {entry}"
