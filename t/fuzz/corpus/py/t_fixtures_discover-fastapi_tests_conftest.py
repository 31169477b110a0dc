from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

engine = create_engine("sqlite://", pool_size=1)
TestSession = sessionmaker(bind=engine, expire_on_commit=True)
