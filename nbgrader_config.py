"""nbgrader configuration for nn-basics (instructor side).

source/ and release/ are generated from notebooks/ by `make source` and `make release`;
submitted/, autograded/, feedback/ and gradebook.db are nbgrader's working folders (never committed).
"""

import os

c = get_config()  # noqa: F821 (injected by traitlets)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "nn-basics"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
# Only the notebook travels into the release; the helpers package is installed, not copied.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]

# Per-cell time limit when nbgrader executes a student's notebook (validate / autograde).
c.ExecutePreprocessor.timeout = 120
c.Execute.timeout = 120

# Feedback must not show hidden tests (nbgrader issue 917).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
