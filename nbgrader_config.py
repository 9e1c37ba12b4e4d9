"""nbgrader configuration for nn-basics (instructor side).

source/ and release/ are generated from notebooks/ by `make source` and `make release`;
submitted/, autograded/, feedback/ and gradebook.db are nbgrader's working folders (never committed).
"""

import os
import sys

c = get_config()  # noqa: F821 (injected by traitlets)

ROOT = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.root = ROOT
c.CourseDirectory.course_id = "nn-basics"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
# Only the notebook travels into the release; the helpers package is installed, not copied.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]

# Release stubs name their exercise ("Exercise neuron is not written yet: ..."), as `make release` does
# (tools/stubs.py). Only where the course's tools/ is beside this file (not in a copy of the config).
if os.path.isfile(os.path.join(ROOT, "tools", "stubs.py")):
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    from tools.stubs import generate_assignment_preprocessors

    c.GenerateAssignment.preprocessors = generate_assignment_preprocessors()

# The exchange (release_assignment, fetch, submit, collect; JupyterLab's Assignments and Courses panels)
# inside the course's ignored state folder, for one machine. On JupyterHub set a shared folder instead
# (autograder/README.md, "A large course on JupyterHub").
c.Exchange.root = os.path.join(ROOT, ".state", "exchange")
os.makedirs(c.Exchange.root, exist_ok=True)  # nbgrader refuses a missing exchange ("Unwritable directory")

# Per-cell time limit when nbgrader executes a student's notebook (validate / autograde).
c.ExecutePreprocessor.timeout = 120
c.Execute.timeout = 120

# Feedback must not show hidden tests (nbgrader issue 917).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
