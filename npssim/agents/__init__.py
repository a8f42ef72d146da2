"""The model's agents: customer accounts, sales reps and their managers."""

from npssim.agents.accounts import Account, AccountBook
from npssim.agents.managers import Manager
from npssim.agents.reps import RepRoster, SalesRep

__all__ = ["Account", "AccountBook", "Manager", "RepRoster", "SalesRep"]
