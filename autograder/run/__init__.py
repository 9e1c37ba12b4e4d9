"""Where jobs run: two sandboxes per notebook (trusted), on local threads or a Dask cluster; the journal that lets a run resume."""
