"""``AWS_LAMBDA_MAX_CONCURRENCY`` as the runtime reads it (pure; the forking is covered by the wire tests).

AWS's Python runtime client switches to multi-concurrency whenever the variable is set
(aws/aws-lambda-python-runtime-interface-client, awslambdaric/lambda_config.py ``is_multi_concurrent``).
"""

from __future__ import annotations

import pytest

from streaming_runtime.workers import WORKER_ENV, InvalidConcurrencyError, max_concurrency


def test_unset_means_one_process_and_any_positive_integer_is_the_worker_count() -> None:
    assert max_concurrency({}) is None
    assert max_concurrency({"AWS_LAMBDA_MAX_CONCURRENCY": "1"}) == 1
    assert max_concurrency({"AWS_LAMBDA_MAX_CONCURRENCY": " 64 "}) == 64


def test_a_worker_never_supervises_again() -> None:
    assert max_concurrency({"AWS_LAMBDA_MAX_CONCURRENCY": "8", WORKER_ENV: "3"}) is None


@pytest.mark.parametrize("raw", ["", "0", "-2", "4.0", "many"])
def test_anything_else_is_an_init_error_with_its_own_type(raw: str) -> None:
    with pytest.raises(InvalidConcurrencyError, match="must be a positive integer") as info:
        max_concurrency({"AWS_LAMBDA_MAX_CONCURRENCY": raw})
    assert info.value.error_type == "Runtime.InvalidMaxConcurrency"


def test_only_managed_instances_pay_for_importing_the_workers_module() -> None:
    """Cold start: a standard function's runtime never imports streaming_runtime.workers (nor the signal module)."""
    import subprocess
    import sys
    from pathlib import Path

    import streaming_runtime.__main__ as entry
    from streaming_runtime import workers

    assert entry.MAX_CONCURRENCY_ENV == workers.MAX_CONCURRENCY_ENV
    probe = (
        "import sys, streaming_runtime.__main__; "
        "print(sorted({'streaming_runtime.workers', 'signal'} & set(sys.modules)))"
    )
    functions = Path(__file__).resolve().parents[3] / "functions"
    out = subprocess.run([sys.executable, "-c", probe], cwd=functions, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
