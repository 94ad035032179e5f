"""The training scripts (``scripts/train_*.py``) own their corpus readers and held-out splits;
the evaluations load them from there, so both sides read the data and split it one way."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


@cache
def training_module(name: str) -> ModuleType:
    """``scripts/<name>.py``, loaded once by path."""
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module
