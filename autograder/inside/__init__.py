"""What runs inside a sandbox: the grading worker, the student's kernel, its agent, the trusted evaluator.

Nothing here imports the grader's side (``tests/autograder/test_layout.py`` checks it); ``plaindata``
is the one language both sides speak.
"""
