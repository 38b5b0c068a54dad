"""Interim: the dataset pipeline is being rebuilt in this package (see normsdb/dataset_old.py)."""

from normsdb.dataset_old import *  # noqa: F403
from normsdb.dataset_old import TOP_LEVEL, DatasetError, dataset_export, dataset_import, dumps  # noqa: F401
