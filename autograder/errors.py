"""The one error that stops a grading run: ``GraderError`` (exit status 2, with its reason)."""


class GraderError(RuntimeError):
    """The grader itself cannot run (exit code 2, with this reason)."""
