"""Work done outside a request: optimizer runs, regimen booking runs, the reminder and outbox pass, and
periodic upkeep.

The work itself is plain functions (:mod:`.tasks`). Where they run is decided by the settings
(:attr:`msinfusion.settings.Settings.runs_jobs_in_process`):

- on PostgreSQL, as jobs on the procrastinate queue (:mod:`.queue`), run by ``msinfusion worker``
  processes (:mod:`.worker`), which retry or fail the jobs of a worker that died (:mod:`.stalled`);
- on the embedded SQLite default, inside ``msinfusion serve``: threads for runs and a loop for the
  periodic work (:mod:`.in_process`), so ``make run`` needs no worker.

The web layer hands runs over through a :class:`.runners.JobRunner`, whichever of the two it is.
"""
