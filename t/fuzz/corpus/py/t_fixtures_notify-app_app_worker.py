"""Processes a job's items and reports progress to the dashboard."""
from app.models import Job, SessionLocal


def handle(item) -> None:
    item.process()


def run_job(job_id: int, items: list) -> None:
    with SessionLocal() as session:
        job = session.get(Job, job_id)
        job.status = "running"
        for i, item in enumerate(items):
            handle(item)
            job.done = i + 1
            session.flush()
        job.status = "done"
        session.commit()


def run_job_fixed(job_id: int, items: list) -> None:
    with SessionLocal() as session:
        job = session.get(Job, job_id)
        job.status = "running"
        session.commit()
        for i, item in enumerate(items):
            handle(item)
            job.done = i + 1
            session.commit()
        job.status = "done"
        session.commit()
