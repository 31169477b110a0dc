from setuptools import setup

setup(
    name="shop",
    python_requires=">=3.11",
    install_requires=["sqlalchemy[asyncio]>=2.0.25", "fastapi~=0.110", 'celery'],
)
