"""Retention: how long each kind of record is kept (`policy.py`), legal holds that stop the
clock for one case (`models.py`, `service.py`, `views.py`), and the job that deletes what has
outlived its period, one audit row per deletion (`purge.py`, `job.py`)."""
