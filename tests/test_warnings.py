import warnings

import pytest


def test_deprecations_from_npssim_code_fail_the_suite():
    with pytest.raises(DeprecationWarning):
        warnings.warn_explicit(
            "old API", DeprecationWarning, "npssim/model.py", 1, module="npssim.model"
        )


def test_future_warnings_from_npssim_code_fail_the_suite():
    with pytest.raises(FutureWarning):
        warnings.warn_explicit("changing", FutureWarning, "npssim/cli.py", 1, module="npssim.cli")
