"""nbgrader settings for the student (shipped as nbgrader_config.py at the top of the bundle).

`nbgrader validate NN_name/NN_name.ipynb`, run in this folder, and JupyterLab's Validate button read
it. It makes the command line as readable as the button: no warning about a missing configuration,
no kernel warning about TCP, and a failing test's message in full.
"""

import os

c = get_config()  # noqa: F821 (injected by traitlets)

c.CourseDirectory.course_id = "nn-basics"
# nbgrader cuts every line of a failing cell's code and error at Validator.width (90 columns), which
# hides the end of the tests' messages ("... is not the expected value."). Long lines are left for the
# terminal to wrap; the cost is a longer ===== ruler between failures.
c.Validator.width = 200
# The validating kernel talks to nbgrader over local sockets instead of TCP, so ipykernel has nothing
# to warn about ("Kernel is running over TCP without encryption"). Windows has no such sockets.
if os.name != "nt":
    c.KernelManager.transport = "ipc"
# The same per-cell time limit as the grader's.
c.ExecutePreprocessor.timeout = 120
c.Execute.timeout = 120
