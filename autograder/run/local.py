"""Run jobs on this machine: ``--workers N`` threads, each driving one job's two sandboxes at a time."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, as_completed

from . import trusted


def run_job(job, limits, env_extra: dict, extra_ro: list, binds: dict | None, score) -> tuple:
    """``score(job, execution)`` of the job's two sandboxes (``trusted.run``)."""
    execution = trusted.run(
        job.prepared,
        job.evaluator_job,
        limits,
        files=job.files,
        env_extra=env_extra,
        extra_ro=extra_ro,
        binds=(binds or {}).get(job.assignment),
    )
    return score(job, execution)


def run_jobs(jobs, workers: int, limits, env_extra, extra_ro, binds, score):
    """Yield ``(job, score(job, execution))`` or ``(job, exception)`` as the thread pool finishes jobs."""
    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        futures = {pool.submit(run_job, job, limits, env_extra, extra_ro, binds, score): job for job in jobs}
        for future in as_completed(futures):
            try:
                yield futures[future], future.result()
            except Exception as err:
                yield futures[future], err
    finally:  # on Ctrl+C: nothing new starts, the sandboxes running now finish and are cleaned up
        pool.shutdown(wait=True, cancel_futures=True)
