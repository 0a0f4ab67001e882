"""Trust: model evaluation on the original formula and cross-checks against Z3 / cvc5."""

from .model import check_model, evaluate

__all__ = ["check_model", "evaluate"]
