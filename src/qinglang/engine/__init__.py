"""qinglang.engine: a fast, explainable Chinese text pipeline for public-opinion monitoring.

No Django here: the engine runs in benchmarks, evaluations and any worker.
"""

from .config import EngineConfig
from .normalize import Normalized, normalize, to_simplified
from .pipeline import Doc, DocError, Engine, Features, Result, to_doc

__all__ = ["Doc", "DocError", "Engine", "EngineConfig", "Features", "Normalized", "Result", "normalize",
           "to_doc", "to_simplified"]
