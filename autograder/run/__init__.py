"""Where jobs run: two sandboxes per notebook (trusted), on local threads or a Dask cluster; the journal that lets a run resume."""

# Jobs run beside other threads here (local jobs; a Dask worker's event loop): ast.parse must not race
# on CPythons before 3.11.8 (astguard.py). The sandbox side (inside/) never imports this package.
from autograder.run import astguard

astguard.install()
